//go:build integration

package prometheus_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/prometheus"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	fakeprom "github.com/opsctx/opsctx/internal/fake/prometheus"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
	"github.com/opsctx/opsctx/internal/testkit/realserver"
)

// Synthetic checkout traffic, backfilled into a real Prometheus: 2000 requests a minute,
// sampled every minute over 73 hours that end 90 s before the test starts. 30 a minute fail
// in the last 2 hours (1.5%), 1 a minute before (0.05%). Against a 99.9% objective (budget
// 0.1%) the burn rates are, by hand:
//
//	5m, 30m, 1h: 1.5% / 0.1%                           = 15      (both page windows ≥ 14.4: breaching)
//	6h:          (2h·1.5% + 4h·0.05%) / 6h = 0.5333%   → 5.333
//	3d:          (2h·1.5% + 70h·0.05%) / 72h = 0.09028% → 0.9028
//	window 30d:  all 73h: (2h·1.5% + 71h·0.05%) / 73h = 0.08973% → 89.73% of the budget spent, 10.27% left
//
// Both counters share their timestamps, so rate()'s extrapolation to the window edges
// scales errors and totals alike and cancels in the ratio: the ratio is exactly the failed
// share of the increments between the first and last samples inside the window. Only the
// 6h and 3d windows straddle the 2h boundary, so for them the exact figure depends on
// where the evaluation instant puts the window's start on the 1-minute grid (the hand
// figures above are within 1%); the test recomputes it from the samples for the instant
// the answer carries (AsOf) and checks every window to 1e-9. Recording rules were
// evaluated up to one evaluation interval (1 s) before the query, so for them the instant
// one second earlier is accepted too.
const (
	perMinute      = 2000
	failRecent     = 30 // per minute, last 2h
	failBefore     = 1
	backfillSpan   = 73 * time.Hour
	recentSpan     = 2 * time.Hour
	backfillLag    = 90 * time.Second
	checkoutErrors = `sum(rate(http_requests_total{service="checkout",code=~"5.."}[$window]))`
	checkoutTotal  = `sum(rate(http_requests_total{service="checkout"}[$window]))`
)

// ratioAt is the exact error ratio rate() yields over w at instant q from the samples
// openMetrics writes: failed increments over all increments between the first and the last
// sample inside [q-w, q].
func ratioAt(end, q time.Time, w time.Duration) float64 {
	var failed, total float64
	first := true
	for at := end.Add(-backfillSpan); !at.After(end); at = at.Add(time.Minute) {
		if at.Before(q.Add(-w)) || at.After(q) {
			continue
		}
		if first {
			first = false
			continue
		}
		f := failBefore
		if end.Sub(at) < recentSpan {
			f = failRecent
		}
		failed, total = failed+float64(f), total+perMinute
	}
	return failed / total
}

// openMetrics renders the two counters, each series contiguous and in time order.
func openMetrics(end time.Time) string {
	var b strings.Builder
	b.WriteString("# TYPE http_requests counter\n")
	start := end.Add(-backfillSpan)
	for _, code := range []string{"200", "500"} {
		ok, failed := 1_000_000, 5_000 // far from zero: rate() never extrapolates below it
		for at := start; !at.After(end); at = at.Add(time.Minute) {
			v := ok
			if code == "500" {
				v = failed
			}
			fmt.Fprintf(&b, "http_requests_total{service=\"checkout\",code=%q} %d %d\n", code, v, at.Unix())
			f := failBefore
			if end.Sub(at.Add(time.Minute)) < recentSpan {
				f = failRecent
			}
			ok, failed = ok+perMinute-f, failed+f
		}
	}
	b.WriteString("# EOF\n")
	return b.String()
}

// slothRules renders Sloth's rules for the checkout SLO (the fake's generator, so the fake
// and the real server run the same rules) as a rule file: YAML accepts JSON.
func slothRules(s fakeprom.SlothSLO) string {
	type rule struct {
		Record string            `json:"record"`
		Expr   string            `json:"expr"`
		Labels map[string]string `json:"labels,omitempty"`
	}
	type group struct {
		Name     string `json:"name"`
		Interval string `json:"interval"`
		Rules    []rule `json:"rules"`
	}
	var gs []group
	for _, g := range s.Groups() {
		out := group{Name: g.Name, Interval: "1s"}
		for _, r := range g.Rules {
			out.Rules = append(out.Rules, rule{Record: r.Name, Expr: r.Query, Labels: r.Labels})
		}
		gs = append(gs, out)
	}
	b, _ := json.MarshalIndent(map[string]any{"groups": gs}, "", "  ")
	return string(b)
}

// TestRealPrometheusSLOs reads a Sloth SLO and a declared SLO over backfilled counters from
// a real Prometheus and checks the burn rates and status against the figures above.
func TestRealPrometheusSLOs(t *testing.T) {
	began := time.Now()
	end := began.Add(-backfillLag).Truncate(time.Second)
	data := realserver.Backfill(t, openMetrics(end))
	t.Logf("backfilled %s of samples in %s", backfillSpan, time.Since(began).Round(time.Millisecond))
	sloth := fakeprom.SlothSLO{Service: "checkout", Name: "availability", Objective: 99.9,
		ErrorQuery: strings.ReplaceAll(checkoutErrors, "$window", "{{.window}}"), TotalQuery: strings.ReplaceAll(checkoutTotal, "$window", "{{.window}}")}
	prom := realserver.StartPrometheusOn(t, slothRules(sloth), "", data)
	t.Logf("prometheus ready after %s", time.Since(began).Round(time.Millisecond))

	declared := config.SLO{Name: "checkout-declared", Service: "checkout", Objective: 99.9, Window: 30 * 24 * time.Hour,
		ErrorQuery: checkoutErrors, TotalQuery: checkoutTotal}
	src := prometheus.New(prometheus.Options{Client: client(t, "prometheus", prom.URL), SLOs: []config.SLO{declared}})
	ctx := context.Background()
	target := model.Target{Name: "checkout"}

	// Recording rules have values once evaluated (every second from the start).
	var got []model.SLO
	deadline := time.Now().Add(20 * time.Second)
	for {
		var err error
		got, err = src.SLOs(ctx, target)
		if err == nil && len(got) == 2 && len(got[0].ErrorRatios) == 6 && got[0].Objective == 99.9 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SLOs after 20s: %+v, %v", got, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("rules evaluated after %s", time.Since(began).Round(time.Millisecond))

	const b = 0.001 // budget of 99.9%
	r1, r0 := float64(failRecent)/perMinute, float64(failBefore)/perMinute
	byHand := map[string]float64{ // burn rates, see the top of the file
		"5m": r1 / b, "30m": r1 / b, "1h": r1 / b,
		"6h": (2*r1 + 4*r0) / 6 / b,
		"3d": (2*r1 + 70*r0) / 72 / b,
	}
	ranges := map[string]time.Duration{"5m": 5 * time.Minute, "30m": 30 * time.Minute, "1h": time.Hour, "6h": 6 * time.Hour, "3d": 72 * time.Hour}
	windowRatio := (2*r1 + 71*r0) / 73
	cases := []struct {
		name        string
		windowRatio float64 // error ratio over the SLO window
		why         string
	}{
		// Sloth's optimized period rule averages the 5m recording over 30d, and the rules
		// have run for seconds: it equals the 5m ratio, so the budget reads exhausted.
		{"checkout-availability", r1, "Sloth period rule = average of the 5m recordings since the rules started"},
		// The declared SLO queries the raw counters over 30d: every backfilled sample.
		{"checkout-declared", windowRatio, "raw counters over all 73h"},
	}
	if got[0].Name != cases[0].name || got[1].Name != cases[1].name {
		t.Fatalf("SLOs %s, %s", got[0].Name, got[1].Name)
	}
	near := func(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Abs(b) }
	for i, tc := range cases {
		s := got[i]
		t.Run(tc.name, func(t *testing.T) {
			if s.Service != "checkout" || s.Objective != 99.9 || s.Window != 30*24*time.Hour || s.Error != "" || s.AsOf.Before(began) {
				t.Errorf("SLO %+v", s)
			}
			for w, d := range ranges {
				g := s.ErrorRatios[w]
				exact, before := ratioAt(end, s.AsOf, d), ratioAt(end, s.AsOf.Add(-time.Second), d)
				if !near(g, exact, 1e-9) && !near(g, before, 1e-9) {
					t.Errorf("%s ratio %.12f, want %.12f from the samples at %s", w, g, exact, s.AsOf.Format(time.RFC3339Nano))
				}
				if !near(g/b, byHand[w], 0.01) {
					t.Errorf("%s burn %.4f, by hand %.4f", w, g/b, byHand[w])
				}
			}
			if g := s.ErrorRatios["window"]; !near(g, tc.windowRatio, 1e-9) {
				t.Errorf("window ratio %.12f, want %.12f (%s)", g, tc.windowRatio, tc.why)
			}
			r := slo.Evaluate(s, slo.DefaultThresholds())
			wantBudget := 1 - tc.windowRatio/b
			if r.Status != slo.Breaching || math.Abs(r.BurnRates["1h"]-15) > 1e-9 || math.Abs(r.BurnRates["5m"]-15) > 1e-9 ||
				math.Abs(r.BudgetRemaining-wantBudget) > 0.001 {
				t.Errorf("evaluated %+v, want breaching at 15x with %.3f of the budget left", r, wantBudget)
			}
			t.Logf("%s: burn %v, budget left %.3f, status %s", s.Name, r.BurnRates, r.BudgetRemaining, r.Status)
		})
	}

	// Through the join: the declared SLO leads checkout's answer as user impact.
	cat := &fake.Memory{SourceName: "catalogfile", Cat: model.Catalog{
		Services: []model.Service{{ID: "component:default/checkout", Name: "checkout", Owner: "team-checkout", Source: "catalogfile"}}}}
	eng := engine.New(engine.Options{Sources: []connectors.Source{cat, src}, Deadline: 5 * time.Second})
	ans, err := eng.IncidentContext(ctx, engine.Query{Service: "checkout"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.SLOs) != 2 || !strings.HasPrefix(ans.Headline, `User impact: checkout SLO "checkout-`) || ans.SLOs[0].Status != slo.Breaching {
		t.Errorf("answer: %s\n%+v", ans.Headline, ans.SLOs)
	}
	t.Logf("SLO integration test took %s", time.Since(began).Round(time.Millisecond))
}
