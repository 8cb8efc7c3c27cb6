package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/fake"
	amfake "github.com/opsctx/opsctx/internal/fake/alertmanager"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
	promfake "github.com/opsctx/opsctx/internal/fake/prometheus"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/tools"
)

// seamEnv is a demo scenario behind the production MCP server, with a clock the test moves.
type seamEnv struct {
	c      *client.Client
	srv    *server.MCPServer
	env    *demo.Env
	offset *atomic.Int64
}

func startSeam(t *testing.T, sc demo.Scenario, cfg func(*config.Config)) seamEnv {
	t.Helper()
	env, err := demo.StartScenario(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	if cfg != nil {
		cfg(env.Config)
	}
	var offset atomic.Int64
	now := func() time.Time { return sc.T0.Add(time.Duration(offset.Load())) }
	eng := app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Now: now})
	srv := tools.NewServer(tools.Deps{Engine: eng}, "test")
	return seamEnv{c: serve(t, srv), srv: srv, env: env, offset: &offset}
}

// serve returns an initialised in-process MCP client of srv.
func serve(t *testing.T, srv *server.MCPServer) *client.Client {
	t.Helper()
	c, err := client.NewInProcessClient(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var ir mcp.InitializeRequest
	ir.Params.ClientInfo = mcp.Implementation{Name: "demo-test", Version: "0"}
	if _, err := c.Initialize(context.Background(), ir); err != nil {
		t.Fatal(err)
	}
	return c
}

// answerOf is one tool answer in both channels: the structured result as generic JSON and
// the markdown.
type answerOf struct {
	s   any
	raw []byte // the structured result as JSON (for wire order, see wire)
	md  string
}

func ask(t *testing.T, c *client.Client, tool string, args map[string]any) answerOf {
	t.Helper()
	var a answerOf
	a.md = callBoth(t, c, tool, args, &a.s)
	a.raw, _ = json.Marshal(a.s)
	return a
}

// jget walks a JSON value by a dotted path; a number is a list index, "*" collects every
// element's value of the rest of the path ("alert_groups.*.service").
func jget(v any, path string) any {
	if path == "" {
		return v
	}
	head, rest, _ := strings.Cut(path, ".")
	switch x := v.(type) {
	case map[string]any:
		return jget(x[head], rest)
	case []any:
		if head == "*" {
			out := []any{}
			for _, e := range x {
				r := jget(e, rest)
				if rs, ok := r.([]any); ok && strings.Contains(rest, "*") {
					out = append(out, rs...)
				} else if r != nil {
					out = append(out, r)
				}
			}
			return out
		}
		if i, err := strconv.Atoi(head); err == nil && i < len(x) {
			return jget(x[i], rest)
		}
	}
	return nil
}

// text, list and obj are a JSON value as a string, list or object (empty when it is not one).
func text(v any) string {
	s, _ := v.(string)
	return s
}

func list(v any) []any {
	xs, _ := v.([]any)
	return xs
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// where returns the elements of the list at path whose field equals value.
func where(v any, path, field string, value any) []any {
	var out []any
	xs := list(jget(v, path))
	for _, x := range xs {
		if fmt.Sprint(jget(x, field)) == fmt.Sprint(value) {
			out = append(out, x)
		}
	}
	return out
}

// section returns the markdown section whose heading starts with name ("" when absent).
func mdSection(md, name string) string {
	i := strings.Index(md, "## "+name)
	if i < 0 {
		return ""
	}
	rest := md[i:]
	if j := strings.Index(rest[3:], "\n## "); j >= 0 {
		return rest[:j+3]
	}
	return rest
}

// seam is one place two systems meet, told as a scenario, a question and what both
// channels of the answer must say.
type seam struct {
	item  string // the item
	name  string
	sc    func(t0 time.Time) demo.Scenario
	cfg   func(c *config.Config)        // before the engine starts
	prep  func(t *testing.T, e seamEnv) // before the question (faults, a first answer)
	tool  string
	args  map[string]any
	check func(t *testing.T, a answerOf, e seamEnv)
}

func alertNamed(as []amfake.Alert, name string) int {
	for i, a := range as {
		if a.Labels["alertname"] == name {
			return i
		}
	}
	return -1
}

// silenceSearch silences the loud search alert in Alertmanager (Prometheus still says firing).
func silenceSearch(t0 time.Time) demo.Scenario {
	return demo.Scenario{T0: t0, Edit: func(_ string, data any) {
		if sil, ok := data.(*[]amfake.Silence); ok {
			*sil = append(*sil, amfake.Silence{Matchers: []amfake.Matcher{{Name: "alertname", Value: "SearchIndexLagHigh"}},
				StartsAt: t0.Add(-time.Hour), EndsAt: t0.Add(2 * time.Hour), CreatedBy: "Mei Chen", Comment: "reindex running, ignore lag"})
		}
	}}
}

// inhibitOrdersDB has Alertmanager inhibit the orders-db alert by the checkout latency alert.
func inhibitOrdersDB(t0 time.Time) demo.Scenario {
	return demo.Scenario{T0: t0, Edit: func(_ string, data any) {
		if as, ok := data.(*[]amfake.Alert); ok {
			src := (*as)[alertNamed(*as, "CheckoutHighLatency")]
			(*as)[alertNamed(*as, "OrdersDBSlowQueries")].InhibitedBy = []string{amfake.Fingerprint(src.Labels)}
		}
	}}
}

// slothAlert adds the page alert Sloth generates for the checkout SLO: it carries
// sloth_service and sloth_slo, not service.
func slothAlert(t0 time.Time) demo.Scenario {
	labels := map[string]string{"alertname": "CheckoutAvailabilityBurn", "sloth_id": "checkout-availability", "sloth_service": demo.Checkout,
		"sloth_slo": "availability", "sloth_severity": "page", "severity": "critical"}
	ann := map[string]string{"summary": "High error budget burn for checkout-availability", "title": "(page) checkout availability burning"}
	return demo.Scenario{T0: t0, Edit: func(source string, data any) {
		switch d := data.(type) {
		case *[]amfake.Alert:
			*d = append(*d, amfake.Alert{Labels: labels, Annotations: ann, StartsAt: t0.Add(-10 * time.Minute)})
		case *promfake.Data:
			d.Groups = append(d.Groups, promfake.Group{Name: "sloth-slo-alerts-checkout-availability", File: "/etc/prometheus/rules/sloth.yml",
				Interval: 30 * time.Second, Rules: []promfake.Rule{{Name: "CheckoutAvailabilityBurn", Query: "(slo:sli_error:ratio_rate5m > 14.4 * 0.001)",
					Labels: map[string]string{"sloth_id": "checkout-availability", "sloth_service": demo.Checkout, "sloth_slo": "availability",
						"sloth_severity": "page", "severity": "critical"}, Annotations: ann,
					Alerts: []promfake.Alert{{Labels: labels, Annotations: ann, State: "firing", ActiveAt: t0.Add(-10 * time.Minute)}}}}})
		}
	}}
}

// pyrraAlert adds a Pyrra SLO for payments (generated over {job="payments"}, 99.5% over 30
// days, Pyrra's 30d windows) whose generated ErrorBudgetBurn alert fires in Prometheus and
// Alertmanager: it carries Pyrra's slo label and the selector's job, no service label.
func pyrraAlert(t0 time.Time) demo.Scenario {
	const slo = "payments-errors"
	labels := map[string]string{"alertname": "ErrorBudgetBurn", "slo": slo, "job": demo.Payments, "severity": "critical", "long": "1h4m", "short": "5m"}
	ann := map[string]string{"summary": "payments-errors is burning its error budget"}
	burn := map[string]float64{"5m": 0.1, "32m": 0.09, "1h4m": 0.08, "2h9m": 0.04, "6h26m": 0.02, "1d1h43m": 0.006, "4d6h51m": 0.002}
	return demo.Scenario{T0: t0, Edit: func(_ string, data any) {
		switch d := data.(type) {
		case *[]amfake.Alert:
			*d = append(*d, amfake.Alert{Labels: labels, Annotations: ann, StartsAt: t0.Add(-8 * time.Minute)})
		case *promfake.Data:
			var rules []promfake.Rule
			for w, v := range burn {
				ls := map[string]string{"slo": slo, "job": demo.Payments}
				rules = append(rules, promfake.Rule{Type: "recording", Name: "http_requests:burnrate" + w, Query: "sum(rate(...[" + w + "]))", Labels: ls})
				d.Series = append(d.Series, promfake.Sample{Labels: map[string]string{"__name__": "http_requests:burnrate" + w, "slo": slo, "job": demo.Payments}, Value: v})
			}
			rules = append(rules, promfake.Rule{Name: "ErrorBudgetBurn", Duration: 2 * time.Minute,
				Query:  `http_requests:burnrate5m{job="payments",slo="payments-errors"} > (14 * (1-0.995)) and http_requests:burnrate1h4m{job="payments",slo="payments-errors"} > (14 * (1-0.995))`,
				Labels: map[string]string{"slo": slo, "job": demo.Payments, "severity": "critical", "long": "1h4m", "short": "5m"}, Annotations: ann,
				Alerts: []promfake.Alert{{Labels: labels, Annotations: ann, State: "firing", ActiveAt: t0.Add(-10 * time.Minute)}}})
			d.Groups = append(d.Groups, promfake.Group{Name: slo, File: "/etc/prometheus/rules/pyrra.yml", Interval: 30 * time.Second, Rules: rules})
		}
	}}
}

// failingSLO has Prometheus fail every query of the search-latency SLO the way a real one
// does when a query is too heavy (422 execution).
func failingSLO(t0 time.Time) demo.Scenario {
	return demo.Scenario{T0: t0, Edit: func(_ string, data any) {
		if d, ok := data.(*promfake.Data); ok {
			for _, w := range []string{"5m", "30m", "1h", "6h", "3d", "30d"} {
				for _, q := range []string{failingSLOErrors, failingSLOTotal} {
					d.Answers[strings.ReplaceAll(q, config.WindowPlaceholder, w)] = promfake.Answer{Status: 422, ErrorType: "execution",
						Error: "query processing would load too many samples into memory in query execution"}
				}
			}
		}
	}}
}

const (
	failingSLOErrors = `sum(rate(search_requests_slow_total[$window]))`
	failingSLOTotal  = `sum(rate(search_requests_total[$window]))`
)

// declareFailingSLO declares the search-latency SLO beside search-availability.
func declareFailingSLO(c *config.Config) {
	c.SLOs = append(c.SLOs, config.SLO{Name: "search-latency", Service: demo.Search, Objective: 99, Window: config.DefaultSLOWindow,
		ErrorQuery: failingSLOErrors, TotalQuery: failingSLOTotal})
}

// cmdbLinks adds two services the way real CMDB integrations link them: ledger's CI carries
// the catalog name in correlation_id; fraud-screen's catalog entity names its CI with the
// Backstage ServiceNow plugins' servicenow.com/entity-id, by the CI's correlation value.
func cmdbLinks(t0 time.Time) demo.Scenario {
	return demo.Scenario{T0: t0, ExtraCatalog: `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ledger, title: Ledger}
spec: {type: service, lifecycle: production, owner: team-payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: fraud-screen
  annotations: {servicenow.com/entity-id: FRD-7731}
spec: {type: service, lifecycle: production, owner: team-payments}
`, Edit: func(_ string, data any) {
		if d, ok := data.(*snfake.Data); ok {
			d.Tables["cmdb_ci_service"] = append(d.Tables["cmdb_ci_service"],
				snfake.Record{"sys_id": snfake.SysID("ledger"), "name": "LDG-PROD general ledger", "correlation_id": "ledger",
					"operational_status": "1", "support_group": d.Tables["sys_user_group"][2]["sys_id"]},
				snfake.Record{"sys_id": snfake.SysID("fraud"), "name": "Fraud screening (EU)", "correlation_id": "FRD-7731",
					"operational_status": "1", "support_group": d.Tables["sys_user_group"][2]["sys_id"]})
		}
	}}
}

// lenaByEmail has PagerDuty know Lena Fischer only by her e-mail (a user without a name):
// the escalation and the headline must still name her as the other sources do.
func lenaByEmail(t0 time.Time) demo.Scenario {
	const lena = "PLENAF1"
	return demo.Scenario{T0: t0, Edit: func(_ string, data any) {
		if d, ok := data.(*pdfake.Data); ok {
			for i := range d.Users {
				if d.Users[i].ID == lena {
					d.Users[i].Name = demo.Email(demo.Lena)
				}
			}
			for i := range d.Policies {
				for j := range d.Policies[i].EscalationRules {
					for k, tg := range d.Policies[i].EscalationRules[j].Targets {
						if tg.ID == lena {
							d.Policies[i].EscalationRules[j].Targets[k].Summary = demo.Email(demo.Lena)
						}
					}
				}
			}
		}
	}}
}

// cartImpacted has the Dynatrace problem list cart among its impacted entities (cart fires
// no alert of its own).
func cartImpacted(t0 time.Time) demo.Scenario {
	return demo.Scenario{T0: t0, Edit: func(_ string, data any) {
		if d, ok := data.(*dtfake.Data); ok {
			d.Problems[0].ImpactedEntities = append(d.Problems[0].ImpactedEntities, dtfake.Stub(demo.DTCart, "SERVICE", "cart"))
		}
	}}
}

func plain(t0 time.Time) demo.Scenario { return demo.Scenario{T0: t0} }

func wantIn(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
}

func wantNotIn(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			t.Errorf("%s has %q:\n%s", what, sub, s)
		}
	}
}

var seams = []seam{
	{item: "1", name: "a silenced alert is listed apart with its silence, in no firing count", sc: silenceSearch,
		tool: "incident_context", args: map[string]any{"service": demo.Search},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			if n := len(where(a.s, "alert_groups", "state", "firing")); n != 0 {
				t.Errorf("firing groups %v", jget(a.s, "alert_groups"))
			}
			g := where(a.s, "suppressed_alert_groups", "state", "silenced")
			if len(g) != 1 || jget(g[0], "silences.0.created_by") != "Mei Chen" || jget(g[0], "silences.0.comment") != "reindex running, ignore lag" ||
				jget(g[0], "silences.0.ends_at") == nil || jget(g[0], "user_impact") != nil {
				t.Fatalf("suppressed %v", jget(a.s, "suppressed_alert_groups"))
			}
			h := text(jget(a.s, "headline"))
			wantIn(t, "headline", h, "no open problems, alerts or incidents", "silenced, not firing")
			wantNotIn(t, "headline", h, "group(s) firing")
			wantIn(t, "markdown", mdSection(a.md, "Silenced or inhibited"), "Search index lag above 10 minutes", "Mei Chen", "reindex running")
			wantNotIn(t, "markdown", mdSection(a.md, "Alerts firing"), "Search index lag")
		}},
	{item: "1", name: "active_issues counts no silenced group", sc: silenceSearch,
		tool: "active_issues", args: map[string]any{},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			if gs := where(a.s, "groups", "service", demo.Search); len(gs) != 0 {
				t.Errorf("search is an active issue: %v", gs)
			}
			if g := where(a.s, "suppressed_alert_groups", "service", demo.Search); len(g) != 1 || jget(g[0], "state") != "silenced" {
				t.Errorf("suppressed %v", jget(a.s, "suppressed_alert_groups"))
			}
			wantIn(t, "markdown", mdSection(a.md, "Silenced or inhibited"), "Search index lag", "Mei Chen")
			wantNotIn(t, "headline", text(jget(a.s, "headline")), "Search index lag")
		}},
	{item: "1", name: "an inhibited alert names what inhibits it", sc: inhibitOrdersDB,
		tool: "incident_context", args: map[string]any{"service": demo.OrdersDB},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			g := where(a.s, "suppressed_alert_groups", "state", "inhibited")
			if len(g) != 1 || !strings.Contains(fmt.Sprint(jget(g[0], "inhibited_by")), "Checkout p95 latency above 2s") {
				t.Fatalf("suppressed %v; firing %v", jget(a.s, "suppressed_alert_groups"), jget(a.s, "alert_groups"))
			}
			for _, g := range where(a.s, "alert_groups", "service", demo.OrdersDB) {
				t.Errorf("orders-db's inhibited alert still firing: %v", g)
			}
			wantIn(t, "markdown", mdSection(a.md, "Silenced or inhibited"), "orders-db queries slower", "inhibited by", "Checkout p95 latency above 2s")
		}},
	{item: "2", name: "one alert seen by Prometheus and Alertmanager counts once", sc: plain,
		tool: "incident_context", args: map[string]any{"service": demo.Search},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			g := where(a.s, "alert_groups", "service", demo.Search)
			if len(g) != 1 || jget(g[0], "count") != 1.0 || !strings.Contains(fmt.Sprint(jget(g[0], "sources")), "prometheus alertmanager") {
				t.Fatalf("groups %v", jget(a.s, "alert_groups"))
			}
			wantIn(t, "markdown", mdSection(a.md, "Alerts firing"), `"Search index lag above 10 minutes" ×1`)
		}},
	{item: "3", name: "a consumer's alerts and runbooks are its own, under its name", sc: plain,
		tool: "incident_context", args: map[string]any{"service": demo.Payments},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			for _, g := range list(jget(a.s, "alert_groups")) {
				if jget(g, "service") != demo.Payments && jget(g, "relation") == nil {
					t.Errorf("a neighbour's group without its relation: %v", g)
				}
				if jget(g, "service") == demo.Checkout && jget(g, "relation") != "consumer" {
					t.Errorf("checkout is payments' consumer: %v", g)
				}
			}
			if len(where(a.s, "alert_groups", "relation", "consumer")) == 0 {
				t.Errorf("checkout's alerts are missing: %v", jget(a.s, "alert_groups"))
			}
			h := text(jget(a.s, "headline"))
			wantIn(t, "headline", h, "Payments: no open problems, alerts or incidents reported", "consumer checkout")
			wantIn(t, "markdown", mdSection(a.md, "Alerts firing"), "on consumer checkout")
			for _, r := range list(jget(a.s, "runbooks")) {
				if strings.Contains(fmt.Sprint(jget(r, "url")), "/checkout") && !strings.Contains(fmt.Sprint(jget(r, "title")), "consumer checkout") {
					t.Errorf("checkout's runbook as payments' own: %v", r)
				}
			}
		}},
	{item: "3", name: "who_owns does not time escalation from a consumer's incident", sc: plain,
		tool: "who_owns", args: map[string]any{"service": demo.Payments},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			for _, s := range list(jget(a.s, "escalation")) {
				if jget(s, "fires_at") != nil && jget(s, "level") != 1.0 {
					t.Errorf("payments escalates from checkout's incident: %v", s)
				}
			}
			wantNotIn(t, "markdown", mdSection(a.md, "Escalation"), "Lena Fischer", "Sam Okafor")
		}},
	{item: "3", name: "active_issues tags a group with another service's SLO only saying whose", sc: plain,
		tool: "active_issues", args: map[string]any{},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			for _, g := range list(jget(a.s, "groups")) {
				impact, svc := text(jget(g, "user_impact")), text(jget(g, "service"))
				if strings.Contains(impact, "SLO") && !strings.Contains(impact, svc+" SLO") && !strings.HasPrefix(impact, "impacted ") {
					t.Errorf("group on %s carries another service's SLO without saying whose: %q", svc, impact)
				}
			}
			if g := where(a.s, "groups", "service", demo.OrdersDB); len(g) != 1 || !strings.HasPrefix(text(jget(g[0], "user_impact")), `impacted checkout: checkout SLO "checkout-availability"`) {
				t.Errorf("orders-db group %v", g)
			}
			if g := where(a.s, "groups", "service", demo.Search); len(g) != 1 || jget(g[0], "user_impact") != "no user impact measured" {
				t.Errorf("search group %v", g)
			}
			wantIn(t, "markdown", a.md, "User impact: impacted checkout: checkout SLO", "User impact: no user impact measured")
		}},
	{item: "4", name: "a Sloth alert without a service label belongs to its SLO's service", sc: slothAlert,
		tool: "incident_context", args: map[string]any{"service": demo.Checkout},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			var found bool
			for _, g := range list(jget(a.s, "alert_groups")) {
				if strings.Contains(fmt.Sprint(jget(g, "alerts")), "checkout-availability") {
					found = true
					if jget(g, "service") != demo.Checkout || jget(g, "count") != 1.0 {
						t.Errorf("sloth group %v", g)
					}
				}
			}
			if !found {
				t.Fatalf("no Sloth alert in %v", jget(a.s, "alert_groups"))
			}
			wantIn(t, "markdown", mdSection(a.md, "Alerts firing"), "High error budget burn for checkout-availability")
		}},
	{item: "4", name: "a Pyrra alert belongs to its SLO's service, with the SLO it burns", sc: pyrraAlert,
		tool: "incident_context", args: map[string]any{"service": demo.Payments},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			var found bool
			for _, g := range list(jget(a.s, "alert_groups")) {
				if strings.Contains(fmt.Sprint(jget(g, "alerts")), "payments-errors is burning") {
					found = true
					if jget(g, "service") != demo.Payments || jget(g, "relation") != nil || jget(g, "count") != 1.0 ||
						!strings.Contains(fmt.Sprint(jget(g, "sources")), "prometheus alertmanager") {
						t.Errorf("pyrra group %v", g)
					}
				}
			}
			if !found {
				t.Fatalf("no Pyrra alert in %v", jget(a.s, "alert_groups"))
			}
			if s := where(a.s, "slos", "name", "payments-errors"); len(s) != 1 || jget(s[0], "service") != demo.Payments || jget(s[0], "status") != "breaching" {
				t.Errorf("pyrra SLO %v", jget(a.s, "slos"))
			}
			wantIn(t, "markdown", mdSection(a.md, "Alerts firing"), `critical on payments: "payments-errors is burning its error budget" ×1`)
			wantIn(t, "markdown", mdSection(a.md, "User impact"), `"payments-errors" breaching`)
			wantNotIn(t, "headline", text(jget(a.s, "headline")), "Payments: no open problems, alerts or incidents")
		}},
	{item: "5", name: "a failed SLO query is null with its error, never 0", sc: failingSLO, cfg: declareFailingSLO,
		tool: "incident_context", args: map[string]any{"service": demo.Search},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			s := where(a.s, "slos", "name", "search-latency")
			if len(s) != 1 {
				t.Fatalf("slos %v", jget(a.s, "slos"))
			}
			m := s[0].(map[string]any)
			if v, ok := m["error_budget_remaining"]; !ok || v != nil || m["hours_to_exhaust"] != nil || !strings.Contains(fmt.Sprint(m["error"]), "too many samples") {
				t.Errorf("failed SLO %v", m)
			}
			line := lineWith(mdSection(a.md, "User impact"), "search-latency")
			wantIn(t, "markdown", line, "too many samples")
			wantNotIn(t, "markdown", line, "budget left 0%", "0.0x")
		}},
	{item: "6", name: "a stale source's figures say how old they are", sc: plain,
		prep: func(t *testing.T, e seamEnv) {
			ask(t, e.c, "incident_context", map[string]any{"service": demo.Checkout})
			e.env.Servers[config.SourcePrometheus].AddFault(fake.Fault{Status: 503, Body: "down"})
			e.offset.Store(int64(20 * time.Minute)) // past every TTL
		},
		tool: "incident_context", args: map[string]any{"service": demo.Checkout},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			st := where(a.s, "stale", "source", "prometheus")
			if len(st) != 1 || jget(st[0], "age_minutes") != 20.0 || !strings.Contains(fmt.Sprint(jget(st[0], "sections")), "slos") {
				t.Fatalf("stale %v", jget(a.s, "stale"))
			}
			wantIn(t, "headline", text(jget(a.s, "headline")), "(prometheus data from 20 min ago, a refresh failed)")
			wantIn(t, "markdown", a.md, "## User impact (SLOs) (stale: prometheus")
		}},
	{item: "7", name: "a CI whose correlation_id names the catalog entity is linked, and says so", sc: cmdbLinks,
		tool: "find_service", args: map[string]any{"query": "ledger"},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			r := where(jget(a.s, "candidates.0"), "records", "source", "servicenow")
			if jget(a.s, "candidates.0.name") != "ledger" || len(r) != 1 || jget(r[0], "name") != "LDG-PROD general ledger" ||
				!strings.Contains(fmt.Sprint(jget(r[0], "method")), "correlation_id") {
				t.Fatalf("candidates %v", jget(a.s, "candidates"))
			}
			wantIn(t, "markdown", a.md, `servicenow "LDG-PROD general ledger" via correlation_id`)
		}},
	{item: "7", name: "servicenow.com/entity-id names a CI by its correlation value", sc: cmdbLinks,
		tool: "who_owns", args: map[string]any{"service": "fraud-screen"},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			if len(where(a.s, "owners", "source", "servicenow")) != 1 {
				t.Fatalf("the CMDB's owner is missing: %v", jget(a.s, "owners"))
			}
			wantIn(t, "markdown", mdSection(a.md, "Owners"), "Payments Support [servicenow]")
		}},
	{item: "8", name: "one person, one name: an e-mail-only record is named as the others name her", sc: lenaByEmail,
		tool: "incident_context", args: map[string]any{"service": demo.Checkout},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			// Her e-mail is only ever an e-mail field, never how she is named.
			wantIn(t, "structured result", strings.ReplaceAll(string(a.raw), `"email":"`+demo.Email(demo.Lena), ""), demo.Lena)
			wantNotIn(t, "structured result", strings.ReplaceAll(string(a.raw), `"email":"`+demo.Email(demo.Lena), ""), demo.Email(demo.Lena))
			wantIn(t, "escalation", fmt.Sprint(jget(a.s, "escalation.*.targets")), demo.Lena)
			wantIn(t, "headline", text(jget(a.s, "headline")), "escalates to Lena Fischer (L2)")
			wantNotIn(t, "markdown", mdSection(a.md, "Escalation"), demo.Email(demo.Lena))
		}},
	{item: "9", name: "min_severity filters whole groups, never regroups", sc: plain,
		tool: "active_issues", args: map[string]any{"min_severity": "critical"},
		check: func(t *testing.T, a answerOf, e seamEnv) {
			all := ask(t, e.c, "active_issues", map[string]any{})
			var want []string
			for _, g := range list(jget(all.s, "groups")) {
				if jget(g, "severity") == "critical" {
					want = append(want, fmt.Sprint(jget(g, "key")))
				}
			}
			var got []string
			for _, g := range list(jget(a.s, "groups")) {
				got = append(got, fmt.Sprint(jget(g, "key")))
			}
			if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("critical groups %v, want %v (as in the unfiltered answer)", got, want)
			}
			for _, h := range regexp.MustCompile(`(?m)^## .*$`).FindAllString(a.md, -1) {
				if strings.Contains(h, "PERFORMANCE") || strings.Contains(h, "ERROR") {
					t.Errorf("header %q shows a vendor category", h)
				}
			}
		}},
	{item: "9", name: "boundary_audit knows Prometheus rules alert, and names each finding's service", sc: plain,
		tool: "boundary_audit", args: map[string]any{},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			for _, f := range where(a.s, "findings", "kind", "no_alerting") {
				if s := jget(f, "service"); s == demo.Search || s == demo.Checkout || s == demo.OrdersDB {
					t.Errorf("%v has Prometheus rules: %v", s, f)
				}
			}
			for _, f := range list(jget(a.s, "findings")) {
				if !strings.Contains(a.md, fmt.Sprint(jget(f, "service"))) {
					t.Errorf("markdown does not name %v", jget(f, "service"))
				}
			}
			for _, l := range strings.Split(a.md, "\n") {
				if strings.HasPrefix(l, "- ") && !strings.Contains(l, ":") {
					t.Errorf("finding line without its service: %q", l)
				}
			}
		}},
	{item: "11", name: "brief is brief in both channels", sc: plain,
		tool: "incident_context", args: map[string]any{"service": demo.Checkout, "detail": "brief"},
		check: func(t *testing.T, a answerOf, e seamEnv) {
			raw := a.raw
			if tok := (len(raw) + 3) / 4; tok > briefJSONTokens {
				t.Errorf("brief structuredContent %d tokens, budget %d", tok, briefJSONTokens)
			}
			if tok := (len(a.md) + 3) / 4; tok > bench.BriefTokenBudget {
				t.Errorf("brief markdown %d tokens, budget %d", tok, bench.BriefTokenBudget)
			}
			for _, l := range []string{"problems", "alert_groups", "incidents", "changes", "oncall", "slos", "owners", "runbooks"} {
				if xs := list(jget(a.s, l)); len(xs) > 3 {
					t.Errorf("brief %s has %d items", l, len(xs))
				}
			}
			for _, c := range list(jget(a.s, "changes")) { // the markdown shows what the structured result keeps
				wantIn(t, "markdown", a.md, fmt.Sprint(jget(c, "id")))
			}
			if sent := wire(t, e, "incident_context", map[string]any{"service": demo.Checkout, "detail": "brief"}); !strings.HasPrefix(sent, `{"headline":"User impact`) {
				t.Errorf("the structured result does not start with its headline: %.80s", sent)
			}
		}},
	{item: "11", name: "full gives more than standard, in both channels", sc: plain,
		tool: "incident_context", args: map[string]any{"service": demo.Checkout, "detail": "full"},
		check: func(t *testing.T, a answerOf, e seamEnv) {
			std := ask(t, e.c, "incident_context", map[string]any{"service": demo.Checkout, "detail": "standard"})
			if len(obj(jget(a.s, "slos.0.burn_rates"))) <= len(obj(jget(std.s, "slos.0.burn_rates"))) ||
				jget(a.s, "slos.0.sli") == nil || jget(std.s, "slos.0.sli") != nil {
				t.Errorf("full SLO %v; standard %v", jget(a.s, "slos.0"), jget(std.s, "slos.0"))
			}
			if jget(a.s, "alert_groups.0.alerts.0.description") == nil || jget(std.s, "alert_groups.0.alerts.0.description") != nil {
				t.Errorf("full alerts %v; standard %v", jget(a.s, "alert_groups.0.alerts"), jget(std.s, "alert_groups.0.alerts"))
			}
			// Each channel says what the other does: the burn windows of the structured result are in the markdown.
			for _, ans := range []answerOf{a, std} {
				for w := range obj(jget(ans.s, "slos.0.burn_rates")) {
					wantIn(t, "markdown", lineWith(ans.md, "checkout-availability\" breaching"), "burn "+w+" ")
				}
			}
			if len(a.md) <= len(std.md) {
				t.Errorf("full markdown (%d bytes) is no longer than standard (%d)", len(a.md), len(std.md))
			}
		}},
	{item: "13", name: "the cause's owner is named with its on-call, next to the service's own", sc: plain,
		tool: "incident_context", args: map[string]any{"service": demo.Checkout},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			f := where(a.s, "fixers", "service", demo.OrdersDB)
			if len(f) != 1 || jget(f[0], "team") != "team-platform" || jget(f[0], "relation") != "dependency" || jget(f[0], "oncall.0.name") != demo.Priya ||
				!strings.Contains(fmt.Sprint(jget(f[0], "why")), "root cause, dynatrace "+demo.DTDisplayID) || !strings.Contains(fmt.Sprint(jget(f[0], "why")), demo.SNChange) {
				t.Fatalf("fixers %v", jget(a.s, "fixers"))
			}
			wantIn(t, "headline", text(jget(a.s, "headline")), "on call: Sam Okafor (L1)", "primary contributor: orders-db", "orders-db on call: Priya Nair (L1, Platform team)")
			wantIn(t, "markdown", mdSection(a.md, "Who can act on the cause"), "dependency orders-db", "owner Platform team", "L1 Priya Nair [servicenow]")
		}},
	{item: "13", name: "a neighbour the problem impacts is not shown healthy", sc: cartImpacted,
		tool: "incident_context", args: map[string]any{"service": demo.Checkout},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			if c := where(a.s, "dependencies.upstream", "service", demo.Cart); len(c) != 1 || jget(c[0], "health") != "degraded" {
				t.Errorf("cart %v", c)
			}
			wantIn(t, "markdown", mdSection(a.md, "Dependencies"), "depends on cart (degraded")
		}},
	{item: "13", name: "no fixer when the cause is the team's own", sc: plain,
		tool: "incident_context", args: map[string]any{"service": demo.Payments},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			if fs := list(jget(a.s, "fixers")); len(fs) != 0 {
				t.Errorf("fixers %v", fs)
			}
			wantNotIn(t, "markdown", a.md, "Who can act on the cause")
		}},
	{item: "14", name: "every severity on one scale, the vendor's word kept", sc: plain,
		tool: "incident_context", args: map[string]any{"service": demo.Checkout, "detail": "full"},
		check: func(t *testing.T, a answerOf, _ seamEnv) {
			scale := map[string]bool{"critical": true, "high": true, "warning": true, "info": true}
			for _, path := range []string{"alert_groups", "problems", "incidents"} {
				for _, x := range list(jget(a.s, path)) {
					if !scale[fmt.Sprint(jget(x, "severity"))] {
						t.Errorf("%s severity %v is not on the scale", path, jget(x, "severity"))
					}
				}
			}
			if v := where(a.s, "problems", "id", demo.DTDisplayID); len(v) != 1 || jget(v[0], "vendor_severity") != "PERFORMANCE" {
				t.Errorf("problem %v", v)
			}
			wantIn(t, "markdown", a.md, "warning (PERFORMANCE)")
			wantNotIn(t, "markdown", mdSection(a.md, "Incidents"), "] P1 ", " P2 ")
		}},
}

// wire is a tool's structuredContent as the server puts it on the wire (fields in order).
func wire(t *testing.T, e seamEnv, tool string, args map[string]any) string {
	t.Helper()
	msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": map[string]any{"name": tool, "arguments": args}})
	out, err := json.Marshal(e.srv.HandleMessage(context.Background(), msg))
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Result struct {
			StructuredContent json.RawMessage `json:"structuredContent"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return string(res.Result.StructuredContent)
}

// briefJSONTokens is the brief structured result's budget on the demo (bytes / 4).
const briefJSONTokens = 1800

// lineWith is the first markdown line holding s.
func lineWith(md, s string) string {
	for _, l := range strings.Split(md, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestSeams: each place two systems meet, through the MCP tools, in both channels.
func TestSeams(t *testing.T) {
	for _, s := range seams {
		t.Run(s.item+" "+s.name, func(t *testing.T) {
			e := startSeam(t, s.sc(t0), s.cfg)
			if s.prep != nil {
				s.prep(t, e)
			}
			s.check(t, ask(t, e.c, s.tool, s.args), e)
		})
	}
}

// TestSeamNoSourceConfigured (item 10): with no source configured, every tool says so in
// both channels — an empty answer must never read as "nothing is wrong".
func TestSeamNoSourceConfigured(t *testing.T) {
	cfg, err := config.Load("", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	c := serve(t, tools.NewServer(tools.Deps{Engine: app.Engine(cfg, app.Options{})}, "test"))
	for _, q := range []struct {
		tool string
		args map[string]any
	}{
		{"active_issues", map[string]any{}}, {"boundary_audit", map[string]any{}}, {"find_service", map[string]any{"query": "checkout"}},
		{"incident_context", map[string]any{"service": "checkout"}}, {"who_owns", map[string]any{"service": "checkout"}},
		{"what_changed", map[string]any{"service": "checkout"}}, {"blast_radius", map[string]any{"service": "checkout"}},
		{"incident_context", map[string]any{"incident": "4711"}},
	} {
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = q.tool, q.args
		res, err := c.CallTool(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		md := res.Content[0].(mcp.TextContent).Text
		if !strings.Contains(md, "no source is configured") {
			t.Errorf("%s %v: markdown does not say no source is configured:\n%s", q.tool, q.args, md)
		}
		if res.IsError {
			continue // a lookup error is text only: the markdown above is the whole answer
		}
		raw, _ := json.Marshal(res.StructuredContent)
		var sc any
		_ = json.Unmarshal(raw, &sc)
		if h := fmt.Sprint(jget(sc, "headline")); !strings.Contains(h, "no source is configured") {
			t.Errorf("%s: structured headline %q", q.tool, h)
		}
	}
}

// TestSeamHeadlineFirst (issue 20): a client that shows the model only structuredContent
// gets a complete answer, headline first, from every tool.
func TestSeamHeadlineFirst(t *testing.T) {
	e := startSeam(t, plain(t0), nil)
	for _, q := range questions(demo.Checkout) {
		if sent := wire(t, e, q.tool, q.args); !strings.HasPrefix(sent, `{"headline":"`) || strings.HasPrefix(sent, `{"headline":""`) {
			t.Errorf("%s %v: structuredContent starts %.60s", q.tool, q.args, sent)
		}
	}
}
