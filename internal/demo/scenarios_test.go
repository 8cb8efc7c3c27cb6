package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
)

// mcpClient starts the scenario and returns an initialized in-process MCP client of the
// production server wired to it, as an assistant would see it.
func mcpClient(t *testing.T, sc demo.Scenario) *client.Client {
	t.Helper()
	c, _ := mcpEngineClient(t, sc)
	return c
}

// mcpEngineClient is mcpClient that also returns the engine behind the server.
func mcpEngineClient(t *testing.T, sc demo.Scenario) (*client.Client, *engine.Engine) {
	t.Helper()
	env, err := demo.StartScenario(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	return engineClient(t, env, func() time.Time { return sc.T0 })
}

// call returns a tool's structured result decoded into out (see callBoth).
func call(t *testing.T, c *client.Client, tool string, args map[string]any, out any) {
	t.Helper()
	callBoth(t, c, tool, args, out)
}

// truth is what a scenario's answer must show.
type truth struct {
	service   string // asked about
	culprit   string // change id (or id prefix) that must rank first
	rootCause string // canonical name of the root-cause service
	owner     string // first owner team
	oncallL1  string
	absorbed  []string // services whose alerts the root-cause group must absorb
}

type scenarioAnswer struct {
	Service struct {
		Name      string `json:"name"`
		OwnerTeam string `json:"owner_team"`
	} `json:"service"`
	Headline string `json:"headline"`
	Problems []struct {
		ID        string `json:"id"`
		RootCause string `json:"root_cause"`
	} `json:"problems"`
	AlertGroups []struct {
		Service     string `json:"service"`
		ExplainedBy string `json:"explained_by"`
	} `json:"alert_groups"`
	Changes []struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	} `json:"changes"`
	OnCall []struct {
		Name  string `json:"name"`
		Level int    `json:"level"`
	} `json:"oncall"`
	Notes []string `json:"notes"`
}

func checkTruth(t *testing.T, c *client.Client, want truth) scenarioAnswer {
	t.Helper()
	var a scenarioAnswer
	call(t, c, "incident_context", map[string]any{"service": want.service, "detail": "full"}, &a)
	if len(a.Changes) == 0 || !strings.HasPrefix(a.Changes[0].ID, want.culprit) {
		t.Errorf("culprit: changes %+v, want %s first", a.Changes, want.culprit)
	}
	var wc struct {
		Changes []struct{ ID string } `json:"changes"`
	}
	call(t, c, "what_changed", map[string]any{"service": want.service, "since": "6h"}, &wc)
	if len(wc.Changes) == 0 || !strings.HasPrefix(wc.Changes[0].ID, want.culprit) {
		t.Errorf("what_changed: %+v, want %s first", wc.Changes, want.culprit)
	}
	if len(a.Problems) == 0 || a.Problems[0].RootCause != want.rootCause {
		t.Errorf("root cause: %+v, want %s", a.Problems, want.rootCause)
	}
	if a.Service.OwnerTeam != want.owner {
		t.Errorf("owner %q, want %q", a.Service.OwnerTeam, want.owner)
	}
	if len(a.OnCall) == 0 || a.OnCall[0].Name != want.oncallL1 || a.OnCall[0].Level != 1 {
		t.Errorf("on-call %+v, want %s at L1", a.OnCall, want.oncallL1)
	}
	// The root-cause group absorbs the alerts of the services it explains.
	var ai struct {
		Groups []struct {
			Key       string `json:"key"`
			RootCause string `json:"root_cause"`
			Alerts    []struct {
				Service string `json:"service"`
			} `json:"alert_groups"`
		} `json:"groups"`
	}
	call(t, c, "active_issues", map[string]any{}, &ai)
	var absorbed []string
	for _, g := range ai.Groups {
		if g.RootCause == want.rootCause {
			for _, al := range g.Alerts {
				absorbed = append(absorbed, al.Service)
			}
		}
	}
	for _, s := range want.absorbed {
		if !slices.Contains(absorbed, s) {
			t.Errorf("root-cause group %s does not absorb %s's alerts (has %v)", want.rootCause, s, absorbed)
		}
	}
	return a
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// 1. The demo story: a config change on the database.
func TestScenarioDatabaseTimeout(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	a := checkTruth(t, c, truth{service: "checkout", culprit: demo.SNChange, rootCause: demo.OrdersDB,
		owner: "team-checkout", oncallL1: demo.Sam, absorbed: []string{demo.Checkout, demo.OrdersDB}})
	if !strings.Contains(a.Changes[0].Reason, "root-cause entity orders-db") || !strings.Contains(a.Changes[0].Reason, "confirmed by dynatrace") {
		t.Errorf("reason: %s", a.Changes[0].Reason)
	}
}

// rootCauseAt moves the Dynatrace problem's root cause to another entity.
func rootCauseAt(id, name string) func(string, any) {
	return func(source string, data any) {
		if d, ok := data.(*dtfake.Data); ok && source == config.SourceDynatrace {
			rc := dtfake.Stub(id, "SERVICE", name)
			d.Problems[0].RootCauseEntity = &rc
			d.Problems[0].EvidenceDetails = nil
		}
	}
}

// 2. A feature flag on payments, known only to PagerDuty as a change event.
func TestScenarioPaymentsFlag(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0, Edit: rootCauseAt(demo.DTPayments, "payments")})
	a := checkTruth(t, c, truth{service: "checkout-api", culprit: "01PAY3DS2EUFLAG", rootCause: demo.Payments,
		owner: "team-checkout", oncallL1: demo.Sam, absorbed: []string{demo.Checkout}})
	if !strings.Contains(a.Changes[0].Reason, "no change record") {
		t.Errorf("the flag has no change record: %s", a.Changes[0].Reason)
	}
}

// 3. A deploy of inventory that no change record covers.
func TestScenarioUnrecordedDeploy(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0, Edit: rootCauseAt(demo.DTInventory, "inventory")})
	a := checkTruth(t, c, truth{service: "Checkout Service", culprit: "-1386735525180337920_", rootCause: demo.Inventory,
		owner: "team-checkout", oncallL1: demo.Sam, absorbed: []string{demo.Checkout}})
	if !strings.Contains(a.Changes[0].Reason, "no change record") || !strings.Contains(a.Changes[0].Reason, "root-cause entity inventory") {
		t.Errorf("reason: %s", a.Changes[0].Reason)
	}
}

// 4. A PagerDuty service whose name fits two catalog services is reported, never merged.
func TestScenarioAmbiguousName(t *testing.T) {
	extra := `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: cart-api, title: Cart API}
spec: {type: service, lifecycle: production, owner: team-storefront}
`
	edit := func(source string, data any) {
		if d, ok := data.(*pdfake.Data); ok {
			s := d.Services[2] // Cart
			s.ID, s.Name = "PCART99", "Cart Service"
			d.Services = append(d.Services, s)
		}
	}
	c := mcpClient(t, demo.Scenario{T0: t0, Edit: edit, ExtraCatalog: extra})
	var fr struct {
		Candidates []struct {
			Name string `json:"name"`
		} `json:"candidates"`
		Unmerged []struct {
			Source     string   `json:"source"`
			Record     string   `json:"record"`
			Candidates []string `json:"candidates"`
		} `json:"unmerged"`
	}
	call(t, c, "find_service", map[string]any{"query": "Cart Service"}, &fr)
	if len(fr.Unmerged) != 1 || fr.Unmerged[0].Record != "Cart Service" || !slices.Equal(fr.Unmerged[0].Candidates, []string{"cart", "cart-api"}) {
		t.Errorf("ambiguity not reported: %+v", fr)
	}
	var a scenarioAnswer
	call(t, c, "incident_context", map[string]any{"service": "cart"}, &a)
	if !slices.ContainsFunc(a.Notes, func(n string) bool { return strings.Contains(n, `"Cart Service" matches several services`) }) {
		t.Errorf("incident_context on cart does not mention the ambiguity: %v", a.Notes)
	}
	var au struct {
		Findings []struct{ Kind, Service string } `json:"findings"`
	}
	call(t, c, "boundary_audit", map[string]any{}, &au)
	if !slices.ContainsFunc(au.Findings, func(f struct{ Kind, Service string }) bool {
		return f.Kind == "ambiguous_record" && f.Service == "Cart Service"
	}) {
		t.Errorf("audit lacks the ambiguous record: %+v", au.Findings)
	}
}

// 5. Drift: telemetry sees checkout call fraud-check, which no catalog declares; the catalog
// declares checkout -> inventory, which telemetry never saw.
func TestScenarioDrift(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	var au struct {
		Findings []struct{ Kind, Service, Target string } `json:"findings"`
	}
	call(t, c, "boundary_audit", map[string]any{"service": "checkout"}, &au)
	has := func(kind, from, to string) bool {
		return slices.ContainsFunc(au.Findings, func(f struct{ Kind, Service, Target string }) bool {
			return f.Kind == kind && f.Service == from && f.Target == to
		})
	}
	if !has("telemetry_only_edge", "checkout", "fraud-check") || !has("catalog_only_edge", "checkout", "inventory") {
		t.Errorf("drift not found: %+v", au.Findings)
	}
	if !has("uncontracted_edge", "checkout", "orders-db") || has("uncontracted_edge", "checkout", "payments") {
		t.Errorf("contracts: checkout -> payments has one (payments-api), checkout -> orders-db has none: %+v", au.Findings)
	}
	var br struct {
		Downstream []struct {
			Service      string `json:"service"`
			CrossesTeams bool   `json:"crosses_teams"`
		} `json:"downstream"`
		Teams []string `json:"teams"`
	}
	call(t, c, "blast_radius", map[string]any{"service": "orders-db"}, &br)
	if !slices.ContainsFunc(br.Downstream, func(n struct {
		Service      string `json:"service"`
		CrossesTeams bool   `json:"crosses_teams"`
	}) bool {
		return n.Service == "checkout" && n.CrossesTeams
	}) || !slices.Contains(br.Teams, "team-checkout") {
		t.Errorf("blast radius of orders-db: %+v", br)
	}
}

// 6. A ServiceNow incident number resolves, and the CMDB's owner is shown beside the catalog's.
func TestScenarioServiceNowIncident(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	var a scenarioAnswer
	call(t, c, "incident_context", map[string]any{"incident": demo.SNIncident}, &a)
	if a.Service.Name != demo.Checkout || !slices.ContainsFunc(a.Notes, func(n string) bool { return strings.Contains(n, "Checkout Support") }) {
		t.Errorf("incident %s: %+v", demo.SNIncident, a)
	}
}

// 7. A consumer fails and its dependency is healthy: cart's own 5xx alert fires; session-cache,
// which cart uses, is fine. The dependency's answer says it is fine and shows cart's alert
// only as its consumer's; the consumer's answer shows its dependency healthy and names no
// other team as the cause.
func TestScenarioConsumerFails(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0, ConsumerFails: true})
	var dep, cons scenarioAnswer
	var depRaw, consRaw struct {
		AlertGroups []struct {
			Service  string `json:"service"`
			Relation string `json:"relation"`
		} `json:"alert_groups"`
		Dependencies struct {
			Upstream, Downstream []struct{ Service, Health string }
		} `json:"dependencies"`
		Fixers   []any `json:"fixers"`
		Runbooks []struct{ Title, URL string }
	}
	depMD := callBoth(t, c, "incident_context", map[string]any{"service": demo.SessionCache}, &dep)
	callBoth(t, c, "incident_context", map[string]any{"service": demo.SessionCache}, &depRaw)
	if !strings.HasPrefix(dep.Headline, "Session cache: no open problems, alerts or incidents reported; consumer cart: 1 alert group(s) firing, worst \"Cart 5xx rate above 5%\"") {
		t.Errorf("session-cache headline: %s", dep.Headline)
	}
	for _, g := range depRaw.AlertGroups {
		if g.Service != demo.Cart || g.Relation != "consumer" {
			t.Errorf("session-cache alert group %+v", g)
		}
	}
	if len(depRaw.Dependencies.Downstream) != 1 || depRaw.Dependencies.Downstream[0].Health != "degraded" || len(depRaw.Fixers) != 0 {
		t.Errorf("session-cache neighbours %+v, fixers %v", depRaw.Dependencies, depRaw.Fixers)
	}
	for _, r := range depRaw.Runbooks {
		if strings.Contains(r.URL, "/cart") && !strings.Contains(r.Title, "consumer cart") {
			t.Errorf("cart's runbook as session-cache's own: %+v", r)
		}
	}
	if !strings.Contains(depMD, "critical on consumer cart: \"Cart 5xx rate above 5%\"") {
		t.Errorf("session-cache markdown:\n%s", depMD)
	}

	consMD := callBoth(t, c, "incident_context", map[string]any{"service": demo.Cart}, &cons)
	callBoth(t, c, "incident_context", map[string]any{"service": demo.Cart}, &consRaw)
	if !strings.HasPrefix(cons.Headline, "Cart: 1 alert group(s) firing, worst \"Cart 5xx rate above 5%\" (critical)") {
		t.Errorf("cart headline: %s", cons.Headline)
	}
	own := 0
	for _, g := range consRaw.AlertGroups {
		switch {
		case g.Service == demo.Cart && g.Relation == "":
			own++
		case g.Service != demo.Checkout || g.Relation != "consumer": // checkout, the story's other trouble, uses cart
			t.Errorf("cart alert group %+v", g)
		}
	}
	if own != 1 || len(consRaw.Fixers) != 0 {
		t.Errorf("cart groups %+v, fixers %v", consRaw.AlertGroups, consRaw.Fixers)
	}
	if len(consRaw.Dependencies.Upstream) != 1 || consRaw.Dependencies.Upstream[0].Service != demo.SessionCache || consRaw.Dependencies.Upstream[0].Health != "ok" {
		t.Errorf("cart depends on session-cache, which is healthy: %+v", consRaw.Dependencies.Upstream)
	}
	if !strings.Contains(consMD, "- depends on session-cache (ok") {
		t.Errorf("cart markdown:\n%s", consMD)
	}
}
