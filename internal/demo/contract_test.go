package demo_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

// contractCalls are the tool calls that drive every request shape the connectors send: every
// tool at every detail level, from a service, an incident of each source, a host, a path.
func contractCalls() []struct {
	tool string
	args map[string]any
} {
	type call = struct {
		tool string
		args map[string]any
	}
	var calls []call
	for _, d := range []string{"brief", "standard", "full"} {
		calls = append(calls, call{"incident_context", map[string]any{"service": demo.Checkout, "detail": d}})
	}
	for _, ref := range []string{demo.DTDisplayID, demo.DTProblemID, fmt.Sprint(demo.PDIncidentNo), demo.PDIncidentID, demo.OGTinyID, demo.JSMTinyID, demo.SNIncident, demo.SNChange} {
		calls = append(calls, call{"incident_context", map[string]any{"incident": ref, "detail": "full"}})
	}
	calls = append(calls,
		call{"incident_context", map[string]any{"host": "db-prod-01:9100"}},
		call{"incident_context", map[string]any{"service": demo.OrdersDB, "since": "6h", "horizon": "4h"}},
		call{"what_changed", map[string]any{"service": demo.Checkout, "since": "6h", "include_dependencies": true}},
		call{"what_changed", map[string]any{"host": demo.AppHost}},
		call{"who_owns", map[string]any{"service": demo.Checkout, "horizon": "12h"}},
		call{"who_owns", map[string]any{"host": demo.AppHost}},
		call{"blast_radius", map[string]any{"service": demo.OrdersDB, "depth": 3}},
		call{"blast_radius", map[string]any{"host": "db-prod-01"}},
		call{"active_issues", map[string]any{}},
		call{"active_issues", map[string]any{"team": "team-checkout", "min_severity": "info"}},
		call{"boundary_audit", map[string]any{}},
		call{"find_service", map[string]any{"query": "pay"}},
		call{"find_service", map[string]any{"incident": demo.DTDisplayID}},
	)
	return calls
}

// driveDemo makes every tool call and `check` probe over the demo and returns what each
// fake received.
func driveDemo(t *testing.T, c *client.Client, eng *engine.Engine, env *demo.Env) map[string][]fake.Request {
	t.Helper()
	for _, cl := range contractCalls() {
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = cl.tool, cl.args
		res, err := c.CallTool(context.Background(), req)
		if err != nil || res.IsError {
			t.Errorf("%s %v: %v %v", cl.tool, cl.args, err, res)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, s := range eng.Sources() {
		if a, ok := s.(connectors.Authenticator); ok {
			if err := a.SignIn(ctx); err != nil && !errors.Is(err, connectors.ErrNoSignIn) {
				t.Errorf("%s sign-in: %v", s.Name(), err)
			}
		}
		if p, ok := s.(connectors.Prober); ok {
			for _, r := range connectors.RunProbes(ctx, p.Probes()) {
				if r.Err != nil {
					t.Errorf("%s probe %s: %v", s.Name(), r.Capability, r.Err)
				}
			}
		} else if err := s.Check(ctx); err != nil {
			t.Errorf("%s check: %v", s.Name(), err)
		}
	}
	out := map[string][]fake.Request{}
	for name, srv := range env.Servers {
		out[name] = srv.Requests()
	}
	return out
}

// TestRequestsFollowVendorContracts: every request a connector sends over the demo — every
// tool at every detail level from each entry point, and `check`'s sign-in and probes — is
// one the vendor's API reference accepts (reqcontract: a path and method of the reference,
// only declared query parameters in their declared array form, enum values it lists,
// integers within its bounds, a cursor sent alone, required parameters present, the
// Authorization scheme the operation declares). Our fakes answer what the real APIs may
// reject or silently ignore; this keeps the requests to the contract.
// OPSCTX_CONTRACTS=/work/shared/contracts regenerates reqcontract's contracts from the
// official documents (then run it again: the contracts are embedded).
func TestRequestsFollowVendorContracts(t *testing.T) {
	env, err := demo.StartScenario(context.Background(), demo.Scenario{T0: t0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	c, eng := engineClient(t, env, func() time.Time { return t0 })
	checkContracts(t, driveDemo(t, c, eng, env))
}

// TestPlatformRequestsFollowVendorContracts: the same over a Dynatrace read through the
// platform with a platform token: the classic API under /platform/classic/environment-api/v2
// with Bearer, and the platform SLO service (listing, evaluation:start, evaluation:poll).
func TestPlatformRequestsFollowVendorContracts(t *testing.T) {
	sc := demo.Scenario{T0: t0}
	env, err := demo.StartScenario(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	const token = "dt0s16.DEMOPLATFORM.secret"
	data := demo.DynatraceData(sc)
	f := func(v float64) *float64 { return &v }
	data.PlatformSLOs = []dtfake.PlatformSLO{{ID: "pslo-checkout", Name: "checkout availability", Polls: 1,
		Indicator: `fetch spans | filter dt.entity.service == "` + demo.DTCheckout + `"`,
		Criteria:  []dtfake.PlatformCriterion{{TimeframeFrom: "now-28d", TimeframeTo: "now", Target: 99, Warning: f(99.5)}},
		Value:     f(98.7), ErrorBudget: f(-0.3), Status: "failure"}}
	dt := dtfake.Start(dtfake.Options{PlatformToken: token, Now: func() time.Time { return t0 }}, data)
	t.Cleanup(dt.Close)
	env.Config.Sources.Dynatrace = []*config.Dynatrace{{URL: dt.URL, Token: token}}
	c, eng := engineClient(t, env, func() time.Time { return t0 })
	reqs := driveDemo(t, c, eng, env)
	reqs[config.SourceDynatrace] = dt.Requests()
	if !slices.ContainsFunc(reqs[config.SourceDynatrace], func(r fake.Request) bool { return strings.HasSuffix(r.Path, "evaluation:poll") }) {
		t.Error("the platform SLO was not evaluated: no evaluation:poll to check")
	}
	checkContracts(t, map[string][]fake.Request{config.SourceDynatrace: reqs[config.SourceDynatrace]})
}

// checkContracts checks each fake's requests against its vendor's contract (or, for a source
// speaking a second API, that API's: reqcontract.Route). With OPSCTX_CONTRACTS set it first
// cuts the contracts anew from the official documents there.
func checkContracts(t *testing.T, bySource map[string][]fake.Request) {
	t.Helper()
	for _, source := range slices.Sorted(maps.Keys(bySource)) {
		rs := bySource[source]
		if len(rs) == 0 {
			t.Errorf("%s: the demo sent no request", source)
			continue
		}
		if specs := os.Getenv("OPSCTX_CONTRACTS"); specs != "" {
			for name, group := range reqcontract.Group(source, rs) {
				if reqcontract.Vendors[name].Spec == "" {
					continue
				}
				c, err := reqcontract.FromSpec(specs, name, group)
				if err == nil {
					err = reqcontract.Save(name, c)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, n := range reqcontract.Check(t, source, rs) {
			t.Logf("%s: %d requests, %d distinct shapes", name, len(reqcontract.Group(source, rs)[name]), n)
		}
	}
}
