package prometheus_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors/prometheus"
	"github.com/opsctx/opsctx/internal/fake"
	fakeprom "github.com/opsctx/opsctx/internal/fake/prometheus"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
)

const day = 24 * time.Hour

// Sloth SLOs of the tests: checkout burning, search healthy.
var (
	slothCheckout = fakeprom.SlothSLO{Service: "checkout", Name: "availability", Objective: 99.9,
		ErrorQuery: `sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))`, TotalQuery: `sum(rate(http_requests_total{service="checkout"}[{{.window}}]))`,
		Ratios: map[string]float64{"5m": 0.04, "30m": 0.0295, "1h": 0.015, "2h": 0.008, "6h": 0.0027, "1d": 0.0009, "3d": 0.0005, "30d": 0.00039},
		Labels: map[string]string{"owner": "team-checkout"}}
	slothSearch = fakeprom.SlothSLO{Service: "search", Name: "availability", Objective: 99.5,
		ErrorQuery: `sum(rate(search_requests_total{code=~"5.."}[{{.window}}]))`, TotalQuery: `sum(rate(search_requests_total[{{.window}}]))`,
		Ratios: map[string]float64{"5m": 0.0001, "30m": 0.0001, "1h": 0.0002, "6h": 0.0002, "3d": 0.0003, "30d": 0.0004}}
)

// pyrraRule is a Pyrra recording rule: <metric>:burnrate<window> with slo and matcher labels.
func pyrraBurn(metric, slo, window string, labels ...string) fakeprom.Rule {
	ls := lbl(append([]string{"slo", slo}, labels...)...)
	return fakeprom.Rule{Type: "recording", Name: metric + ":burnrate" + window, Query: "sum(rate(...[" + window + "]))", Labels: ls}
}

// pyrraGroups: checkout-latency (28d, generic rules with pyrra_objective) and payments-errors
// (30d, no generic rules: the objective is only in its alerting rules; Pyrra's windows
// for 30d are its 28d windows scaled: 5m, 32m, 1h4m, 2h9m, 6h26m, 1d1h43m, 4d6h51m).
func pyrraGroups() []fakeprom.Group {
	var lat, pay []fakeprom.Rule
	for _, w := range []string{"5m", "30m", "1h", "2h", "6h", "1d", "4d"} {
		lat = append(lat, pyrraBurn("http_request_duration_seconds", "checkout-latency", w, "service", "checkout"))
	}
	for _, w := range []string{"5m", "32m", "1h4m", "2h9m", "6h26m", "1d1h43m", "4d6h51m"} {
		pay = append(pay, pyrraBurn("http_requests", "payments-errors", w, "job", "payments"))
	}
	pay = append(pay, fakeprom.Rule{Name: "ErrorBudgetBurn", Duration: 2 * time.Minute,
		Query:  `http_requests:burnrate5m{job="payments",slo="payments-errors"} > (14 * (1-0.995)) and http_requests:burnrate1h4m{job="payments",slo="payments-errors"} > (14 * (1-0.995))`,
		Labels: lbl("slo", "payments-errors", "job", "payments", "severity", "critical", "long", "1h4m", "short", "5m")})
	generic := lbl("slo", "checkout-latency")
	return []fakeprom.Group{
		{Name: "checkout-latency", File: "/rules/pyrra.yml", Interval: 30 * time.Second, Rules: lat},
		{Name: "checkout-latency-generic", File: "/rules/pyrra.yml", Interval: 30 * time.Second, Rules: []fakeprom.Rule{
			{Type: "recording", Name: "pyrra_objective", Query: "0.99", Labels: generic},
			{Type: "recording", Name: "pyrra_window", Query: "2419200", Labels: generic},
			{Type: "recording", Name: "pyrra_availability", Query: "1 - ...", Labels: generic}}},
		{Name: "payments-errors", File: "/rules/pyrra.yml", Interval: 30 * time.Second, Rules: pay},
	}
}

func pyrraSeries() []fakeprom.Sample {
	s := func(name string, v float64, kv ...string) fakeprom.Sample {
		return fakeprom.Sample{Labels: lbl(append([]string{"__name__", name}, kv...)...), Value: v}
	}
	return []fakeprom.Sample{
		s("http_request_duration_seconds:burnrate5m", 0.02, "slo", "checkout-latency", "service", "checkout"),
		s("http_request_duration_seconds:burnrate30m", 0.01, "slo", "checkout-latency", "service", "checkout"),
		s("http_request_duration_seconds:burnrate1h", 0.005, "slo", "checkout-latency", "service", "checkout"),
		s("http_request_duration_seconds:burnrate2h", 0.004, "slo", "checkout-latency", "service", "checkout"),
		s("http_request_duration_seconds:burnrate6h", 0.003, "slo", "checkout-latency", "service", "checkout"),
		s("http_request_duration_seconds:burnrate4d", 0.002, "slo", "checkout-latency", "service", "checkout"),
		s("pyrra_objective", 0.99, "slo", "checkout-latency"),
		s("pyrra_window", 2419200, "slo", "checkout-latency"),
		s("pyrra_availability", 0.9985, "slo", "checkout-latency"),
		s("http_requests:burnrate5m", 0.001, "slo", "payments-errors", "job", "payments"),
		s("http_requests:burnrate32m", 0.002, "slo", "payments-errors", "job", "payments"),
		s("http_requests:burnrate1h4m", 0.003, "slo", "payments-errors", "job", "payments", "route", "/pay"),
		s("http_requests:burnrate1h4m", 0.004, "slo", "payments-errors", "job", "payments", "route", "/refund"), // grouped: the worst counts
		s("http_requests:burnrate6h26m", 0.0001, "slo", "payments-errors", "job", "payments"),
		s("http_requests:burnrate6h26m", 0.0002, "slo", "other", "job", "payments"),
	}
}

// sloData is the tests' Prometheus: alert groups, Sloth and Pyrra rules, unrelated recording rules.
func sloData() fakeprom.Data {
	d := fakeprom.Data{Groups: groups()}
	for _, s := range []fakeprom.SlothSLO{slothCheckout, slothSearch} {
		d.Groups = append(d.Groups, s.Groups()...)
		d.Series = append(d.Series, s.Series()...)
	}
	d.Groups = append(d.Groups, pyrraGroups()...)
	d.Series = append(d.Series, pyrraSeries()...)
	return d
}

func startSLO(t *testing.T, fo fakeprom.Options, d fakeprom.Data, o prometheus.Options) (*prometheus.Source, *fakeprom.Server) {
	t.Helper()
	if fo.Now == nil {
		fo.Now = func() time.Time { return t0 }
	}
	srv := fakeprom.StartData(fo, d)
	t.Cleanup(srv.Close)
	c := httpx.New(httpx.Options{Source: "prometheus", BaseURL: srv.URL, RetryMax: -1})
	t.Cleanup(c.CloseIdleConnections)
	o.Client = c
	return prometheus.New(o), srv
}

// sloSummary renders what a test checks of an SLO.
func sloSummary(s model.SLO) string {
	keys := slices.Sorted(maps.Keys(s.ErrorRatios))
	var rs []string
	for _, k := range keys {
		rs = append(rs, fmt.Sprintf("%s=%.6g", k, s.ErrorRatios[k]))
	}
	out := fmt.Sprintf("%s/%s %.6g%% %s [%s]", s.Service, s.Name, s.Objective, slo.WindowString(s.Window), strings.Join(rs, " "))
	if s.Error != "" {
		out += " error: " + s.Error
	}
	return out
}

// The discovered SLOs of sloData, as sloSummary renders them.
const (
	checkoutSloth = "checkout/checkout-availability 99.9% 30d [1h=0.015 30m=0.0295 3d=0.0005 5m=0.04 6h=0.0027 window=0.00039]"
	checkoutPyrra = "checkout/checkout-latency 99% 28d [1h=0.005 30m=0.01 3d=0.002 5m=0.02 6h=0.003 window=0.0015]"
	paymentsPyrra = "payments/payments-errors 99.5% 30d [1h=0.004 30m=0.002 5m=0.001 6h=0.0001]"
	searchSloth   = "search/search-availability 99.5% 30d [1h=0.0002 30m=0.0001 3d=0.0003 5m=0.0001 6h=0.0002 window=0.0004]"
)

// TestSLODiscovery: the SLOs found in one unfiltered rule listing (paged; its alerting rules
// give Pyrra's objective without a second rules request) and read in one concurrent round
// of queries, one per convention.
func TestSLODiscovery(t *testing.T) {
	slothNames := `"slo:objective:ratio|slo:sli_error:ratio_rate1d|slo:sli_error:ratio_rate1h|slo:sli_error:ratio_rate2h|slo:sli_error:ratio_rate30d|` +
		`slo:sli_error:ratio_rate30m|slo:sli_error:ratio_rate3d|slo:sli_error:ratio_rate5m|slo:sli_error:ratio_rate6h|slo:time_period:days"`
	cases := []struct {
		name    string
		old     bool
		target  model.Target
		want    []string
		queries []string // instant queries received, in any order (they run concurrently)
	}{
		{"checkout: Sloth and Pyrra", false, model.Target{Name: "checkout"}, []string{checkoutSloth, checkoutPyrra},
			[]string{`{__name__=~` + slothNames + `, sloth_id=~"checkout-availability"}`, `slo=~"checkout-latency"}`}},
		{"by alias, old server", true, model.Target{Name: "shop-checkout", Records: []model.Service{{Name: "x", Aliases: []string{"Checkout"}}}},
			[]string{checkoutSloth, checkoutPyrra}, []string{`sloth_id=~"checkout-availability"}`, `slo=~"checkout-latency"}`}},
		{"Pyrra objective from alerting rules", false, model.Target{Name: "payments"}, []string{paymentsPyrra},
			[]string{`slo=~"payments-errors"}`}},
		{"search", false, model.Target{Name: "search"}, []string{searchSloth}, []string{`sloth_id=~"search-availability"}`}},
		{"nothing for orders-db", false, model.Target{Name: "orders-db"}, nil, nil},
		{"zero target", false, model.Target{}, []string{checkoutSloth, checkoutPyrra, paymentsPyrra, searchSloth},
			[]string{`, sloth_id!=""}`, `, slo!=""}`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := startSLO(t, fakeprom.Options{OldServer: tc.old}, sloData(), prometheus.Options{GroupLimit: 2})
			got, err := src.SLOs(context.Background(), tc.target)
			if err != nil {
				t.Fatal(err)
			}
			var sums []string
			for _, s := range got {
				sums = append(sums, sloSummary(s))
				if s.Source != "prometheus" || s.AsOf != t0 || !strings.HasPrefix(s.URL, srv.URL+"/graph?g0.expr=") {
					t.Errorf("%s: source %q as of %v url %q", s.Name, s.Source, s.AsOf, s.URL)
				}
			}
			if !slices.Equal(sums, tc.want) {
				t.Errorf("SLOs\n %s\nwant\n %s", strings.Join(sums, "\n "), strings.Join(tc.want, "\n "))
			}
			var queries []string
			pages := 0
			for _, r := range srv.Requests() {
				switch r.Path {
				case "/api/v1/query":
					queries = append(queries, r.Query.Get("query"))
				case "/api/v1/rules":
					if r.Query.Get("group_limit") != "2" || r.Query.Get("exclude_alerts") != "true" || r.Query.Has("type") || r.Query.Has("rule_group[]") {
						t.Errorf("rules request %v, want the one unfiltered listing without alerts", r.Query)
					}
					if (pages > 0) != (r.Query.Get("group_next_token") != "") {
						t.Errorf("rules page %d: %v", pages, r.Query)
					}
					pages++
				}
			}
			wantPages := 6 // all 11 groups (alerting ones too: Pyrra's objective), 2 per page
			if tc.old {
				wantPages = 1
			}
			if pages != wantPages {
				t.Errorf("%d rules pages, want %d", pages, wantPages)
			}
			if len(queries) != len(tc.queries) {
				t.Fatalf("queries %q, want %d", queries, len(tc.queries))
			}
			for _, want := range tc.queries {
				if !slices.ContainsFunc(queries, func(q string) bool { return strings.HasSuffix(q, want) }) {
					t.Errorf("no query ends in %s: %q", want, queries)
				}
			}
		})
	}
}

// TestSLOStatusFromDiscovery: the discovered figures give the status the join shows.
func TestSLOStatusFromDiscovery(t *testing.T) {
	src, _ := startSLO(t, fakeprom.Options{}, sloData(), prometheus.Options{})
	got, err := src.SLOs(context.Background(), model.Target{})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		status   slo.Status
		burn1h   float64
		budget   float64
		hasBurn5 bool
	}{
		"checkout-availability": {slo.Breaching, 15, 0.61, true},
		"checkout-latency":      {slo.OK, 0.5, 0.85, true},
		"payments-errors":       {slo.OK, 0.8, 0, true},
		"search-availability":   {slo.OK, 0.04, 0.92, true},
	}
	for _, s := range got {
		want, ok := cases[s.Name]
		if !ok {
			t.Errorf("unexpected SLO %s", s.Name)
			continue
		}
		r := slo.Evaluate(s, slo.DefaultThresholds())
		if r.Status != want.status || r.BurnRates["1h"] != want.burn1h || r.BudgetRemaining != want.budget {
			t.Errorf("%s: %+v, want %s burn 1h %v budget %v", s.Name, r, want.status, want.burn1h, want.budget)
		}
	}
}

// declaredSLOs: an error-query SLO and a good-query SLO for checkout, one for search.
func declaredSLOs() []config.SLO {
	return []config.SLO{
		{Name: "checkout-errors", Service: "checkout", Objective: 99.9, Window: 30 * day,
			ErrorQuery: `rate(http_requests_total{service="checkout",code=~"5.."}[$window])`, TotalQuery: `rate(http_requests_total{service="checkout"}[$window])`},
		{Name: "checkout-fast", Service: "Checkout", Objective: 99, Window: 7 * day,
			GoodQuery: `rate(http_request_duration_seconds_bucket{service="checkout",le="2"}[$window])`, TotalQuery: `rate(http_request_duration_seconds_count{service="checkout"}[$window])`},
		{Name: "search-errors", Service: "search", Objective: 99.5,
			ErrorQuery: `rate(search_errors_total[$window])`, TotalQuery: `rate(search_requests_total[$window])`},
	}
}

// answers serves the declared queries: per window error and total rates.
func answers(errs, totals map[string]float64, errQ, totalQ string) map[string]fakeprom.Answer {
	out := map[string]fakeprom.Answer{}
	for w, v := range errs {
		out[strings.ReplaceAll(errQ, "$window", w)] = fakeprom.Answer{Samples: []fakeprom.Sample{{Labels: lbl("code", "500"), Value: v / 2}, {Labels: lbl("code", "503"), Value: v / 2}}}
	}
	for w, v := range totals {
		out[strings.ReplaceAll(totalQ, "$window", w)] = fakeprom.Answer{Samples: []fakeprom.Sample{{Labels: lbl("code", "200"), Value: v}}}
	}
	return out
}

func TestDeclaredSLOs(t *testing.T) {
	decls := declaredSLOs()
	errQ, totQ := decls[0].ErrorQuery, decls[0].TotalQuery
	goodQ, fastTotQ := decls[1].GoodQuery, decls[1].TotalQuery
	base := func() map[string]fakeprom.Answer {
		a := answers(map[string]float64{"5m": 4, "30m": 3, "1h": 1.5, "6h": 0.27, "3d": 0.05, "30d": 0.039},
			map[string]float64{"5m": 100, "30m": 100, "1h": 100, "6h": 100, "3d": 100, "30d": 100}, errQ, totQ)
		maps.Copy(a, answers(map[string]float64{"5m": 90, "30m": 99, "1h": 99.5, "6h": 99.9, "3d": 100, "7d": 99.95},
			map[string]float64{"5m": 100, "30m": 100, "1h": 100, "6h": 100, "3d": 100, "7d": 100}, goodQ, fastTotQ))
		return a
	}
	cases := []struct {
		name   string
		edit   func(map[string]fakeprom.Answer)
		target model.Target
		want   []string
		err    string // SLOs' own error
	}{
		{"all windows", nil, model.Target{Name: "checkout"}, []string{
			"checkout/checkout-errors 99.9% 30d [1h=0.015 30m=0.03 3d=0.0005 5m=0.04 6h=0.0027 window=0.00039]",
			"Checkout/checkout-fast 99% 7d [1h=0.005 30m=0.01 3d=0 5m=0.1 6h=0.001 window=0.0005]"}, ""},
		{"no traffic over 3d, no error series over 6h", func(a map[string]fakeprom.Answer) {
			a[strings.ReplaceAll(totQ, "$window", "3d")] = fakeprom.Answer{}
			a[strings.ReplaceAll(errQ, "$window", "3d")] = fakeprom.Answer{}
			a[strings.ReplaceAll(errQ, "$window", "6h")] = fakeprom.Answer{}
			a[strings.ReplaceAll(totQ, "$window", "5m")] = fakeprom.Answer{Samples: []fakeprom.Sample{{Value: 0}}}
			a[strings.ReplaceAll(errQ, "$window", "5m")] = fakeprom.Answer{Samples: []fakeprom.Sample{{Value: 0}}}
		}, model.Target{Name: "checkout"}, []string{
			"checkout/checkout-errors 99.9% 30d [1h=0.015 30m=0.03 6h=0 window=0.00039]",
			"Checkout/checkout-fast 99% 7d [1h=0.005 30m=0.01 3d=0 5m=0.1 6h=0.001 window=0.0005]"}, ""},
		{"a failing query is an error, not a number", func(a map[string]fakeprom.Answer) {
			a[strings.ReplaceAll(errQ, "$window", "30d")] = fakeprom.Answer{Error: "1:10: parse error: unexpected character: '~'"}
		}, model.Target{Name: "checkout"}, []string{
			"checkout/checkout-errors 99.9% 30d [] error: PromQL query failed (HTTP 400): bad_data: 1:10: parse error: unexpected character: '~'",
			"Checkout/checkout-fast 99% 7d [1h=0.005 30m=0.01 3d=0 5m=0.1 6h=0.001 window=0.0005]"}, ""},
		{"every query failing fails the source", func(a map[string]fakeprom.Answer) {
			a[strings.ReplaceAll(errQ, "$window", "1h")] = fakeprom.Answer{Status: 503, ErrorType: "timeout", Error: "query timed out"}
			a[strings.ReplaceAll(goodQ, "$window", "1h")] = fakeprom.Answer{Status: 422, ErrorType: "execution", Error: "many-to-many matching not allowed"}
		}, model.Target{Name: "checkout"}, nil, "every SLO query failed (2)"},
		{"errors above total", func(a map[string]fakeprom.Answer) {
			a[strings.ReplaceAll(totQ, "$window", "6h")] = fakeprom.Answer{Samples: []fakeprom.Sample{{Value: 0.1}}}
		}, model.Target{Name: "checkout"}, []string{
			"checkout/checkout-errors 99.9% 30d [] error: error ratio 2.7 over 6h is outside 0..1: check the config SLO's queries",
			"Checkout/checkout-fast 99% 7d [1h=0.005 30m=0.01 3d=0 5m=0.1 6h=0.001 window=0.0005]"}, ""},
		{"search has no answers: the fake fails loudly", nil, model.Target{Name: "search"}, nil, "every SLO query failed (1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := base()
			if tc.edit != nil {
				tc.edit(a)
			}
			d := fakeprom.Data{Answers: a}
			src, srv := startSLO(t, fakeprom.Options{}, d, prometheus.Options{SLOs: decls})
			got, err := src.SLOs(context.Background(), tc.target)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || httpx.StatusOf(err) == 0 {
					t.Fatalf("err %v, want %q with the HTTP status", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sums []string
			for _, s := range got {
				sums = append(sums, sloSummary(s))
			}
			if !slices.Equal(sums, tc.want) {
				t.Errorf("SLOs\n %s\nwant\n %s", strings.Join(sums, "\n "), strings.Join(tc.want, "\n "))
			}
			// One query per SLO, every window filled in for $window.
			var qs []string
			for _, r := range srv.Requests() {
				if r.Path == "/api/v1/query" {
					qs = append(qs, r.Query.Get("query"))
				}
			}
			if len(qs) != 2 {
				t.Fatalf("%d queries, want one per SLO: %q", len(qs), qs)
			}
			for _, q := range qs {
				win := "[30d]"
				if strings.Contains(q, "le=") {
					win = "[7d]"
				}
				for _, w := range []string{"[5m]", "[30m]", "[1h]", "[6h]", "[3d]", win} {
					if strings.Count(q, w) != 2 {
						t.Errorf("query lacks %s twice: %s", w, q)
					}
				}
				if strings.Contains(q, "$window") {
					t.Errorf("placeholder left in %s", q)
				}
			}
		})
	}
}

// TestDeclaredQueryShape pins the PromQL sent for a declared SLO.
func TestDeclaredQueryShape(t *testing.T) {
	decl := config.SLO{Name: "x", Service: "checkout", Objective: 99.9, Window: 30 * day, ErrorQuery: `e[$window]`, TotalQuery: `t[$window]`}
	src, srv := startSLO(t, fakeprom.Options{}, fakeprom.Data{}, prometheus.Options{SLOs: []config.SLO{decl}})
	_, _ = src.SLOs(context.Background(), model.Target{Name: "checkout"})
	var got string
	for _, r := range srv.Requests() {
		if r.Path == "/api/v1/query" {
			got = r.Query.Get("query")
		}
	}
	var want []string
	for _, w := range []string{"5m", "30m", "1h", "6h", "3d"} {
		want = append(want, `label_replace((sum(e[`+w+`]) or vector(0)) / sum(t[`+w+`]), "opsctx_window", "`+w+`", "", "")`)
	}
	want = append(want, `label_replace((sum(e[30d]) or vector(0)) / sum(t[30d]), "opsctx_window", "window", "", "")`)
	if w := strings.Join(want, " or "); got != w {
		t.Errorf("query\n %s\nwant\n %s", got, w)
	}
}

func TestAnnotationSLOs(t *testing.T) {
	errQ, totQ := `rate(x_errors_total[$window])`, `rate(x_total[$window])`
	a := answers(map[string]float64{"5m": 1, "30m": 1, "1h": 1, "6h": 1, "3d": 1, "28d": 1},
		map[string]float64{"5m": 100, "30m": 100, "1h": 200, "6h": 400, "3d": 1000, "28d": 10000}, errQ, totQ)
	ann := func(kv ...string) map[string]string { return lbl(kv...) }
	good := ann(prometheus.AnnotationSLOObjective, "99.5", prometheus.AnnotationSLOWindow, "4w",
		prometheus.AnnotationSLOErrorQuery, errQ, prometheus.AnnotationSLOTotalQuery, totQ)
	rec := func(source string, a map[string]string) model.Service {
		return model.Service{ID: source + ":x", Name: "x", Source: source, Annotations: a}
	}
	cases := []struct {
		name    string
		records []model.Service
		want    []string
		queries int
	}{
		{"catalog file and Backstage carry the same SLO once", []model.Service{rec("catalogfile", good), rec("backstage", good)},
			[]string{"x/x-slo 99.5% 28d [1h=0.005 30m=0.01 3d=0.001 5m=0.01 6h=0.0025 window=0.0001]"}, 1},
		{"named, default window", []model.Service{rec("catalogfile", ann(prometheus.AnnotationSLOName, "x-availability", prometheus.AnnotationSLOObjective, "99.5%",
			prometheus.AnnotationSLOErrorQuery, errQ, prometheus.AnnotationSLOTotalQuery, totQ))}, nil, 1},
		{"invalid: no query sent", []model.Service{rec("catalogfile", ann(prometheus.AnnotationSLOObjective, "high", prometheus.AnnotationSLOWindow, "10m",
			prometheus.AnnotationSLOErrorQuery, `rate(x[5m])`, prometheus.AnnotationSLOGoodQuery, `rate(y[$window]`))},
			[]string{"x/x-slo 0% 30d [] error: invalid SLO annotations: opsctx.io/slo-objective: \"high\" is not a percentage: use e.g. 99.9 (greater than 0, at most 100); " +
				"opsctx.io/slo-window: \"10m\" is too short for an SLO window: use e.g. 7d, 28d, 30d; " +
				"opsctx.io/slo-error-query: give exactly one of opsctx.io/slo-error-query or opsctx.io/slo-good-query; " +
				"opsctx.io/slo-error-query: PromQL \"rate(x[5m])\" has no [$window] range: the burn-rate windows need it; " +
				"opsctx.io/slo-good-query: unclosed '(' in PromQL \"rate(y[$window]\"; " +
				"opsctx.io/slo-total-query: required (a PromQL expression using [$window])"}, 0},
		{"no SLO annotations", []model.Service{rec("catalogfile", ann("pagerduty.com/service-id", "P1"))}, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := startSLO(t, fakeprom.Options{}, fakeprom.Data{Answers: a}, prometheus.Options{})
			got, err := src.SLOs(context.Background(), model.Target{Name: "x", Records: tc.records})
			if tc.name == "named, default window" {
				// 30d has no canned answer: the one query fails, so the source fails
				if err == nil || !strings.Contains(err.Error(), "no canned answer") {
					t.Fatalf("err %v", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				var sums []string
				for _, s := range got {
					sums = append(sums, sloSummary(s))
				}
				if !slices.Equal(sums, tc.want) {
					t.Errorf("SLOs\n %s\nwant\n %s", strings.Join(sums, "\n "), strings.Join(tc.want, "\n "))
				}
			}
			if n := srv.Count("/api/v1/query"); n != tc.queries {
				t.Errorf("%d queries, want %d", n, tc.queries)
			}
		})
	}
}

func TestSLOSourceErrors(t *testing.T) {
	decls := declaredSLOs()[:1]
	ok := answers(map[string]float64{"5m": 1, "30m": 1, "1h": 1, "6h": 1, "3d": 1, "30d": 1},
		map[string]float64{"5m": 100, "30m": 100, "1h": 100, "6h": 100, "3d": 100, "30d": 100}, decls[0].ErrorQuery, decls[0].TotalQuery)
	cases := []struct {
		name   string
		fault  fake.Fault
		decls  []config.SLO
		err    string
		nSLOs  int
		errors int // SLOs with Error
	}{
		{"rules down, nothing declared", fake.Fault{PathPrefix: "/api/v1/rules", Status: 503, Body: `{"status":"error","errorType":"unavailable","error":"rule manager not ready"}`},
			nil, "reading SLO recording rules", 0, 0},
		{"rules down, declared SLO still read", fake.Fault{PathPrefix: "/api/v1/rules", Status: 503, Body: "down"}, decls, "", 1, 0},
		{"queries down: discovered and declared SLOs all fail", fake.Fault{PathPrefix: "/api/v1/query", Status: 400,
			Body: `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\""}`}, decls, "every SLO query failed (3)", 0, 0},
		{"401 names the settings", fake.Fault{Status: 401, Body: "401 Unauthorized"}, decls, "PROMETHEUS_USERNAME", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := sloData()
			d.Answers = ok
			src, srv := startSLO(t, fakeprom.Options{}, d, prometheus.Options{SLOs: tc.decls})
			srv.AddFault(tc.fault)
			got, err := src.SLOs(context.Background(), model.Target{Name: "checkout"})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || len(got) != tc.nSLOs {
				t.Fatalf("%d SLOs, %v", len(got), err)
			}
			for _, s := range got {
				if s.Error != "" {
					t.Errorf("%s: %s", s.Name, s.Error)
				}
			}
		})
	}
}

// TestSLOsOfTheTargetOnly: a dependency's SLOs are not the target's.
func TestSLOsOfTheTargetOnly(t *testing.T) {
	src, srv := startSLO(t, fakeprom.Options{}, sloData(), prometheus.Options{SLOs: declaredSLOs()[2:]})
	got, err := src.SLOs(context.Background(), model.Target{Name: "storefront", Related: []model.Target{{Name: "checkout"}, {Name: "search"}}})
	if err != nil || len(got) != 0 {
		t.Errorf("storefront SLOs %+v, %v", got, err)
	}
	if n := srv.Count("/api/v1/query"); n != 0 {
		t.Errorf("%d queries for a service without SLOs", n)
	}
}
