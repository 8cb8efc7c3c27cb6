package alertmanager_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors/alertmanager"
	fakeam "github.com/opsctx/opsctx/internal/fake/alertmanager"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
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

func alerts() []fakeam.Alert {
	return []fakeam.Alert{
		{Labels: lbl("alertname", "CheckoutHighLatency", "service", "checkout", "severity", "critical", "team", "checkout"),
			Annotations: lbl("summary", "Checkout p95 latency above 2s", "description", "p95 3.4s", "runbook_url", "https://rb/checkout#latency"),
			StartsAt:    t0.Add(-21 * time.Minute), GeneratorURL: "http://prom/graph?g0.expr=x"},
		{Labels: lbl("alertname", "OrdersDBSlowQueries", "service", "orders-db", "severity", "warning"), StartsAt: t0.Add(-24 * time.Minute),
			InhibitedBy: []string{"0123456789abcdef"}},
		{Labels: lbl("alertname", "CheckoutNoisy", "service", "checkout", "severity", "info"), StartsAt: t0.Add(-5 * time.Minute),
			Annotations: lbl("runbook", "https://rb/noisy")},
		{Labels: lbl("alertname", "JobOnly", "job", "checkout", "severity", "warning"), StartsAt: t0.Add(-3 * time.Minute)},
		{Labels: lbl("alertname", "AppOnly", "app", "orders-db"), StartsAt: t0.Add(-2 * time.Minute)},
		{Labels: lbl("alertname", "JobNamesOther", "service", "search", "job", "checkout"), StartsAt: t0.Add(-time.Minute)},
		{Labels: lbl("alertname", "Dotless", "service", "axb"), StartsAt: t0.Add(-time.Minute)},
		{Labels: lbl("alertname", "AliasUpper", "service", "CHECKOUT-API"), StartsAt: t0.Add(-30 * time.Second)},
		{Labels: lbl("alertname", "RecordID", "service", "component:default/checkout"), StartsAt: t0.Add(-30 * time.Second)},
		{Labels: lbl("alertname", "Resolved", "service", "checkout"), StartsAt: t0.Add(-time.Hour), EndsAt: t0.Add(-time.Minute)},
		{Labels: lbl("alertname", "CheckoutAvailabilityBurn", "sloth_id", "checkout-availability", "sloth_service", "checkout",
			"sloth_slo", "availability", "sloth_severity", "page", "severity", "critical"), StartsAt: t0.Add(-20 * time.Second)},
		{Labels: lbl("alertname", "ErrorBudgetBurn", "slo", "search-availability", "severity", "critical", "long", "1h", "short", "5m"),
			StartsAt: t0.Add(-10 * time.Second)},
	}
}

func silence() fakeam.Silence {
	return fakeam.Silence{ID: "sil-noisy", Matchers: []fakeam.Matcher{{Name: "alertname", Value: "CheckoutNoisy"}}, StartsAt: t0.Add(-time.Hour),
		EndsAt: t0.Add(time.Hour), CreatedBy: "sam", Comment: "known noise"}
}

func start(t *testing.T, fo fakeam.Options, o alertmanager.Options, auth func(*http.Request)) (*alertmanager.Source, *fakeam.Server) {
	t.Helper()
	fo.Now = func() time.Time { return t0 }
	srv := fakeam.Start(fo, alerts(), []fakeam.Silence{silence()})
	t.Cleanup(srv.Close)
	c := httpx.New(httpx.Options{Source: "alertmanager", BaseURL: srv.URL, Auth: auth, RetryMax: -1})
	t.Cleanup(c.CloseIdleConnections)
	o.Client = c
	return alertmanager.New(o), srv
}

func checkoutTarget() model.Target {
	return model.Target{Name: "checkout", Records: []model.Service{{ID: "component:default/checkout", Name: "checkout", Title: "Checkout",
		Aliases: []string{"checkout-api", "Checkout"}, Source: "catalogfile"}},
		Related: []model.Target{{Name: "orders-db"}, {Name: "a.b"}}}
}

func TestAlertsMapping(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		t.Run(fmt.Sprint("legacy=", legacy), func(t *testing.T) {
			src, srv := start(t, fakeam.Options{Legacy: legacy}, alertmanager.Options{}, nil)
			got, err := src.Alerts(context.Background(), checkoutTarget())
			if err != nil {
				t.Fatal(err)
			}
			fp := fakeam.Fingerprint
			want := []model.Alert{
				{ID: fp(alerts()[1].Labels), Title: "OrdersDBSlowQueries", Service: "orders-db", Severity: "warning", Status: "inhibited",
					DedupKey: fp(alerts()[1].Labels), StartedAt: t0.Add(-24 * time.Minute), Labels: alerts()[1].Labels, Source: "alertmanager"},
				{ID: fp(alerts()[0].Labels), Title: "Checkout p95 latency above 2s", Service: "checkout", Severity: "critical", Status: "firing",
					DedupKey: fp(alerts()[0].Labels), StartedAt: t0.Add(-21 * time.Minute), Labels: alerts()[0].Labels, Description: "p95 3.4s",
					RunbookURL: "https://rb/checkout#latency", Source: "alertmanager", URL: "http://prom/graph?g0.expr=x"},
				{ID: fp(alerts()[2].Labels), Title: "CheckoutNoisy", Service: "checkout", Severity: "info", Status: "silenced",
					DedupKey: fp(alerts()[2].Labels), StartedAt: t0.Add(-5 * time.Minute), Labels: alerts()[2].Labels,
					RunbookURL: "https://rb/noisy", SilencedBy: []string{"sil-noisy"}, Source: "alertmanager"},
				{ID: fp(alerts()[3].Labels), Title: "JobOnly", Service: "checkout", Severity: "warning", Status: "firing",
					DedupKey: fp(alerts()[3].Labels), StartedAt: t0.Add(-3 * time.Minute), Labels: alerts()[3].Labels, Source: "alertmanager"},
				{ID: fp(alerts()[4].Labels), Title: "AppOnly", Service: "orders-db", Status: "firing",
					DedupKey: fp(alerts()[4].Labels), StartedAt: t0.Add(-2 * time.Minute), Labels: alerts()[4].Labels, Source: "alertmanager"},
				{ID: fp(alerts()[7].Labels), Title: "AliasUpper", Service: "CHECKOUT-API", Status: "firing",
					DedupKey: fp(alerts()[7].Labels), StartedAt: t0.Add(-30 * time.Second), Labels: alerts()[7].Labels, Source: "alertmanager"},
				// Sloth's alert names its service in sloth_service; Pyrra's names only its SLO
				// (the answer attributes it through the SLO).
				{ID: fp(alerts()[10].Labels), Title: "CheckoutAvailabilityBurn", Service: "checkout", Severity: "critical", Status: "firing",
					DedupKey: fp(alerts()[10].Labels), StartedAt: t0.Add(-20 * time.Second), Labels: alerts()[10].Labels, Source: "alertmanager",
					SLO: "checkout-availability"},
				{ID: fp(alerts()[11].Labels), Title: "ErrorBudgetBurn", Severity: "critical", Status: "firing",
					DedupKey: fp(alerts()[11].Labels), StartedAt: t0.Add(-10 * time.Second), Labels: alerts()[11].Labels, Source: "alertmanager",
					SLO: "search-availability"},
			}
			want[0].InhibitedBy = []string{"0123456789abcdef"}
			for i := range want {
				want[i].Notifier = true // Alertmanager decides whether an alert notifies
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, want)
			}
			// One request reads every active, silenced and inhibited alert; the selection runs
			// here (TestSelectionAsFilters: as Alertmanager's filters would select).
			if r := srv.Requests(); len(r) != 1 || r[0].Path != "/api/v2/alerts" || len(r[0].Query["filter"]) != 0 ||
				r[0].Query.Get("active") != "true" || r[0].Query.Get("silenced") != "true" || r[0].Query.Get("inhibited") != "true" {
				t.Errorf("requests %+v, want one unfiltered /api/v2/alerts with silenced and inhibited alerts", r)
			}
		})
	}
}

func TestAlertsZeroTargetAndLabels(t *testing.T) {
	cases := []struct {
		name   string
		labels config.Labels
		target model.Target
		ids    []string // alertnames returned
	}{
		{"zero target", config.Labels{}, model.Target{},
			[]string{"OrdersDBSlowQueries", "CheckoutHighLatency", "CheckoutNoisy", "JobOnly", "AppOnly", "JobNamesOther", "Dotless", "AliasUpper", "RecordID",
				"CheckoutAvailabilityBurn", "ErrorBudgetBurn"}},
		{"configured labels", config.Labels{Service: "job", Severity: "team"}, model.Target{Name: "checkout"},
			[]string{"JobOnly", "JobNamesOther", "CheckoutAvailabilityBurn", "ErrorBudgetBurn"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, _ := start(t, fakeam.Options{}, alertmanager.Options{Labels: tc.labels, Fallbacks: []string{}}, nil)
			got, err := src.Alerts(context.Background(), tc.target)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, a := range got {
				names = append(names, a.Labels["alertname"])
			}
			if !slices.Equal(names, tc.ids) {
				t.Errorf("alerts %v, want %v", names, tc.ids)
			}
			if tc.labels.Severity == "team" && got[0].Severity != "" {
				t.Errorf("severity from configured label: %q", got[0].Severity)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	cases := []struct {
		name string
		fo   fakeam.Options
		auth func(*http.Request)
		err  string
	}{
		{"no auth", fakeam.Options{}, nil, ""},
		{"basic", fakeam.Options{Username: "u", Password: "p"}, basic("u", "p"), ""},
		{"bearer", fakeam.Options{Token: "s3cret"}, bearer("s3cret"), ""},
		{"wrong password", fakeam.Options{Username: "u", Password: "p"}, basic("u", "x"), "HTTP 401"},
		{"missing token", fakeam.Options{Token: "s3cret"}, nil, "check ALERTMANAGER_TOKEN or ALERTMANAGER_USERNAME and ALERTMANAGER_PASSWORD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, _ := start(t, tc.fo, alertmanager.Options{}, tc.auth)
			for _, err := range []error{src.Check(context.Background()), func() error { _, err := src.Alerts(context.Background(), model.Target{}); return err }()} {
				if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
					t.Errorf("err = %v, want %q", err, tc.err)
				}
			}
		})
	}
}

func TestGroupsAndSilences(t *testing.T) {
	src, srv := start(t, fakeam.Options{GroupBy: []string{"service"}}, alertmanager.Options{}, nil)
	gs, err := src.Groups(context.Background(), model.Target{Name: "checkout"})
	if err != nil {
		t.Fatal(err)
	}
	// service=checkout holds two alerts; the other service labels (Sloth's, job) and
	// Pyrra's SLO alerts add the group with an empty service.
	if len(gs) != 2 || gs[0].Labels["service"] != "checkout" || len(gs[0].Alerts) != 2 || gs[0].Receiver != "default" ||
		len(gs[1].Alerts) != 3 || !slices.ContainsFunc(gs[1].Alerts, func(a model.Alert) bool { return a.Title == "JobOnly" }) {
		t.Errorf("groups %+v", gs)
	}
	id := srv.AddSilence(fakeam.Silence{Matchers: []fakeam.Matcher{{Name: "service", Value: "a|b", IsRegex: true}},
		StartsAt: t0.Add(time.Hour), EndsAt: t0.Add(2 * time.Hour), CreatedBy: "lena", Comment: "maintenance"})
	srv.AddSilence(fakeam.Silence{Matchers: []fakeam.Matcher{{Name: "x", Value: "y"}}, StartsAt: t0.Add(-2 * time.Hour), EndsAt: t0.Add(-time.Hour), CreatedBy: "old"})
	sils, err := src.Silences(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sils) != 2 || sils[0].State != "active" || sils[0].Matchers[0] != `alertname="CheckoutNoisy"` ||
		sils[1].ID != id || sils[1].State != "pending" || sils[1].Matchers[0] != `service=~"a|b"` || sils[1].CreatedBy != "lena" {
		t.Errorf("silences %+v", sils)
	}
	// Mutes: the active silence and the pending one starting within the horizon; not the
	// pending one starting after it, nor the expired one.
	srv.AddSilence(fakeam.Silence{ID: "later", Matchers: []fakeam.Matcher{{Name: "service", Value: "checkout"}},
		StartsAt: t0.Add(3 * time.Hour), EndsAt: t0.Add(4 * time.Hour), CreatedBy: "kofi"})
	f := false
	srv.AddSilence(fakeam.Silence{ID: "neg", Matchers: []fakeam.Matcher{{Name: "severity", Value: "info|warning", IsRegex: true, IsEqual: &f}},
		StartsAt: t0.Add(-time.Minute), EndsAt: t0.Add(25 * time.Minute), CreatedBy: "sam", Comment: "quiet"})
	mutes, err := src.Mutes(context.Background(), model.Target{Name: "checkout", Until: t0, Ahead: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range mutes {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []string{"sil-noisy", id, "neg"}) {
		t.Fatalf("mutes %v, want the active, the pending within the horizon and the negative one", ids)
	}
	neg := mutes[2]
	if neg.Kind != model.MuteSilence || neg.CreatedBy != "sam" || neg.Title != "quiet" || !neg.EndsAt.Equal(t0.Add(25*time.Minute)) ||
		neg.Matchers[0] != (model.Matcher{Name: "severity", Value: "info|warning", Regex: true, Negative: true}) {
		t.Errorf("negative silence %+v", neg)
	}
	if !mutes[0].Covers(alerts()[2].Labels) || mutes[0].Covers(alerts()[0].Labels) ||
		neg.Covers(alerts()[2].Labels) || !neg.Covers(alerts()[0].Labels) {
		t.Errorf("coverage: %+v / %+v", mutes[0], neg)
	}
}
