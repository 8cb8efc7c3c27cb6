package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
)

// TestDemoDynatraceAndAlerts checks the joined demo answer for checkout: Dynatrace's
// P-2311 with its root cause orders-db, and the firing alerts from Alertmanager and
// Prometheus grouped and explained by P-2311.
func TestDemoDynatraceAndAlerts(t *testing.T) {
	ctx := context.Background()
	env, err := demo.StartAt(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	eng := app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS})
	ans, err := eng.IncidentContext(ctx, engine.Query{Service: demo.Checkout})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ans.Sources {
		if slices.Contains([]string{"dynatrace", "prometheus", "alertmanager"}, s.Name) && s.Status != "ok" {
			t.Errorf("source %s: %s %s", s.Name, s.Status, s.Error)
		}
	}
	i := slices.IndexFunc(ans.Problems, func(p answer.ProblemEntry) bool { return p.ID == demo.DTDisplayID })
	if i < 0 {
		t.Fatalf("no %s in %+v", demo.DTDisplayID, ans.Problems)
	}
	p := ans.Problems[i]
	if p.RootCause != demo.OrdersDB || p.Source != "dynatrace" || p.Status != "open" || !slices.Contains(p.Impacted, demo.Checkout) ||
		!strings.Contains(p.URL, "/e/shop-demo/#problems/problemdetails;pid="+demo.DTProblemID) {
		t.Errorf("problem %+v", p)
	}
	groups := map[string]answer.AlertGroup{} // the Alertmanager/Prometheus group per service
	for _, g := range ans.AlertGroups {
		if slices.Contains(g.Sources, "alertmanager") {
			groups[g.Service] = g
		}
	}
	cases := []struct {
		service, severity, explainedBy string
		sources                        []string
	}{
		{demo.Checkout, "critical", demo.DTDisplayID, []string{"alertmanager", "prometheus"}},
		{demo.OrdersDB, "warning", demo.DTDisplayID, []string{"alertmanager", "prometheus"}},
	}
	for _, tc := range cases {
		g, ok := groups[tc.service]
		if !ok {
			t.Errorf("no alert group for %s in %+v", tc.service, ans.AlertGroups)
			continue
		}
		// Prometheus and Alertmanager see the same alert (same fingerprint): one alert, both
		// sources; other systems reporting the same alert on the same service join the group
		// as copies.
		if g.Severity != tc.severity || g.ExplainedBy != tc.explainedBy || !slices.Contains(g.Sources, tc.sources[0]) ||
			!slices.Contains(g.Sources, tc.sources[1]) || g.Count != 1 {
			t.Errorf("group %s: %+v", tc.service, g)
		}
	}
	if _, ok := groups[demo.Search]; ok {
		t.Errorf("search alert is not about checkout: %+v", groups[demo.Search])
	}
	// The orders-db configuration event is listed, or folded into the change record it confirms.
	var seen []string
	for _, c := range ans.Changes {
		seen = append(seen, c.Source+": "+c.Service+": "+c.Title+" by "+c.Author+" "+c.Reason)
		if c.Source == "dynatrace" && c.Service == demo.OrdersDB && c.Title == "statement_timeout 5s -> 30s" && c.Author == demo.Priya ||
			strings.Contains(c.Reason, "confirmed by dynatrace") {
			seen = nil
			break
		}
	}
	if seen != nil {
		t.Errorf("the orders-db configuration event is missing from the changes: %v", seen)
	}
	// One answer costs few requests: the entity listings (services, process groups, hosts,
	// Kubernetes clusters and namespaces, at once), problems, one events request per change type and
	// two for SLOs (listing, evaluation); Alertmanager's alerts (one listing, selected here)
	// and silences, at once; Prometheus alerts, recording rules and one SLO query.
	// Dynatrace reads its maintenance windows (settings objects) beside the SLO listing.
	for name, most := range map[string]int{"dynatrace": 11, "alertmanager": 2, "prometheus": 3} {
		n := len(env.Servers[name].Requests())
		t.Logf("%s: %d requests", name, n)
		if n > most {
			t.Errorf("%s: %d requests for one answer, want at most %d", name, n, most)
		}
	}
	var fraud bool
	for _, d := range ans.Dependencies.Upstream {
		fraud = fraud || d.Service == "fraud-check" && slices.Contains(d.Via, "dynatrace")
	}
	if !fraud {
		t.Errorf("the measured edge to fraud-check is missing: %+v", ans.Dependencies.Upstream)
	}
}

// TestDemoFindDynatraceProblem looks the demo incident up by its Dynatrace display id: it
// is about checkout, the service users feel slow, and names orders-db as its root cause.
func TestDemoFindDynatraceProblem(t *testing.T) {
	ctx := context.Background()
	env, err := demo.StartAt(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	eng := app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS})
	ans, err := eng.IncidentContext(ctx, engine.Query{Incident: demo.DTDisplayID})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Service.Name != demo.Checkout || len(ans.Problems) == 0 || ans.Problems[0].RootCause != demo.OrdersDB {
		t.Errorf("incident %s resolved to %q with problems %+v", demo.DTDisplayID, ans.Service.Name, ans.Problems)
	}
}
