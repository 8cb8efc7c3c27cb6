package demo_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/fake"
	amfake "github.com/opsctx/opsctx/internal/fake/alertmanager"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
	"github.com/opsctx/opsctx/internal/testkit/outputcheck"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
	"github.com/opsctx/opsctx/tools"
)

// The demo shop run across several instances of three sources:
//   - five Alertmanagers, one per cluster: the checkout alerts fire in eu-west-1,
//     eu-central-1 and us-east-1 (each cluster's Prometheus adds its cluster label, so the
//     fingerprints differ), ap-south-1 is quiet and sa-east-1 is down;
//   - two Dynatrace tenants: prod (the demo's, linked from the catalog by entity id) and
//     preprod, which has its own service named checkout-service with an open problem;
//   - two PagerDuty accounts: us (checkout, its incident and on-call) and eu (payments, its
//     on-call and its feature-flag change event).
const (
	preprodCheckout = "SERVICE-A1A1A1A1A1A1A1A1"
	preprodProblem  = "P-9001"
)

var clusters = []string{"eu-west-1", "eu-central-1", "us-east-1", "ap-south-1", "sa-east-1"}

// instancesClient starts the scenario with every instance and returns an MCP client of the
// production server wired to them.
func instancesClient(t *testing.T) *client.Client {
	t.Helper()
	var (
		am []amfake.Alert
		dt dtfake.Data
		eu pdfake.Data
	)
	sc := demo.Scenario{T0: time.Now().UTC().Truncate(time.Second), Edit: func(source string, data any) {
		switch source {
		case config.SourceAlertmanager:
			if alerts, ok := data.(*[]amfake.Alert); ok { // (its silences come as *[]amfake.Silence)
				am = slices.Clone(*alerts)
				*alerts = inCluster(am, clusters[0])
			}
		case config.SourceDynatrace:
			dt = *data.(*dtfake.Data)
		case config.SourcePagerDuty:
			eu = splitPagerDuty(data.(*pdfake.Data))
		}
	}}
	env, err := demo.StartScenario(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	cfg := env.Config
	extra := map[string][]*fake.Server{} // the instances beside the demo's, by vendor
	start := func(vendor string, srv *fake.Server) string {
		t.Cleanup(srv.Close)
		extra[vendor] = append(extra[vendor], srv)
		return srv.URL
	}

	cfg.Sources.Alertmanager[0].Name = clusters[0]
	for i, name := range clusters[1:] {
		var alerts []amfake.Alert
		if i < 2 { // eu-central-1 and us-east-1 fire too; ap-south-1 is quiet
			alerts = inCluster(am, name)
		}
		srv := amfake.Start(amfake.Options{GroupBy: []string{"alertname", "service"}}, alerts, nil)
		url := start(config.SourceAlertmanager, srv.Server)
		if name == "sa-east-1" {
			srv.Refuse()
		}
		cfg.Sources.Alertmanager = append(cfg.Sources.Alertmanager, &config.Alertmanager{Name: name, URL: url, Labels: cfg.Sources.Alertmanager[0].Labels})
	}

	cfg.Sources.Dynatrace[0].Name = "prod"
	pre := dtfake.Start(dtfake.Options{Token: "dt0c01.PREPROD"}, preprodData(dt, sc))
	start(config.SourceDynatrace, pre.Server)
	cfg.Sources.Dynatrace = append(cfg.Sources.Dynatrace, &config.Dynatrace{Name: "preprod", URL: pre.EnvURL(), Token: "dt0c01.PREPROD"})

	cfg.Sources.PagerDuty[0].Name = "us"
	cfg.Sources.PagerDuty = append(cfg.Sources.PagerDuty, &config.PagerDuty{Name: "eu", URL: start(config.SourcePagerDuty, pdfake.Start(eu, "pd-eu-token")), Token: "pd-eu-token"})
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { // every instance's requests are in its vendor's API reference
		for name, srv := range env.Servers {
			reqcontract.Check(t, name, srv.Requests())
		}
		for vendor, srvs := range extra {
			for _, srv := range srvs {
				reqcontract.Check(t, vendor, srv.Requests())
			}
		}
	})
	eng := app.Engine(cfg, app.Options{CatalogFS: env.CatalogFS, Now: func() time.Time { return sc.T0 }})
	return serve(t, tools.NewServer(tools.Deps{Engine: eng}, "test"))
}

// inCluster is the alerts as a cluster's Prometheus sends them: with its cluster label.
func inCluster(alerts []amfake.Alert, cluster string) []amfake.Alert {
	out := slices.Clone(alerts)
	for i := range out {
		out[i].Labels = maps.Clone(out[i].Labels)
		out[i].Labels["cluster"] = cluster
	}
	return out
}

// splitPagerDuty moves payments (its service, escalation policy, on-call and change events)
// from the demo's account, which becomes the US one, to an EU account, and returns that.
func splitPagerDuty(us *pdfake.Data) pdfake.Data {
	eu := pdfake.Data{Now: us.Now, Users: us.Users, WebURL: "https://shop-eu.eu.pagerduty.com"}
	var policy string
	us.Services = slices.DeleteFunc(us.Services, func(s pdfake.Service) bool {
		if s.ID == demo.PDPayments {
			eu.Services, policy = append(eu.Services, s), s.EscalationPolicy.ID
			return true
		}
		return false
	})
	us.Policies = slices.DeleteFunc(us.Policies, func(p pdfake.EscalationPolicy) bool {
		if p.ID == policy {
			eu.Policies = append(eu.Policies, p)
			return true
		}
		return false
	})
	us.OnCalls = slices.DeleteFunc(us.OnCalls, func(o pdfake.OnCall) bool {
		if o.EscalationPolicy.ID == policy {
			eu.OnCalls = append(eu.OnCalls, o)
			return true
		}
		return false
	})
	us.ChangeEvents = slices.DeleteFunc(us.ChangeEvents, func(c pdfake.ChangeEvent) bool {
		if slices.ContainsFunc(c.Services, func(r pdfake.Ref) bool { return r.ID == demo.PDPayments }) {
			eu.ChangeEvents = append(eu.ChangeEvents, c)
			return true
		}
		return false
	})
	us.Relationships = slices.DeleteFunc(us.Relationships, func(r pdfake.Relationship) bool {
		return r.SupportingService.ID == demo.PDPayments || r.DependentService.ID == demo.PDPayments
	})
	us.Related = nil // the change event is in the other account now
	return eu
}

// preprodData is a pre-production tenant with its own checkout-service (same name as
// prod's, another entity) and an open problem on it.
func preprodData(prod dtfake.Data, sc demo.Scenario) dtfake.Data {
	svc := dtfake.Stub(preprodCheckout, "SERVICE", "checkout-service")
	var ent dtfake.Entity
	for _, e := range prod.Entities {
		if e.EntityID == demo.DTCheckout {
			ent = e
		}
	}
	ent.EntityID, ent.FromRelationships, ent.ToRelationships = preprodCheckout, nil, nil
	p := prod.Problems[0]
	p.ProblemID, p.DisplayID, p.Title = "-1111111111111111111_1732600000000V2", preprodProblem, "Failure rate increase"
	p.StartTime, p.RootCauseEntity = sc.At(10*time.Minute).UnixMilli(), &svc
	p.ImpactedEntities, p.AffectedEntities = []dtfake.EntityStub{svc}, []dtfake.EntityStub{svc}
	p.EvidenceDetails, p.ImpactAnalysis = nil, nil
	return dtfake.Data{Entities: []dtfake.Entity{ent}, Problems: []dtfake.Problem{p}}
}

// callBoth returns a tool's structured result decoded into out, and its markdown text.
func callBoth(t *testing.T, c *client.Client, tool string, args map[string]any, out any) string {
	t.Helper()
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = tool, args
	res, err := c.CallTool(context.Background(), req)
	if err != nil || res.IsError {
		t.Fatalf("%s %v: %v %v", tool, args, err, res)
	}
	if err := outputcheck.Check(context.Background(), c, tool, res.StructuredContent); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatal(err)
	}
	return res.Content[0].(mcp.TextContent).Text
}

type sourceEntry struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Error  string `json:"error"`
}

type instancesAnswer struct {
	Headline    string `json:"headline"`
	AlertGroups []struct {
		Alerts []struct {
			Title  string `json:"title"`
			Source string `json:"source"`
		} `json:"alerts"`
		Sources []string `json:"sources"`
		Spread  []struct {
			Kind    string   `json:"kind"`
			In      []string `json:"in"`
			Of      int      `json:"of"`
			Unknown []string `json:"unknown"`
		} `json:"spread"`
	} `json:"alert_groups"`
	Problems []struct {
		ID     string `json:"id"`
		Source string `json:"source"`
	} `json:"problems"`
	Changes []struct {
		Title  string `json:"title"`
		Source string `json:"source"`
	} `json:"changes"`
	OnCall []struct {
		Name    string   `json:"name"`
		Sources []string `json:"sources"`
	} `json:"oncall"`
	Notes        []string      `json:"notes"`
	Sources      []sourceEntry `json:"sources"`
	Dependencies struct {
		Upstream []struct {
			Service string `json:"service"`
			Health  string `json:"health"`
		} `json:"upstream"`
	} `json:"dependencies"`
}

// health returns the health of each upstream dependency.
func (a instancesAnswer) health() map[string]string {
	out := map[string]string{}
	for _, d := range a.Dependencies.Upstream {
		out[d.Service] = d.Health
	}
	return out
}

func (a instancesAnswer) status(name string) sourceEntry {
	for _, s := range a.Sources {
		if s.Name == name {
			return s
		}
	}
	return sourceEntry{Status: "absent"}
}

// TestSameAlertInThreeOfFiveClusters: the checkout latency alert firing in three of five
// Alertmanagers is one group that says "3 of 5" and which, with the failed cluster unknown
// (its own entry in sources errors) and the quiet one counted; the others answer. Both
// channels say so.
func TestSameAlertInThreeOfFiveClusters(t *testing.T) {
	c := instancesClient(t)
	var a instancesAnswer
	text := callBoth(t, c, "incident_context", map[string]any{"service": demo.Checkout, "detail": "full"}, &a)

	var latency int = -1
	for i, g := range a.AlertGroups {
		if g.Alerts[0].Title == "Checkout p95 latency above 2s" || slices.ContainsFunc(g.Alerts, func(r struct {
			Title  string `json:"title"`
			Source string `json:"source"`
		}) bool {
			return r.Title == "Checkout p95 latency above 2s"
		}) {
			if latency >= 0 {
				t.Fatalf("the same alert is two groups: %+v", a.AlertGroups)
			}
			latency = i
		}
	}
	if latency < 0 {
		t.Fatalf("no latency group: %+v", a.AlertGroups)
	}
	g := a.AlertGroups[latency]
	want := []string{"alertmanager/eu-west-1", "alertmanager/eu-central-1", "alertmanager/us-east-1"}
	var am []string
	for _, r := range g.Alerts {
		if strings.HasPrefix(r.Source, "alertmanager") {
			am = append(am, r.Source)
		}
	}
	if !slices.Equal(am, want) {
		t.Errorf("the group's alerts come from %v, want one from each of %v", am, want)
	}
	if len(g.Spread) != 1 || g.Spread[0].Kind != "alertmanager" || g.Spread[0].Of != 5 || !slices.Equal(g.Spread[0].In, want) ||
		!slices.Equal(g.Spread[0].Unknown, []string{"alertmanager/sa-east-1"}) {
		t.Errorf("spread %+v", g.Spread)
	}
	where := "in 3 of 5 alertmanager instances (eu-west-1, eu-central-1, us-east-1; unknown in sa-east-1, which failed)"
	if !strings.Contains(a.Headline, where) {
		t.Errorf("the headline does not say where: %s", a.Headline)
	}
	if !strings.Contains(text, where) {
		t.Errorf("the markdown does not say where:\n%s", text)
	}
	if s := a.status("alertmanager/sa-east-1"); s.Status != "error" || !strings.Contains(s.Error, "refused") {
		t.Errorf("the failed cluster's entry: %+v", s)
	}
	for _, n := range []string{"eu-west-1", "eu-central-1", "us-east-1", "ap-south-1"} {
		if s := a.status("alertmanager/" + n); s.Status != "ok" {
			t.Errorf("alertmanager/%s: %+v", n, s)
		}
	}
	if !strings.Contains(text, "alertmanager/sa-east-1 error") || !strings.Contains(text, "alertmanager/ap-south-1 ok") {
		t.Errorf("the markdown's sources do not name each cluster:\n%s", text)
	}

	// A dependency nothing names is unknown while a cluster's alerts are (never "ok"); one that
	// alerts or fails is still said so.
	if h := a.health(); h["payments"] != "unknown" || h["orders-db"] != "failing" {
		t.Errorf("upstream health with a cluster down: %v", h)
	}
	if !strings.Contains(text, "depends on payments (unknown") {
		t.Errorf("markdown dependencies:\n%s", text)
	}

	// A quiet service is quiet where the clusters answered: unknown in the failed one, not "no alerts".
	var quiet instancesAnswer
	text = callBoth(t, c, "incident_context", map[string]any{"service": demo.Payments}, &quiet)
	const unknown = "unknown where a source failed"
	if !strings.Contains(quiet.Headline, unknown) || !strings.Contains(quiet.Headline, "alertmanager/sa-east-1") ||
		!strings.Contains(text, unknown) {
		t.Errorf("payments with a cluster down: %s\n%s", quiet.Headline, text)
	}
}

// TestTenantsAndAccounts: the preprod tenant's same-named service is not merged into the
// catalog's checkout (its problem is not checkout's, it is listed as preprod's own), the
// answer notes why; EU and US PagerDuty each answer for their own services, and a change
// in the EU account shows on the US-paged checkout's dependency, each item naming its
// account.
func TestTenantsAndAccounts(t *testing.T) {
	c := instancesClient(t)
	var a instancesAnswer
	text := callBoth(t, c, "incident_context", map[string]any{"service": demo.Checkout, "detail": "full"}, &a)
	for _, p := range a.Problems {
		if p.ID == preprodProblem || p.Source != "dynatrace/prod" {
			t.Errorf("problem %+v is not prod's", p)
		}
	}
	if len(a.Problems) == 0 || strings.Contains(text, preprodProblem) {
		t.Errorf("checkout's problems: %+v", a.Problems)
	}
	if !slices.ContainsFunc(a.Notes, func(n string) bool {
		return strings.Contains(n, `dynatrace/preprod record "checkout-service"`) && strings.Contains(n, "not merged")
	}) {
		t.Errorf("no note on preprod's checkout-service: %v", a.Notes)
	}
	if len(a.OnCall) == 0 || a.OnCall[0].Name != demo.Sam || !slices.Contains(a.OnCall[0].Sources, "pagerduty/us") || slices.Contains(a.OnCall[0].Sources, "pagerduty/eu") {
		t.Errorf("checkout's on-call: %+v", a.OnCall)
	}
	if !slices.ContainsFunc(a.Changes, func(ch struct {
		Title  string `json:"title"`
		Source string `json:"source"`
	}) bool {
		return strings.Contains(ch.Title, "3DS2") && ch.Source == "pagerduty/eu"
	}) {
		t.Errorf("the EU account's change on payments is missing: %+v", a.Changes)
	}
	if !strings.Contains(text, "[pagerduty/eu]") || !strings.Contains(text, "pagerduty/us") {
		t.Errorf("the markdown does not name the accounts:\n%s", text)
	}

	var who struct {
		OnCall []struct {
			Name    string   `json:"name"`
			Sources []string `json:"sources"`
		} `json:"oncall"`
		Sources []sourceEntry `json:"sources"`
	}
	text = callBoth(t, c, "who_owns", map[string]any{"service": demo.Payments}, &who)
	if len(who.OnCall) == 0 || who.OnCall[0].Name != demo.Marco || !slices.Equal(who.OnCall[0].Sources, []string{"pagerduty/eu"}) {
		t.Errorf("payments' on-call: %+v", who.OnCall)
	}
	if !strings.Contains(text, demo.Marco) || !strings.Contains(text, "pagerduty/eu") {
		t.Errorf("who_owns markdown:\n%s", text)
	}

	var issues struct {
		Groups []struct {
			RootCause string `json:"root_cause"`
			Service   string `json:"service"`
			Problems  []struct {
				ID     string `json:"id"`
				Source string `json:"source"`
			} `json:"problems"`
		} `json:"groups"`
	}
	text = callBoth(t, c, "active_issues", map[string]any{}, &issues)
	found := false
	for _, g := range issues.Groups {
		for _, p := range g.Problems {
			if p.ID == preprodProblem {
				found = true
				if g.RootCause != "dynatrace/preprod:checkout-service" || p.Source != "dynatrace/preprod" {
					t.Errorf("preprod's problem is filed as %q from %s", g.RootCause, p.Source)
				}
			}
		}
	}
	if !found || !strings.Contains(text, "dynatrace/preprod:checkout-service") {
		t.Errorf("preprod's problem missing from active_issues: %+v\n%s", issues.Groups, text)
	}
}

// TestEnvironmentNarrows: environment asks only the instances it names (the others are
// skipped, and say why), leaves kinds it names no instance of alone, and rejects a name
// that matches no instance, listing them.
func TestEnvironmentNarrows(t *testing.T) {
	c := instancesClient(t)
	var a instancesAnswer
	text := callBoth(t, c, "incident_context", map[string]any{"service": demo.Checkout, "environment": "eu-west-1"}, &a)
	for _, g := range a.AlertGroups {
		for _, r := range g.Alerts {
			if strings.HasPrefix(r.Source, "alertmanager/") && r.Source != "alertmanager/eu-west-1" {
				t.Errorf("alert from %s outside the environment", r.Source)
			}
		}
		if len(g.Spread) > 0 {
			t.Errorf("one alertmanager asked, yet a spread: %+v", g.Spread)
		}
	}
	if s := a.status("alertmanager/us-east-1"); s.Status != "skipped" || !strings.Contains(s.Error, "eu-west-1") {
		t.Errorf("alertmanager/us-east-1: %+v", s)
	}
	if s := a.status("dynatrace/preprod"); s.Status == "skipped" {
		t.Errorf("a kind with no instance in the environment was narrowed: %+v", s)
	}
	if h := a.health(); h["payments"] != "ok" { // the failed cluster is outside the environment
		t.Errorf("upstream health within eu-west-1: %v", h)
	}
	if !strings.Contains(text, "alertmanager/sa-east-1 skipped (not in environment eu-west-1)") {
		t.Errorf("markdown sources:\n%s", text)
	}

	var b instancesAnswer
	callBoth(t, c, "incident_context", map[string]any{"service": demo.Checkout, "environment": []string{"prod", "alertmanager/us-east-1"}}, &b)
	if s := b.status("alertmanager/eu-west-1"); s.Status != "skipped" {
		t.Errorf("alertmanager/eu-west-1: %+v", s)
	}
	if s := b.status("alertmanager/us-east-1"); s.Status != "ok" {
		t.Errorf("alertmanager/us-east-1: %+v", s)
	}

	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = "active_issues", map[string]any{"environment": "eu-west-9"}
	res, err := c.CallTool(context.Background(), req)
	if err != nil || !res.IsError || !strings.Contains(res.Content[0].(mcp.TextContent).Text, `unknown environment "eu-west-9"`) ||
		!strings.Contains(res.Content[0].(mcp.TextContent).Text, `"eu-west-1"`) {
		t.Errorf("unknown environment: %v %+v", err, res)
	}
}
