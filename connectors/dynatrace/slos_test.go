package dynatrace_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors/dynatrace"
	"github.com/opsctx/opsctx/internal/fake"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

func f64(v float64) *float64 { return &v }

// sloFixture is an evaluated SLO on filter with attainment att.
func sloFixture(n int, name, filter string, att float64) fakedt.SLO {
	return fakedt.SLO{ID: fmt.Sprintf("b0000000-0000-4000-8000-%012d", n), Name: name, Enabled: true, Target: 99.5, Warning: 99.8,
		Timeframe: "-1w", Filter: filter, MetricExpression: "builtin:service.successes.server.rate", EvaluatedPercentage: att,
		ErrorBudget: att - 99.5, Status: "SUCCESS",
		ErrorBudgetBurnRate: fakedt.SLOBurnRate{BurnRateVisualizationEnabled: true, BurnRateType: "SLOW", BurnRateValue: f64(0.5), FastBurnThreshold: f64(10)}}
}

// sloData: three SLOs about checkout (by id, by name, by id among others), two not.
func sloData() fakedt.Data {
	return fakedt.Data{SLOs: []fakedt.SLO{
		sloFixture(1, "A checkout availability", `type("SERVICE"),entityId("`+svcCheckout+`")`, 99.9),
		sloFixture(2, "B orders-db availability", `type("SERVICE"),entityId("`+svcDB+`")`, 99.99),
		sloFixture(3, "C checkout by name", `type(SERVICE),entityName.equals("Checkout-Service")`, 99.7),
		sloFixture(4, "D callers of checkout", `type("SERVICE"),fromRelationships.calls(type("SERVICE"),entityId("`+svcCheckout+`"))`, 99.6),
		sloFixture(5, "E checkout and cart", `type("SERVICE"),entityId("`+svcCart+`","`+svcCheckout+`")`, 99.8),
	}}
}

// TestSLOsPagingAndSelectors: a target's SLOs are found in an unevaluated listing (filtered
// on the SLO filter), then only those are evaluated by id; every follow-up page carries
// only nextPageKey.
func TestSLOsPagingAndSelectors(t *testing.T) {
	checkout := target("checkout-service", svcCheckout)
	cases := []struct {
		name      string
		target    model.Target
		wantNames []string
		wantSvc   []string
		listPages int // unevaluated listing
		evalPages int
		selector  string
	}{
		{"by entity id and name", checkout,
			[]string{"A checkout availability", "C checkout by name", "E checkout and cart"},
			[]string{svcCheckout, "Checkout-Service", svcCheckout}, 5, 3,
			`id("b0000000-0000-4000-8000-000000000001","b0000000-0000-4000-8000-000000000003","b0000000-0000-4000-8000-000000000005")`},
		{"by annotation id only", annotated("shop-db", svcDB), []string{"B orders-db availability"}, []string{svcDB}, 5, 1,
			`id("b0000000-0000-4000-8000-000000000002")`},
		{"no match: no evaluation", target("search", ""), nil, nil, 5, 0, ""},
		{"zero target evaluates all", model.Target{},
			[]string{"A checkout availability", "B orders-db availability", "C checkout by name", "D callers of checkout", "E checkout and cart"},
			[]string{svcCheckout, svcDB, "Checkout-Service", "", svcCart}, 0, 5, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := start(t, sloData(), dynatrace.Options{PageSize: 1}, fakedt.Options{})
			t.Cleanup(func() { reqcontract.Check(t, "dynatrace", srv.Requests()) }) // every request in the API reference
			got, err := src.SLOs(context.Background(), tc.target)
			if err != nil {
				t.Fatal(err)
			}
			var names, svcs []string
			for _, s := range got {
				names, svcs = append(names, s.Name), append(svcs, s.Service)
				if s.Attainment == nil || s.Source != "dynatrace" {
					t.Errorf("not evaluated: %+v", s)
				}
			}
			if !slices.Equal(names, tc.wantNames) || !slices.Equal(svcs, tc.wantSvc) {
				t.Errorf("SLOs %q services %q, want %q %q", names, svcs, tc.wantNames, tc.wantSvc)
			}
			var list, eval int
			kind := ""
			for i, r := range requests(srv, "/api/v2/slo") {
				if r.Query.Get("nextPageKey") != "" {
					if len(r.Query) != 1 {
						t.Errorf("request %d: follow-up carries more than nextPageKey: %v", i, r.Query)
					}
				} else if kind = r.Query.Get("evaluate"); kind == "true" {
					if r.Query.Get("timeFrame") != "CURRENT" || r.Query.Get("pageSize") != "1" || r.Query.Get("sloSelector") != tc.selector {
						t.Errorf("evaluated request %v, want selector %s", r.Query, tc.selector)
					}
				} else if r.Query.Get("sloSelector") != "" || r.Query.Get("pageSize") != "1" {
					t.Errorf("listing %v", r.Query)
				}
				if kind == "true" {
					eval++
				} else {
					list++
				}
			}
			if list != tc.listPages || eval != tc.evalPages {
				t.Errorf("%d listing and %d evaluated pages, want %d and %d", list, eval, tc.listPages, tc.evalPages)
			}
		})
	}
}

// TestSLOsEvaluatedInChunks: more matching SLOs than one evaluated page holds are
// evaluated 25 ids per selector.
func TestSLOsEvaluatedInChunks(t *testing.T) {
	var d fakedt.Data
	for i := range 30 {
		d.SLOs = append(d.SLOs, sloFixture(i+1, fmt.Sprintf("slo %02d", i), `entityId("`+svcCheckout+`")`, 99.9))
	}
	src, srv := start(t, d, dynatrace.Options{}, fakedt.Options{})
	got, err := src.SLOs(context.Background(), target("checkout", svcCheckout))
	if err != nil || len(got) != 30 {
		t.Fatalf("%d SLOs, %v", len(got), err)
	}
	var sizes []int
	for _, r := range requests(srv, "/api/v2/slo") {
		if sel := r.Query.Get("sloSelector"); sel != "" {
			sizes = append(sizes, strings.Count(sel, `"`)/2)
			if r.Query.Get("pageSize") != "25" {
				t.Errorf("evaluated page size %s", r.Query.Get("pageSize"))
			}
		} else if r.Query.Get("pageSize") != "500" {
			t.Errorf("listing page size %s", r.Query.Get("pageSize"))
		}
	}
	if !slices.Equal(sizes, []int{25, 5}) {
		t.Errorf("ids per evaluated request %v, want [25 5]", sizes)
	}
}

func TestSLOMapping(t *testing.T) {
	now := t0.Add(time.Minute)
	base := sloFixture(1, "Checkout p95 latency", `type("SERVICE"),entityId("`+svcCheckout+`")`, 99.6)
	base.Description = "Checkout requests faster than 2s"
	base.ErrorBudgetBurnRate = fakedt.SLOBurnRate{BurnRateVisualizationEnabled: true, BurnRateType: "FAST", BurnRateValue: f64(12), FastBurnThreshold: f64(10)}
	mod := func(f func(*fakedt.SLO)) fakedt.SLO { x := base; f(&x); return x }
	att := func(v float64) *float64 { return &v }
	want := func(f func(*model.SLO)) model.SLO {
		m := model.SLO{Name: "Checkout p95 latency", Service: svcCheckout, Objective: 99.5, Warning: 99.8, Window: 7 * 24 * time.Hour,
			SLI: "Checkout requests faster than 2s", BurnRates: map[string]float64{"1h": 12}, Attainment: att(99.6), BudgetRemaining: att(0.2),
			Source: "dynatrace", AsOf: now}
		f(&m)
		return m
	}
	cases := []struct {
		name string
		in   fakedt.SLO
		want model.SLO
	}{
		{"evaluated", base, want(func(*model.SLO) {})},
		{"month timeframe, no description", mod(func(x *fakedt.SLO) { x.Timeframe, x.Description = "-30d", "" }),
			want(func(m *model.SLO) { m.Window, m.SLI = 30*24*time.Hour, "builtin:service.successes.server.rate" })},
		{"aligned timeframe to now", mod(func(x *fakedt.SLO) { x.Timeframe = "now-2d/d to now" }), want(func(m *model.SLO) { m.Window = 48 * time.Hour })},
		{"unparsable timeframe is a week", mod(func(x *fakedt.SLO) { x.Timeframe = "yesterday" }), want(func(*model.SLO) {})},
		{"burn rate off", mod(func(x *fakedt.SLO) { x.ErrorBudgetBurnRate = fakedt.SLOBurnRate{} }), want(func(m *model.SLO) { m.BurnRates = nil })},
		{"exhausted budget", mod(func(x *fakedt.SLO) { x.EvaluatedPercentage, x.ErrorBudget = 99.0, -0.5 }),
			want(func(m *model.SLO) { m.Attainment, m.BudgetRemaining = att(99.0), att(-1) })},
		{"100% target has no budget fraction", mod(func(x *fakedt.SLO) { x.Target, x.Warning, x.ErrorBudget = 100, 100, -0.4 }),
			want(func(m *model.SLO) { m.Objective, m.Warning, m.BudgetRemaining = 100, 100, nil })},
		{"evaluation error", mod(func(x *fakedt.SLO) { x.Error, x.EvaluatedPercentage, x.ErrorBudget = "METRIC_SELECTOR_INVALID", -1, -1 }),
			want(func(m *model.SLO) {
				m.Error, m.Attainment, m.BudgetRemaining, m.BurnRates = "dynatrace could not evaluate the SLO: METRIC_SELECTOR_INVALID", nil, nil, nil
			})},
		{"no evaluation", mod(func(x *fakedt.SLO) { x.EvaluatedPercentage = -1 }),
			want(func(m *model.SLO) {
				m.Error, m.Attainment, m.BudgetRemaining, m.BurnRates = "dynatrace returned no evaluation for the SLO", nil, nil, nil
			})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := start(t, fakedt.Data{SLOs: []fakedt.SLO{tc.in}}, dynatrace.Options{Now: func() time.Time { return now }}, fakedt.Options{})
			got, err := src.SLOs(context.Background(), target("checkout", svcCheckout))
			if err != nil || len(got) != 1 {
				t.Fatalf("%+v %v", got, err)
			}
			tc.want.URL = srv.EnvURL() + "/ui/slo?id=" + url.QueryEscape(tc.in.ID)
			if g, w := fmt.Sprintf("%+v", deref(got[0])), fmt.Sprintf("%+v", deref(tc.want)); g != w {
				t.Errorf("got  %s\nwant %s", g, w)
			}
		})
	}
}

// deref renders the pointer fields of an SLO by value, for comparison.
func deref(s model.SLO) any {
	type flat struct {
		model.SLO
		Att, Budget string
	}
	f := flat{SLO: s, Att: "nil", Budget: "nil"}
	if s.Attainment != nil {
		f.Att = fmt.Sprint(*s.Attainment)
	}
	if s.BudgetRemaining != nil {
		f.Budget = fmt.Sprintf("%.6f", *s.BudgetRemaining)
	}
	f.SLO.Attainment, f.SLO.BudgetRemaining = nil, nil
	return f
}

func TestSLOErrors(t *testing.T) {
	cases := []struct {
		name    string
		fault   fake.Fault
		wantErr []string
		reqs    int
	}{
		{"missing slo.read", fake.Fault{PathPrefix: "/api/v2/slo", Status: 403, Body: `{"error":{"code":403,"message":"Token is missing required scope"}}`},
			[]string{"HTTP 403", "missing required scope", "slo.read"}, 1},
		{"bad request body", fake.Fault{PathPrefix: "/api/v2/slo", Status: 400, Body: `{"error":{"code":400,"message":"Constraints violated.","constraintViolations":[{"path":"sloSelector","message":"invalid","parameterLocation":"QUERY"}]}}`},
			[]string{"HTTP 400", "Constraints violated"}, 1},
		{"429 then ok", fake.Fault{PathPrefix: "/api/v2/slo", Times: 1, Status: 429, Body: `{"error":{"code":429,"message":"Too Many Requests"}}`}, nil, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := start(t, sloData(), dynatrace.Options{}, fakedt.Options{})
			srv.AddFault(tc.fault)
			got, err := src.SLOs(context.Background(), target("checkout", svcCheckout))
			if n := len(requests(srv, "/api/v2/slo")); n != tc.reqs {
				t.Errorf("%d requests, want %d", n, tc.reqs)
			}
			if tc.wantErr == nil {
				if err != nil || len(got) != 2 { // A and E by id; C names "Checkout-Service"
					t.Fatalf("%d SLOs, %v", len(got), err)
				}
				return
			}
			for _, w := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v lacks %q", err, w)
				}
			}
		})
	}
}
