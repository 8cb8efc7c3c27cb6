package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
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
	for _, k := range config.CacheKinds() { // every answer asks the instance again (and nothing is warmed behind it)
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
	defer c.Close()
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	initialize(t, c)
	answer := func(step string) {
		t.Helper()
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
	if got := srv.TokenRequests(); got != expiries {
		t.Errorf("%d token requests for %d token lifetimes, want one each", got, expiries)
	}
	srv.Revoke()
	time.Sleep(20 * time.Millisecond) // past the 1 ms cache TTL: the answer asks the instance again
	answer("after revocation")
	if got := srv.TokenRequests(); got != expiries+1 {
		t.Errorf("%d token requests after the revocation, want %d (one renewal)", got, expiries+1)
	}
}
