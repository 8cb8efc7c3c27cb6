package prometheus_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/prometheus"
	"github.com/opsctx/opsctx/internal/fake"
	fakeam "github.com/opsctx/opsctx/internal/fake/alertmanager"
	fakeprom "github.com/opsctx/opsctx/internal/fake/prometheus"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)

func lbl(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func groups() []fakeprom.Group {
	return []fakeprom.Group{
		{Name: "checkout", File: "/rules/checkout.yml", Interval: time.Minute, Rules: []fakeprom.Rule{
			{Name: "CheckoutHighLatency", Query: "histogram_quantile(0.95, x) > 2", Duration: 5 * time.Minute,
				Labels: lbl("severity", "critical", "team", "checkout"), Annotations: lbl("summary", "Checkout p95 latency above 2s", "runbook_url", "https://rb/checkout"),
				Alerts: []fakeprom.Alert{{Labels: lbl("alertname", "CheckoutHighLatency", "service", "checkout", "severity", "critical", "team", "checkout"),
					Annotations: lbl("summary", "Checkout p95 latency above 2s", "description", "p95 3.4s", "runbook_url", "https://rb/checkout"),
					State:       "firing", ActiveAt: t0.Add(-21 * time.Minute)}}},
			{Type: "recording", Name: "job:latency:p95", Query: "x"},
			{Name: "CheckoutErrors", Query: "rate(errors[5m]) > 1", Duration: time.Minute, Health: "err", LastError: "many-to-many matching",
				Alerts: []fakeprom.Alert{{Labels: lbl("alertname", "CheckoutErrors", "job", "checkout"), State: "pending", ActiveAt: t0.Add(-30 * time.Second)}}},
		}},
		{Name: "db", File: "/rules/db.yml", Interval: time.Minute, Rules: []fakeprom.Rule{
			{Name: "OrdersDBSlowQueries", Query: "x > 1", Alerts: []fakeprom.Alert{{Labels: lbl("alertname", "OrdersDBSlowQueries", "service", "orders-db", "severity", "warning"),
				State: "firing", ActiveAt: t0.Add(-24 * time.Minute)}}},
		}},
		{Name: "search", File: "/rules/search.yml", Interval: time.Minute, Rules: []fakeprom.Rule{
			{Name: "SearchIndexLagHigh", Query: "lag > 600", Alerts: []fakeprom.Alert{{Labels: lbl("alertname", "SearchIndexLagHigh", "app", "search", "severity", "critical"),
				State: "firing", ActiveAt: t0.Add(-40 * time.Minute)}}},
		}},
		{Name: "quiet", File: "/rules/quiet.yml", Interval: time.Minute, Rules: []fakeprom.Rule{{Name: "Never", Query: "vector(0) > 1"}}},
	}
}

func start(t *testing.T, fo fakeprom.Options, o prometheus.Options, auth func(*http.Request)) (*prometheus.Source, *fakeprom.Server) {
	t.Helper()
	srv := fakeprom.Start(fo, groups())
	t.Cleanup(srv.Close)
	c := httpx.New(httpx.Options{Source: "prometheus", BaseURL: srv.URL, Auth: auth, RetryMax: -1})
	t.Cleanup(c.CloseIdleConnections)
	o.Client = c
	return prometheus.New(o), srv
}

// TestPendingFiresAt: a pending alert fires when its rule's `for` runs out, which the rule
// listing Warm keeps tells; before Warm, the alerts read that listing once themselves.
func TestPendingFiresAt(t *testing.T) {
	src, srv := start(t, fakeprom.Options{}, prometheus.Options{}, nil)
	target := model.Target{Name: "checkout"}
	firesAt := func() time.Time {
		got, err := src.Alerts(context.Background(), target)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range got {
			if a.Status == model.AlertPending {
				return a.FiresAt
			}
			if !a.FiresAt.IsZero() {
				t.Errorf("%s is %s, with a time it fires", a.Labels["alertname"], a.Status)
			}
		}
		t.Fatal("no pending alert")
		return time.Time{}
	}
	want := t0.Add(30 * time.Second) // active 30 s ago, for 1 min
	if at := firesAt(); !at.Equal(want) {
		t.Errorf("cold: fires at %s, want %s", at, want)
	}
	if n := srv.Count("/api/v1/rules"); n != 1 {
		t.Errorf("cold: %d rule listings read, want 1", n)
	}
	if err := src.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Reset()
	if at := firesAt(); !at.Equal(want) {
		t.Errorf("warm: fires at %s, want %s", at, want)
	}
	if n := srv.Count("/api/v1/rules"); n != 0 {
		t.Errorf("warm: %d rule listings read by Alerts, want 0 (Warm keeps it)", n)
	}
	// A fresh process with a snapshot knows the rules' for without reading them.
	b, err := src.Kept()
	if err != nil {
		t.Fatal(err)
	}
	fresh, srv2 := start(t, fakeprom.Options{}, prometheus.Options{}, nil)
	if err := fresh.Keep(b); err != nil {
		t.Fatal(err)
	}
	src = fresh
	if at := firesAt(); !at.Equal(want) || srv2.Count("/api/v1/rules") != 0 {
		t.Errorf("from a snapshot: fires at %s (want %s) after %d rule listings (want 0)", at, want, srv2.Count("/api/v1/rules"))
	}
}

func TestAlerts(t *testing.T) {
	target := model.Target{Name: "checkout", Related: []model.Target{{Name: "orders-db"}}}
	cases := []struct {
		name   string
		o      prometheus.Options
		target model.Target
		want   []string // alertname/status
	}{
		{"target and related, pending too", prometheus.Options{}, target,
			[]string{"OrdersDBSlowQueries/firing", "CheckoutHighLatency/firing", "CheckoutErrors/pending"}},
		{"zero target", prometheus.Options{}, model.Target{},
			[]string{"SearchIndexLagHigh/firing", "OrdersDBSlowQueries/firing", "CheckoutHighLatency/firing", "CheckoutErrors/pending"}},
		{"app fallback, any case", prometheus.Options{}, model.Target{Name: "Search"}, []string{"SearchIndexLagHigh/firing"}},
		{"record alias", prometheus.Options{}, model.Target{Name: "shop-checkout", Records: []model.Service{{ID: "checkout", Name: "x", Aliases: []string{"CHECKOUT"}}}},
			[]string{"CheckoutHighLatency/firing", "CheckoutErrors/pending"}},
		{"record id is no label value", prometheus.Options{}, model.Target{Name: "x", Records: []model.Service{{ID: "checkout", Name: "y"}}}, nil},
		{"no fallbacks", prometheus.Options{Fallbacks: []string{}}, model.Target{Name: "search"}, nil},
		{"configured service label", prometheus.Options{Labels: config.Labels{Service: "team"}, Fallbacks: []string{}},
			model.Target{Name: "checkout"}, []string{"CheckoutHighLatency/firing"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := start(t, fakeprom.Options{}, tc.o, nil)
			got, err := src.Alerts(context.Background(), tc.target)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range got {
				names = append(names, a.Labels["alertname"]+"/"+string(a.Status))
			}
			if !slices.Equal(names, tc.want) {
				t.Errorf("alerts %v, want %v", names, tc.want)
			}
			if n := srv.Count("/api/v1/alerts"); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

func TestAlertMapping(t *testing.T) {
	src, srv := start(t, fakeprom.Options{}, prometheus.Options{}, nil)
	got, err := src.Alerts(context.Background(), model.Target{Name: "checkout"})
	if err != nil || len(got) != 2 || got[1].Status != model.AlertPending { // and CheckoutErrors, pending
		t.Fatalf("%v %v", got, err)
	}
	labels := lbl("alertname", "CheckoutHighLatency", "service", "checkout", "severity", "critical", "team", "checkout")
	want := model.Alert{ID: fakeam.Fingerprint(labels), Title: "Checkout p95 latency above 2s", Service: "checkout", Severity: "critical",
		Status: "firing", DedupKey: fakeam.Fingerprint(labels), StartedAt: t0.Add(-21 * time.Minute), Labels: labels, Description: "p95 3.4s",
		RunbookURL: "https://rb/checkout", Source: "prometheus",
		URL: srv.URL + "/graph?g0.expr=ALERTS%7Balertname%3D%22CheckoutHighLatency%22%7D&g0.tab=1"}
	if fmt.Sprintf("%+v", got[0]) != fmt.Sprintf("%+v", want) {
		t.Errorf("got  %+v\nwant %+v", got[0], want)
	}
}

func TestFingerprintMatchesAlertmanager(t *testing.T) {
	cases := []map[string]string{
		{},
		lbl("alertname", "CheckoutHighLatency", "service", "checkout", "severity", "critical", "team", "checkout"),
		lbl("a", "", "b", "ü\xff"),
	}
	// 007053eed89e643c was read from a real Alertmanager 0.25 for the second label set.
	if got := prometheus.Fingerprint(cases[1]); got != "007053eed89e643c" {
		t.Errorf("fingerprint %s, want 007053eed89e643c", got)
	}
	for _, ls := range cases {
		if a, b := prometheus.Fingerprint(ls), fakeam.Fingerprint(ls); a != b || len(a) != 16 {
			t.Errorf("%v: %s vs fake %s", ls, a, b)
		}
	}
}

func TestRulesPaging(t *testing.T) {
	for _, old := range []bool{false, true} {
		t.Run(fmt.Sprint("old=", old), func(t *testing.T) {
			src, srv := start(t, fakeprom.Options{OldServer: old}, prometheus.Options{GroupLimit: 1}, nil)
			t.Cleanup(func() { reqcontract.Check(t, "prometheus", srv.Requests()) }) // every request in the API reference
			rules, err := src.Rules(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range rules {
				names = append(names, r.Name)
			}
			if want := []string{"CheckoutHighLatency", "CheckoutErrors", "OrdersDBSlowQueries", "SearchIndexLagHigh", "Never"}; !slices.Equal(names, want) {
				t.Errorf("rules %v, want %v", names, want)
			}
			reqs := srv.Requests()
			wantReqs := 4
			if old {
				wantReqs = 1
			}
			if len(reqs) != wantReqs {
				t.Fatalf("%d requests, want %d", len(reqs), wantReqs)
			}
			for i, r := range reqs {
				if r.Query.Get("type") != "alert" || r.Query.Get("group_limit") != "1" || (i > 0) != (r.Query.Get("group_next_token") != "") {
					t.Errorf("request %d: %v", i, r.Query)
				}
			}
			r0, r1 := rules[0], rules[1]
			if r0.Group != "checkout" || r0.File != "/rules/checkout.yml" || r0.For != 5*time.Minute || r0.State != "firing" ||
				r0.Health != "ok" || r0.RunbookURL != "https://rb/checkout" || len(r0.Alerts) != 1 || r0.Alerts[0].Service != "checkout" ||
				r0.Labels["severity"] != "critical" {
				t.Errorf("rule %+v", r0)
			}
			if r1.State != "pending" || r1.Health != "err" || r1.LastError != "many-to-many matching" || r1.For != time.Minute || r1.Alerts[0].Status != "pending" {
				t.Errorf("rule %+v", r1)
			}
			if rules[4].State != "inactive" || len(rules[4].Alerts) != 0 {
				t.Errorf("rule %+v", rules[4])
			}
		})
	}
}

// TestRulesPagingLoopFails: a server that hands out the same group_next_token again (it
// replays page 1) fails the rule listing with a paging loop instead of listing page 1
// MaxPages times.
func TestRulesPagingLoopFails(t *testing.T) {
	src, srv := start(t, fakeprom.Options{}, prometheus.Options{GroupLimit: 1}, nil)
	srv.AddFault(fake.Fault{Path: "/api/v1/rules", Replay: true})
	if rules, err := src.Rules(context.Background()); !errors.Is(err, connectors.ErrPagingLoop) || len(rules) != 0 {
		t.Fatalf("%d rules, %v; want none and a paging loop", len(rules), err)
	}
	if n := srv.Count("/api/v1/rules"); n != 2 {
		t.Errorf("%d rule pages asked, want 2 (page 1 and its repeat)", n)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		fo    fakeprom.Options
		auth  func(*http.Request)
		fault *fake.Fault
		err   string
	}{
		{"ok with bearer", fakeprom.Options{Token: "tok"}, func(r *http.Request) { r.Header.Set("Authorization", "Bearer tok") }, nil, ""},
		{"ok with basic", fakeprom.Options{Username: "u", Password: "p"}, func(r *http.Request) { r.SetBasicAuth("u", "p") }, nil, ""},
		{"unauthorized", fakeprom.Options{Username: "u", Password: "p"}, nil, nil, "HTTP 401 Unauthorized: 401 Unauthorized"},
		{"api error", fakeprom.Options{}, nil, &fake.Fault{Status: 503, Body: `{"status":"error","errorType":"timeout","error":"query timed out"}`},
			"timeout: query timed out"},
		{"error envelope with 200", fakeprom.Options{}, nil, &fake.Fault{Status: 200, Body: `{"status":"error","errorType":"internal","error":"boom"}`},
			"internal: boom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := start(t, tc.fo, prometheus.Options{}, tc.auth)
			if tc.fault != nil {
				srv.AddFault(*tc.fault)
			}
			_, err := src.Alerts(context.Background(), model.Target{})
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("err = %v, want %q", err, tc.err)
			}
			if tc.err == "" {
				if err := src.Check(context.Background()); err != nil {
					t.Errorf("check: %v", err)
				}
			}
			if tc.name == "unauthorized" && !strings.Contains(err.Error(), "PROMETHEUS_USERNAME") {
				t.Errorf("401 does not name the settings: %v", err)
			}
		})
	}
}
