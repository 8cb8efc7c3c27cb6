package main

import (
	"context"
	"encoding/base64"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/demo/catalog"
	"github.com/opsctx/opsctx/tools"
)

// canaries are planted in every credential; none may ever be printed or returned.
var canaries = map[string]string{
	"SERVICENOW_PASSWORD":      "canary-sn-password-7f3a",
	"SERVICENOW_CLIENT_SECRET": "canary-sn-client-secret-3c9d",
	"PAGERDUTY_API_TOKEN":      "canary-pd-token-91bc",
	"OPSGENIE_API_KEY":         "canary-og-key-4d2e",
	"JSM_API_TOKEN":            "canary-jsm-token-6a6a",
	"DYNATRACE_API_TOKEN":      "canary-dt-token-8a61",
	// a second Dynatrace instance signs in with an OAuth client at the echoing upstream
	"DYNATRACE_PLATFORM_CLIENT_SECRET": "canary-dt-client-secret-77e1",
	"BACKSTAGE_TOKEN":                  "canary-bs-token-c0de",
	"PROMETHEUS_TOKEN":                 "canary-prom-token-5e5e",
	"ALERTMANAGER_PASSWORD":            "canary-am-password-2b2b",
	"OPSCTX_AUTH_TOKEN":                "canary-http-token-1111",
}

// jsmEmail is the JSM account whose basic credentials carry the JSM canary.
const jsmEmail = "jsm@opsctx.example"

// echo is an upstream that answers 401 and echoes every credential it was sent (the
// Authorization header, the URL, and a form body such as an OAuth token request's), in the
// body, as vendors sometimes do.
func echo() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":{"message":"bad credentials `+r.Header.Get("Authorization")+` for `+r.URL.String()+` with `+string(body)+`"}}`)
	}))
}

func canaryEnv(t *testing.T) map[string]string {
	t.Helper()
	d, err := demo.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	e := echo()
	t.Cleanup(e.Close)
	dir := t.TempDir()
	if err := fs.WalkDir(catalog.FS, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		b, _ := fs.ReadFile(catalog.FS, p)
		return os.WriteFile(filepath.Join(dir, p), b, 0o644)
	}); err != nil {
		t.Fatal(err)
	}
	url := func(source string) string {
		if s := d.Servers[source]; s != nil {
			return s.URL
		}
		return e.URL
	}
	env := map[string]string{
		"OPSCTX_CATALOG":   dir,
		"OPSCTX_LOG_LEVEL": "debug",
		// ServiceNow's OAuth password grant: client secret and password go to the token endpoint.
		"SERVICENOW_INSTANCE_URL": e.URL, "SERVICENOW_USERNAME": "opsctx", "SERVICENOW_CLIENT_ID": "opsctx-client",
		"PAGERDUTY_API_URL": url("pagerduty"),
		"OPSGENIE_API_URL":  e.URL,                                                   // echoes the key back
		"JSM_SITE_URL":      e.URL, "JSM_API_URL": e.URL, "JSM_USER_EMAIL": jsmEmail, // echo the basic credentials
		"DYNATRACE_ENV_URL":   url("dynatrace"),
		"DYNATRACE_INSTANCES": "platform", "DYNATRACE_PLATFORM_ENV_URL": e.URL, "DYNATRACE_PLATFORM_CLIENT_ID": "dt0s02.CANARY",
		"DYNATRACE_PLATFORM_ACCOUNT_URN": "urn:dtaccount:canary", "DYNATRACE_PLATFORM_TOKEN_URL": e.URL + "/sso/oauth2/token",
		"BACKSTAGE_URL":    e.URL,
		"PROMETHEUS_URL":   url("prometheus"),
		"ALERTMANAGER_URL": e.URL, "ALERTMANAGER_USERNAME": "opsctx",
	}
	for k, v := range canaries {
		env[k] = v
	}
	return env
}

// leaks returns every canary (or its basic-auth encoding) found in s.
func leaks(s string) []string {
	var out []string
	for k, v := range canaries {
		if strings.Contains(s, v) {
			out = append(out, k)
		}
		for _, user := range []string{"opsctx", jsmEmail} {
			if strings.Contains(s, base64.StdEncoding.EncodeToString([]byte(user+":"+v))) {
				out = append(out, k+" (basic auth)")
			}
		}
	}
	return out
}

func TestCanarySecretsNeverLeak(t *testing.T) {
	env := canaryEnv(t)
	for _, args := range [][]string{
		{"check"},
		{"context", "checkout"},
		{"context", "checkout", "--json"},
		{"context", "--incident", "INC0012345", "--json"},
		{"serve", "--http", "nonsense"}, // refused: the error must not print the token either
	} {
		_, out, errOut := runCLI(t, env, args...)
		if l := leaks(out + errOut); len(l) > 0 {
			t.Errorf("%v leaked %v:\n%s\n%s", args, l, out, errOut)
		}
		if args[0] == "check" && (!strings.Contains(out, "FAIL") || !strings.Contains(out, "dynatrace/platform")) {
			t.Errorf("check should report the echoing sources (and the OAuth Dynatrace instance) as failing:\n%s", out)
		}
	}

	cfg, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if l := leaks(cfg.String()); len(l) > 0 {
		t.Errorf("config String leaked %v", l)
	}
	c, err := client.NewInProcessClient(tools.NewServer(tools.Deps{Engine: app.Engine(cfg, app.Options{Logger: newLogger(io.Discard, "debug", cfg.Secrets())})}, "test"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	initialize(t, c)
	for tool, args := range map[string]map[string]any{
		"incident_context": {"service": "checkout"}, "what_changed": {"service": "checkout"}, "who_owns": {"service": "checkout"},
		"blast_radius": {"service": "checkout"}, "active_issues": {}, "boundary_audit": {}, "find_service": {"query": "checkout"},
	} {
		res := callTool(t, c, tool, args)
		raw := text(res)
		if l := leaks(raw); len(l) > 0 {
			t.Errorf("%s result leaked %v", tool, l)
		}
		if tool == "incident_context" && !strings.Contains(raw, "401") {
			t.Errorf("incident_context should name the failing sources: %s", raw)
		}
	}
}
