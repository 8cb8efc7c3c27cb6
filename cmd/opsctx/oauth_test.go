package main

import (
	"context"
	"encoding/json"
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
