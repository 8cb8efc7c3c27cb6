//go:build integration

package prometheus_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/alertmanager"
	"github.com/opsctx/opsctx/connectors/prometheus"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/render"
	"github.com/opsctx/opsctx/internal/testkit/realserver"
)

// seamRules fire at once: checkout's latency alert (critical), a noisy one the test silences
// through the v2 API, a warning the critical one inhibits (Alertmanager's inhibit rule), and
// Sloth's generated rules for checkout's availability SLO: its recording rule and its page
// alert, which carries sloth_service and sloth_slo but no service label.
const seamRules = `groups:
  - name: opsctx
    rules:
      - alert: CheckoutHighLatency
        expr: vector(1)
        for: 0s
        labels: {service: checkout, severity: critical}
        annotations: {summary: Checkout p95 latency above 2s}
      - alert: CheckoutNoisy
        expr: vector(1)
        for: 0s
        labels: {service: checkout, severity: info}
        annotations: {summary: Checkout noisy canary}
      - alert: CheckoutQueueBacklog
        expr: vector(1)
        for: 0s
        labels: {service: checkout, severity: warning}
        annotations: {summary: Checkout order queue backlog}
  - name: sloth-slo-sli-recordings-checkout-availability
    rules:
      - record: slo:sli_error:ratio_rate5m
        expr: vector(0.05)
        labels: {sloth_id: checkout-availability, sloth_service: checkout, sloth_slo: availability, sloth_window: 5m}
  - name: sloth-slo-alerts-checkout-availability
    rules:
      - alert: CheckoutAvailabilityBudgetBurn
        expr: max(slo:sli_error:ratio_rate5m{sloth_id="checkout-availability", sloth_service="checkout", sloth_slo="availability"} > (14.4 * 0.001)) without (sloth_window)
        for: 0s
        labels: {sloth_severity: page, severity: critical}
        annotations: {summary: High error budget burn for checkout-availability, title: (page) checkout availability burning}
`

// seamAlertmanager inhibits checkout's warnings while its critical alert fires.
const seamAlertmanager = realserver.DefaultAlertmanagerConfig + `inhibit_rules:
  - source_matchers: [severity="critical", service="checkout"]
    target_matchers: [severity="warning"]
    equal: [service]
`

// failingSLO is declared in the configuration; real Prometheus fails its queries at run time
// (many-to-one matching without group_left), so its figures are unknown, never 0. Beside it,
// healthySLO answers (no errors), so the source is up and only the one SLO failed.
var healthySLO = config.SLO{Name: "checkout-healthy", Service: "checkout", Objective: 99.9, Window: 30 * 24 * time.Hour,
	ErrorQuery: `sum(count_over_time(vector(1)[$window:1m])) * 0`, TotalQuery: `sum(count_over_time(vector(1)[$window:1m]))`}

var failingSLO = config.SLO{Name: "checkout-broken", Service: "checkout", Objective: 99.9, Window: 30 * 24 * time.Hour,
	ErrorQuery: `(label_replace(vector(1),"a","1","","") or label_replace(vector(1),"a","2","","")) + on() (count_over_time(vector(1)[$window:1m]) * 0)`,
	TotalQuery: `count_over_time(vector(1)[$window:1m])`}

// TestRealSeams: real Prometheus and Alertmanager disagree the way they do in production
// (Prometheus says firing for what Alertmanager silences or inhibits), and the answer
// takes the notifier's word, counts each alert once, attributes Sloth's alert through its
// SLO and shows a failed SLO as unknown, in the structured result and the markdown.
func TestRealSeams(t *testing.T) {
	am := realserver.StartAlertmanager(t, seamAlertmanager)
	prom := realserver.StartPrometheus(t, seamRules, am.URL)
	ctx := context.Background()
	amSrc := alertmanager.New(alertmanager.Options{Client: client(t, "alertmanager", am.URL)})
	promSrc := prometheus.New(prometheus.Options{Client: client(t, "prometheus", prom.URL), SLOs: []config.SLO{healthySLO, failingSLO}})

	// Alertmanager holds the four alerts, the warning inhibited, before the silence.
	deadline := time.Now().Add(30 * time.Second)
	for {
		all, err := amSrc.Alerts(ctx, model.Target{})
		if err == nil && len(all) == 4 && slices.Contains(names(all), "CheckoutQueueBacklog/inhibited") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager has %v (err %v) after 30s", names(all), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	silenceID := postSilence(t, am.URL, "CheckoutNoisy")

	cat := &fake.Memory{SourceName: "catalogfile", Cat: model.Catalog{
		Services:     []model.Service{{ID: "component:default/checkout", Name: "checkout", Owner: "team-checkout", Source: "catalogfile"}},
		Dependencies: []model.Dependency{}}}
	eng := engine.New(engine.Options{Sources: []connectors.Source{cat, amSrc, promSrc}, Deadline: 10 * time.Second})
	ans, err := eng.IncidentContext(ctx, engine.Query{Service: "checkout", Detail: answer.DetailFull})
	if err != nil {
		t.Fatal(err)
	}
	md := render.IncidentContext(ans)
	byTitle := func(gs []answer.AlertGroup, title string) *answer.AlertGroup {
		for i, g := range gs {
			if len(g.Alerts) > 0 && g.Alerts[0].Title == title {
				return &gs[i]
			}
		}
		return nil
	}

	// Silenced: apart, with the silence's creator, comment and end; in no firing count.
	if g := byTitle(ans.SuppressedAlertGroups, "Checkout noisy canary"); g == nil || g.State != model.AlertSilenced || len(g.Silences) != 1 ||
		g.Silences[0].ID != silenceID || g.Silences[0].CreatedBy != "opsctx-test" || g.Silences[0].Comment != "integration test" ||
		time.Until(g.Silences[0].EndsAt) < 50*time.Minute || g.UserImpact != "" {
		t.Errorf("silenced group %+v in %+v", g, ans.SuppressedAlertGroups)
	}
	// Inhibited by the critical alert, per the inhibit rule.
	if g := byTitle(ans.SuppressedAlertGroups, "Checkout order queue backlog"); g == nil || g.State != model.AlertInhibited ||
		!slices.Contains(g.InhibitedBy, "Checkout p95 latency above 2s") {
		t.Errorf("inhibited group %+v in %+v", g, ans.SuppressedAlertGroups)
	}
	for _, title := range []string{"Checkout noisy canary", "Checkout order queue backlog"} {
		if g := byTitle(ans.AlertGroups, title); g != nil {
			t.Errorf("%q counted as firing: %+v", title, g)
		}
	}
	// Seen by Prometheus and Alertmanager: one alert.
	if g := byTitle(ans.AlertGroups, "Checkout p95 latency above 2s"); g == nil || g.Count != 1 || g.State != model.AlertFiring ||
		!slices.Equal(slices.Sorted(slices.Values(g.Sources)), []string{"alertmanager", "prometheus"}) {
		t.Errorf("latency group %+v", g)
	}
	// Sloth's alert has no service label: it is checkout's through its SLO.
	if g := byTitle(ans.AlertGroups, "High error budget burn for checkout-availability"); g == nil || g.Service != "checkout" || g.Count != 1 ||
		g.Relation != answer.RelSelf {
		t.Errorf("sloth group %+v in %+v", g, ans.AlertGroups)
	}
	if len(ans.AlertGroups) != 2 {
		t.Errorf("firing groups %d, want 2 (latency, sloth): %+v", len(ans.AlertGroups), ans.AlertGroups)
	}
	// The declared SLO whose queries fail is unknown with its error, never 0.
	i := slices.IndexFunc(ans.SLOs, func(s answer.SLOEntry) bool { return s.Name == failingSLO.Name })
	if i < 0 {
		t.Fatalf("SLOs %+v", ans.SLOs)
	}
	if s := ans.SLOs[i]; s.ErrorBudgetRemaining != nil || s.HoursToExhaust != nil || !strings.Contains(s.Error, "many-to-one matching") {
		t.Errorf("failed SLO %+v", s)
	}
	if j := slices.IndexFunc(ans.SLOs, func(s answer.SLOEntry) bool { return s.Name == healthySLO.Name }); j < 0 || ans.SLOs[j].ErrorBudgetRemaining == nil ||
		*ans.SLOs[j].ErrorBudgetRemaining != 1 || ans.SLOs[j].Error != "" {
		t.Errorf("healthy SLO beside it: %+v", ans.SLOs)
	}

	// The markdown says the same.
	for _, want := range []string{"## Silenced or inhibited", "Checkout noisy canary", "opsctx-test", "Checkout order queue backlog",
		"inhibited by", "High error budget burn for checkout-availability", "many-to-one matching"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	firing := md[strings.Index(md, "## Alerts firing"):]
	firing = firing[:strings.Index(firing[3:], "\n## ")+3]
	if strings.Contains(firing, "Checkout noisy canary") || strings.Contains(firing, "queue backlog") || strings.Contains(firing, "×2") {
		t.Errorf("firing section:\n%s", firing)
	}
	if strings.Contains(ans.Headline, "3 alert group(s) firing") || strings.Contains(ans.Headline, "4 alert group(s) firing") {
		t.Errorf("headline counts suppressed groups: %s", ans.Headline)
	}
}
