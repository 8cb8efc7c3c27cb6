package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/testkit/tokenrounds"
	"github.com/opsctx/opsctx/tools"
)

// TestServiceNowOAuthAcrossExpiries: configured from the environment with an OAuth client,
// answers about a ServiceNow service keep `servicenow: ok` while its 2-second tokens expire
// one after another, each expiry costing one token request, and after an administrator
// revokes the tokens (one 401, one renewal).
func TestServiceNowOAuthAcrossExpiries(t *testing.T) {
	srv := snfake.Start(demo.ServiceNowData(demo.Scenario{T0: time.Now()}), snfake.Options{Username: "opsctx.integration",
		ClientID: "opsctx-client", ClientSecret: "client-secret-4711", TokenTTL: 2 * time.Second})
	defer srv.Close()
	env := map[string]string{"SERVICENOW_INSTANCE_URL": srv.URL, "SERVICENOW_CLIENT_ID": "opsctx-client",
		"SERVICENOW_CLIENT_SECRET": "client-secret-4711"}
	c := uncachedClient(t, env)
	slow := tokenrounds.Rounds{Life: 2 * time.Second}
	answer := func(step string) {
		t.Helper()
		defer slow.Start()()
		res := callTool(t, c, "who_owns", map[string]any{"service": demo.SNCheckout})
		var out struct {
			Sources []struct{ Name, Status, Error string } `json:"sources"`
		}
		raw, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(raw, &out); err != nil || res.IsError {
			t.Fatalf("%s: %v %s", step, err, text(res))
		}
		for _, s := range out.Sources {
			if s.Name == "servicenow" && s.Status != "ok" {
				t.Fatalf("%s: servicenow %s: %s", step, s.Status, s.Error)
			}
		}
	}
	const expiries = 3
	for i := range expiries {
		if i > 0 {
			time.Sleep(2 * time.Second) // the previous token has expired
		}
		answer("after expiry")
	}
	slow.Check(t, srv.TokenRequests(), expiries, "3 token lifetimes")
	srv.Revoke()
	time.Sleep(20 * time.Millisecond) // past the 1 ms cache TTL: the answer asks the instance again
	answer("after revocation")
	slow.Check(t, srv.TokenRequests(), expiries+1, "3 token lifetimes and one revocation")
}

// uncachedClient serves the tools, configured by env alone, to an in-process MCP client;
// every answer asks the sources again (1 ms cache TTLs) and nothing is warmed behind it.
func uncachedClient(t *testing.T, env map[string]string) *client.Client {
	t.Helper()
	for _, k := range config.CacheKinds() {
		env["OPSCTX_CACHE_TTL_"+strings.ToUpper(k)] = "1ms"
	}
	cfg, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.NewInProcessClient(tools.NewServer(tools.Deps{Engine: app.Engine(cfg, app.Options{OneShot: true})}, "test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	initialize(t, c)
	return c
}

// TestDynatracePlatformOAuthAcrossExpiries: configured with a Dynatrace OAuth client, answers
// read the classic API through the platform and SLOs from the platform SLO service too, and
// keep `dynatrace: ok` while the 2-second access tokens expire, one token request each.
func TestDynatracePlatformOAuthAcrossExpiries(t *testing.T) {
	d := demo.DynatraceData(demo.Scenario{T0: time.Now()})
	att, budget := 99.95, 0.85
	d.PlatformSLOs = []dtfake.PlatformSLO{{ID: "platform-slo-1", Name: "Checkout availability (SLO app)",
		Indicator: `fetch spans | filter dt.entity.service == "` + demo.DTCheckout + `"`, Value: &att, ErrorBudget: &budget, Status: "success",
		Criteria: []dtfake.PlatformCriterion{{TimeframeFrom: "now-28d", TimeframeTo: "now", Target: 99.9}}}}
	srv := dtfake.Start(dtfake.Options{OAuth: &dtfake.OAuthClient{ClientID: "dt0s02.OPSCTX", ClientSecret: "dt0s02.OPSCTX.SECRET",
		Resource: "urn:dtaccount:shop"}, TokenTTL: 2 * time.Second}, d)
	defer srv.Close()
	env := map[string]string{"DYNATRACE_ENV_URL": srv.EnvURL(), "DYNATRACE_CLIENT_ID": "dt0s02.OPSCTX",
		"DYNATRACE_CLIENT_SECRET": "dt0s02.OPSCTX.SECRET", "DYNATRACE_ACCOUNT_URN": "urn:dtaccount:shop",
		"DYNATRACE_TOKEN_URL": srv.URL + dtfake.TokenPath}
	c := uncachedClient(t, env)
	const expiries = 3
	slow := tokenrounds.Rounds{Life: 2 * time.Second}
	for i := range expiries {
		if i > 0 {
			time.Sleep(2 * time.Second)
		}
		done := slow.Start()
		res := callTool(t, c, "incident_context", map[string]any{"service": "checkout-service"})
		done()
		var out struct {
			Sources []struct{ Name, Status, Error string } `json:"sources"`
			SLOs    []struct{ Name string }                `json:"slos"`
		}
		raw, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(raw, &out); err != nil || res.IsError {
			t.Fatalf("answer %d: %v %s", i, err, text(res))
		}
		for _, s := range out.Sources {
			if s.Name == "dynatrace" && s.Status != "ok" {
				t.Fatalf("answer %d: dynatrace %s: %s", i, s.Status, s.Error)
			}
		}
		var names []string
		for _, s := range out.SLOs {
			names = append(names, s.Name)
		}
		if !slices.Contains(names, "Checkout availability (SLO app)") || !slices.Contains(names, demo.DTLatencySLO) {
			t.Fatalf("answer %d: SLOs %v, want the platform and the classic one", i, names)
		}
	}
	slow.Check(t, srv.TokenRequests(), expiries, "3 token lifetimes")
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/api/") {
			t.Fatalf("%s asked with platform credentials: the classic API is read through the platform", r.Path)
		}
	}
}

// TestContextKeepsTheOAuthToken: one-shot `opsctx context` runs sign in to ServiceNow once
// and the next run uses the kept token (no token request); the token file beside the
// snapshot has mode 0600 and holds neither the client secret, the password nor any access
// token, as written or in base64; after an administrator revokes the tokens the next run
// recovers after a 401 with one token request and answers `servicenow: ok`; `check` signs
// in afresh (it verifies the credentials, not the kept token).
func TestContextKeepsTheOAuthToken(t *testing.T) {
	const secret, password = "client-secret-canary-8086", "pw-canary-5150"
	srv := snfake.Start(demo.ServiceNowData(demo.Scenario{T0: time.Now()}), snfake.Options{Username: "opsctx.integration",
		Password: password, ClientID: "opsctx-client", ClientSecret: secret})
	defer srv.Close()
	dir := t.TempDir()
	env := map[string]string{"SERVICENOW_INSTANCE_URL": srv.URL, "SERVICENOW_CLIENT_ID": "opsctx-client", "SERVICENOW_CLIENT_SECRET": secret,
		"SERVICENOW_USERNAME": "opsctx.integration", "SERVICENOW_PASSWORD": password, "OPSCTX_CACHE_DIR": dir}
	answer := func(step string, tokenRequests int) {
		t.Helper()
		code, out, errOut := runCLI(t, env, "context", demo.SNCheckout, "--json")
		var ans struct {
			Sources []struct{ Name, Status, Error string } `json:"sources"`
		}
		if err := json.Unmarshal([]byte(out), &ans); code != 0 || err != nil {
			t.Fatalf("%s: exit %d, %v\n%s", step, code, err, errOut)
		}
		for _, s := range ans.Sources {
			if s.Name == "servicenow" && (s.Status != "ok" && s.Status != "stale" || strings.Contains(s.Error, "401")) {
				t.Fatalf("%s: servicenow %s (%s)", step, s.Status, s.Error)
			}
		}
		if n := srv.TokenRequests(); n != tokenRequests {
			t.Fatalf("%s: %d token requests in all, want %d", step, n, tokenRequests)
		}
	}
	answer("first run", 1)
	answer("second run, with the kept token", 1)

	files, _ := filepath.Glob(filepath.Join(dir, "servicenow-*.token"))
	if len(files) != 1 {
		t.Fatalf("token files %v, want one for servicenow", files)
	}
	if fi, _ := os.Stat(files[0]); fi.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", fi.Mode().Perm())
	}
	srv.Revoke()
	answer("after the revocation", 2)
	refused := 0
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/api/") && r.Header.Get("Authorization") == "Bearer "+srv.Issued()[0] {
			refused++
		}
	}
	if refused < 3 {
		t.Errorf("%d requests with the first token, want those of two runs and the refused one of the third", refused)
	}
	if code, out, _ := runCLI(t, env, "check"); code != 0 || srv.TokenRequests() != 3 {
		t.Errorf("check: exit %d after %d token requests, want a sign-in of its own (3):\n%s", code, srv.TokenRequests(), out)
	}

	secrets := append([]string{secret, password}, srv.Issued()...)
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, s := range secrets {
			for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawStdEncoding.EncodeToString([]byte(s)),
				base64.RawURLEncoding.EncodeToString([]byte(s))} {
				if strings.Contains(string(b), form) {
					t.Errorf("%s holds a secret or access token (%.12s…)", e.Name(), form)
				}
			}
		}
	}
}
