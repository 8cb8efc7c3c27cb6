package demo_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	active "github.com/opsctx/opsctx/internal/answer/issues"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/slo"
)

// TestDemoUserImpact: the demo's burning checkout SLO leads the checkout answer, and the
// loud search alert, which touches no burning SLO, measures no user impact.
func TestDemoUserImpact(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now()
	env, err := demo.StartAt(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	eng := app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Now: func() time.Time { return t0 }})

	ans, err := eng.IncidentContext(ctx, engine.Query{Service: demo.Checkout, Detail: answer.DetailFull}) // every burn window
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ans.Sources {
		if (s.Name == "prometheus" || s.Name == "dynatrace") && s.Status != "ok" {
			t.Errorf("source %s: %s %s", s.Name, s.Status, s.Error)
		}
	}
	type want struct {
		source         string
		status         slo.Status
		burn1h, budget float64
		window         string
	}
	cases := map[string]want{
		demo.CheckoutSLO:  {"prometheus", slo.Breaching, demo.CheckoutSLOBurn1h, demo.CheckoutSLOBudget, "30d"},
		demo.DTLatencySLO: {"dynatrace", slo.Warning, demo.DTLatencyBurn, 0.2, "7d"},
		demo.SearchSLO:    {}, // not checkout's: must not appear
	}
	var got []string
	for _, s := range ans.SLOs {
		got = append(got, s.Name)
		w, ok := cases[s.Name]
		if !ok || w.source == "" {
			t.Errorf("unexpected SLO in the checkout answer: %+v", s)
			continue
		}
		if s.Service != demo.Checkout || s.Source != w.source || s.Status != w.status || s.Window != w.window ||
			math.Abs(s.BurnRates["1h"]-w.burn1h) > 0.01 || s.ErrorBudgetRemaining == nil || math.Abs(*s.ErrorBudgetRemaining-w.budget) > 0.001 || s.Error != "" {
			t.Errorf("SLO %s: %+v, want %+v", s.Name, s, w)
		}
	}
	if !slices.Equal(got, []string{demo.CheckoutSLO, demo.DTLatencySLO}) {
		t.Errorf("SLOs %v, want the breaching Prometheus SLO first, then Dynatrace's", got)
	}
	if len(ans.SLOs) > 0 && math.Abs(ans.SLOs[0].BurnRates["5m"]-demo.CheckoutSLOBurn5m) > 0.01 {
		t.Errorf("5m burn %v, want %v", ans.SLOs[0].BurnRates, demo.CheckoutSLOBurn5m)
	}
	if want := `User impact: checkout SLO "checkout-availability" (99.9% over 30d) is breaching, burning its error budget 15.0x faster than sustainable, 61% of the budget left`; !strings.HasPrefix(ans.Headline, want) {
		t.Errorf("headline %q\nwant prefix %q", ans.Headline, want)
	}
	for _, g := range ans.AlertGroups {
		want := `SLO "checkout-availability" breaching` // checkout's own alerts
		if g.Service != demo.Checkout {                 // a dependency's: may burn checkout's budget, saying so
			want = `may affect SLO "checkout-availability" (breaching) of checkout, which depends on ` + g.Service
		}
		if g.UserImpact != want {
			t.Errorf("alert group %s on %s: user impact %q", g.Key, g.Service, g.UserImpact)
		}
	}

	// Unfiltered, the join folds the search alert into P-2311's group (search depends on
	// inventory, which depends on orders-db), so look at search on its own: its alert group
	// touches no burning SLO.
	issues, err := eng.ActiveIssues(ctx, active.Filter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(issues.Groups) == 0 || issues.Groups[0].RootCause != demo.OrdersDB ||
		!strings.Contains(issues.Groups[0].UserImpact, `"checkout-availability" (99.9% over 30d) is breaching`) {
		t.Errorf("first group does not carry the burning checkout SLO: %+v", issues.Groups)
	}
	search, err := eng.ActiveIssues(ctx, active.Filter{Service: demo.Search, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(search.Groups) != 1 || search.Groups[0].Service != demo.Search || search.Groups[0].UserImpact != "no user impact measured" ||
		len(search.Groups[0].Alerts) != 1 || search.Groups[0].Alerts[0].Severity != "critical" {
		t.Errorf("search groups %+v, want one critical alert group with no user impact measured", search.Groups)
	}
	sctx, err := eng.IncidentContext(ctx, engine.Query{Service: demo.Search})
	if err != nil {
		t.Fatal(err)
	}
	if len(sctx.AlertGroups) != 1 || sctx.AlertGroups[0].UserImpact != "no user impact measured" || strings.HasPrefix(sctx.Headline, "User impact") {
		t.Errorf("search answer: headline %q, alert groups %+v", sctx.Headline, sctx.AlertGroups)
	}
	if len(sctx.SLOs) != 1 || sctx.SLOs[0].Name != demo.SearchSLO || sctx.SLOs[0].Status != slo.OK {
		t.Errorf("search SLOs %+v, want %s ok", sctx.SLOs, demo.SearchSLO)
	}
	var burning []string
	for _, s := range issues.SLOs {
		burning = append(burning, s.Name)
	}
	if !slices.Equal(burning, []string{demo.CheckoutSLO, demo.DTLatencySLO}) {
		t.Errorf("burning SLOs %v", burning)
	}
	for _, s := range issues.Sources {
		if (s.Name == "prometheus" || s.Name == "dynatrace") && s.Status != "ok" {
			t.Errorf("active issues source %s: %s %s", s.Name, s.Status, s.Error)
		}
	}
}
