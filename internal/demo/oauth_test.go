package demo_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"

	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/tools"
)

// TestServiceNowSignInFaults: the demo signs in to ServiceNow with an OAuth client; whatever
// its token endpoint does, the answer over MCP arrives within the deadline, every other
// source answers, and both channels say what happened to ServiceNow: a refused client names
// the OAuth error and the settings to fix, a token endpoint that hangs is no answer within the
// deadline, one that fails once (502, or 503 with Retry-After) is retried and ServiceNow
// answers.
func TestServiceNowSignInFaults(t *testing.T) {
	const tokenPath = "/oauth_token.do"
	for _, tc := range []struct {
		name   string
		fault  fake.Fault
		status string
		says   []string // in the error, in structuredContent and in the markdown
	}{
		{"client refused", fake.Fault{Path: tokenPath, Status: 401,
			Body: `{"error":"invalid_client","error_description":"Invalid client_id or client_secret."}`},
			"error", []string{"invalid_client", "SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET"}},
		{"token endpoint hangs", fake.Fault{Path: tokenPath, Hang: true}, "error", []string{"within the deadline"}},
		{"502 once", fake.Fault{Path: tokenPath, Status: 502, Times: 1, Body: "bad gateway"}, "ok", nil},
		{"503 once, Retry-After", fake.Fault{Path: tokenPath, Status: 503, Times: 1, Header: http.Header{"Retry-After": {"0"}}}, "ok", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env, err := demo.StartAt(context.Background(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(env.Close)
			env.Config.Deadline, env.Config.SourceTimeout = faultDeadline, faultDeadline
			env.Servers["servicenow"].AddFault(tc.fault)
			c, _ := engineClient(t, env, nil)

			start := time.Now()
			var out instancesAnswer
			text := callBoth(t, c, "incident_context", map[string]any{"service": demo.SNCheckout}, &out)
			if took := time.Since(start); took > faultDeadline+time.Second {
				t.Errorf("answer took %v, deadline %v", took, faultDeadline)
			}
			sn := out.status("servicenow")
			if sn.Status != tc.status {
				t.Fatalf("servicenow %s (%s), want %s", sn.Status, sn.Error, tc.status)
			}
			for _, want := range tc.says {
				if !strings.Contains(strings.ToLower(sn.Error), strings.ToLower(want)) {
					t.Errorf("servicenow error %q does not say %q", sn.Error, want)
				}
				if !strings.Contains(strings.ToLower(text), strings.ToLower(want)) {
					t.Errorf("markdown does not say %q:\n%s", want, text)
				}
			}
			if strings.Contains(text+sn.Error, "demo-servicenow-client-secret") {
				t.Error("the client secret leaked")
			}
			for _, s := range out.Sources {
				if s.Name != "servicenow" && s.Status != "ok" && s.Status != "disabled" {
					t.Errorf("healthy source %s %s (%s)", s.Name, s.Status, s.Error)
				}
			}
		})
	}
}

// engineClient is an initialized in-process MCP client of the production server on env, and
// the engine behind it; now may be nil.
func engineClient(t *testing.T, env *demo.Env, now func() time.Time) (*client.Client, *engine.Engine) {
	t.Helper()
	eng := app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Now: now})
	return serve(t, tools.NewServer(tools.Deps{Engine: eng}, "test")), eng
}
