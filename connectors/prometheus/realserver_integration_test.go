//go:build integration

package prometheus_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/alertmanager"
	"github.com/opsctx/opsctx/connectors/prometheus"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/realserver"
)

// rules fire at once (vector(1), for: 0s): a checkout alert, a checkout alert the test
// silences, an alert named only by job (the fallback label), an alert for "axb" that
// a regex-escaped "a.b" must not match, a node exporter's alert about the host checkout runs
// on, one about another host, and a neighbour's alert on checkout's host.
const rules = `groups:
  - name: opsctx
    rules:
      - alert: CheckoutHighLatency
        expr: vector(1)
        for: 0s
        labels: {service: checkout, severity: critical, team: checkout}
        annotations:
          summary: Checkout p95 latency above 2s
          description: p95 latency is 3.4s
          runbook_url: https://runbooks.shop.example/checkout#latency
      - alert: CheckoutNoisy
        expr: vector(1)
        for: 0s
        labels: {service: checkout, severity: info}
      - alert: CheckoutByJob
        expr: vector(1)
        for: 0s
        labels: {job: checkout, severity: warning}
      - alert: DotTrap
        expr: vector(1)
        for: 0s
        labels: {service: axb, severity: warning}
      - alert: NodeMemoryPressure
        expr: vector(1)
        for: 0s
        labels: {instance: "app-prod-02.shop.example:9100", job: node, severity: warning}
      - alert: NodeOtherHost
        expr: vector(1)
        for: 0s
        labels: {instance: "app-prod-022:9100", job: node, severity: warning}
      - alert: NeighbourOnHost
        expr: vector(1)
        for: 0s
        labels: {service: search, instance: "app-prod-02:8080", severity: critical}
      - alert: NeverFires
        expr: vector(1) > 2
        for: 5m
        labels: {service: checkout}
`

func client(t *testing.T, name, base string) *httpx.Client {
	c := httpx.New(httpx.Options{Source: name, BaseURL: base, Timeout: 5 * time.Second, RetryWaitMin: 10 * time.Millisecond})
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func names(as []model.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Labels["alertname"]+"/"+string(a.Status))
	}
	slices.Sort(out)
	return out
}

// TestRealPrometheusAndAlertmanager reads alerts that a real Prometheus fired into a real
// Alertmanager, through both connectors and through the join.
func TestRealPrometheusAndAlertmanager(t *testing.T) {
	began := time.Now()
	am := realserver.StartAlertmanager(t, "")
	prom := realserver.StartPrometheus(t, rules, am.URL)
	t.Logf("servers ready after %s", time.Since(began).Round(time.Millisecond))

	ctx := context.Background()
	amSrc := alertmanager.New(alertmanager.Options{Client: client(t, "alertmanager", am.URL)})
	promSrc := prometheus.New(prometheus.Options{Client: client(t, "prometheus", prom.URL), GroupLimit: 2})
	for _, s := range []connectors.Source{amSrc, promSrc} {
		if err := s.Check(ctx); err != nil {
			t.Fatalf("check %s: %v", s.Name(), err)
		}
	}

	// Wait until Alertmanager holds the seven firing alerts.
	deadline := time.Now().Add(30 * time.Second)
	for {
		all, err := amSrc.Alerts(ctx, model.Target{})
		if err == nil && len(all) == 7 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager has %v (err %v) after 30s", names(all), err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("alerts in alertmanager after %s", time.Since(began).Round(time.Millisecond))

	silenceID := postSilence(t, am.URL, "CheckoutNoisy")
	target := model.Target{Name: "checkout", Records: []model.Service{{ID: "component:default/checkout", Name: "checkout", Source: "catalogfile"}},
		Related: []model.Target{{Name: "a.b"}},
		Hosts:   []model.Target{{Name: "app-prod-02", Records: []model.Service{(model.Host{Name: "app-prod-02", Kind: model.HostKindHost}).Record()}}}}

	got, err := amSrc.Alerts(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"CheckoutByJob/firing", "CheckoutHighLatency/firing", "CheckoutNoisy/silenced", "NodeMemoryPressure/firing"}; !slices.Equal(names(got), want) {
		t.Fatalf("alertmanager alerts %v, want %v", names(got), want)
	}
	hl := got[slices.IndexFunc(got, func(a model.Alert) bool { return a.Labels["alertname"] == "CheckoutHighLatency" })]
	if hl.Title != "Checkout p95 latency above 2s" || hl.Service != "checkout" || hl.Severity != "critical" || hl.Description != "p95 latency is 3.4s" ||
		hl.RunbookURL != "https://runbooks.shop.example/checkout#latency" || hl.ID != prometheus.Fingerprint(hl.Labels) || hl.DedupKey != hl.ID ||
		hl.StartedAt.IsZero() || hl.Source != "alertmanager" || !bytes.HasPrefix([]byte(hl.URL), []byte(prom.URL+"/graph?")) {
		t.Errorf("alert %+v", hl)
	}

	if node := got[slices.IndexFunc(got, func(a model.Alert) bool { return a.Labels["alertname"] == "NodeMemoryPressure" })]; node.Host != "app-prod-02.shop.example:9100" {
		t.Errorf("node alert host %q", node.Host)
	}

	pgot, err := promSrc.Alerts(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"CheckoutByJob/firing", "CheckoutHighLatency/firing", "CheckoutNoisy/firing", "NodeMemoryPressure/firing"}; !slices.Equal(names(pgot), want) {
		t.Fatalf("prometheus alerts %v, want %v", names(pgot), want)
	}
	for _, a := range pgot {
		if !slices.ContainsFunc(got, func(b model.Alert) bool { return b.DedupKey == a.DedupKey }) {
			t.Errorf("prometheus alert %s has no Alertmanager twin by fingerprint %s", a.Labels["alertname"], a.DedupKey)
		}
	}

	rs, err := promSrc.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 8 || rs[0].Name != "CheckoutHighLatency" || rs[0].State != "firing" || rs[0].Health != "ok" ||
		rs[0].RunbookURL != "https://runbooks.shop.example/checkout#latency" || rs[7].For != 5*time.Minute || rs[7].State != "inactive" {
		t.Errorf("rules %+v", rs)
	}

	sils, err := amSrc.Silences(ctx)
	if err != nil || len(sils) != 1 || sils[0].ID != silenceID || sils[0].State != "active" || sils[0].Matchers[0] != `alertname="CheckoutNoisy"` {
		t.Errorf("silences %+v, %v", sils, err)
	}
	groups, err := amSrc.Groups(ctx, target)
	if err != nil || len(groups) != 3 {
		t.Errorf("groups %+v, %v", groups, err)
	}
	// Alerts selects from one listing what Alertmanager's own filters select for Groups (one
	// request per service label), plus the alerts on the target's host (which Groups does not ask).
	var filtered []model.Alert
	for _, g := range groups {
		filtered = append(filtered, g.Alerts...)
	}
	if want := slices.DeleteFunc(names(got), func(n string) bool { return n == "NodeMemoryPressure/firing" }); !slices.Equal(names(filtered), want) {
		t.Errorf("Alertmanager's filters select %v, Alerts %v", names(filtered), names(got))
	}

	// Through the join: incident_context for checkout shows the alert group from both sources,
	// counted once: the same alert seen by Prometheus and Alertmanager is one alert.
	cat := &fake.Memory{SourceName: "catalogfile", Cat: model.Catalog{
		Services:     []model.Service{{ID: "component:default/checkout", Name: "checkout", Owner: "team-checkout", Source: "catalogfile"}},
		Dependencies: []model.Dependency{}}}
	eng := engine.New(engine.Options{Sources: []connectors.Source{cat, amSrc, promSrc}, Deadline: 5 * time.Second})
	ans, err := eng.IncidentContext(ctx, engine.Query{Service: "checkout"})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ans.AlertGroups, func(g answer.AlertGroup) bool { return g.Key == hl.DedupKey })
	if i < 0 {
		t.Fatalf("no group %s in %+v", hl.DedupKey, ans.AlertGroups)
	}
	if g := ans.AlertGroups[i]; g.Service != "checkout" || g.Severity != "critical" || g.Count != 1 ||
		!slices.Equal(slices.Sorted(slices.Values(g.Sources)), []string{"alertmanager", "prometheus"}) {
		t.Errorf("group %+v", g)
	}
	for _, s := range ans.Sources {
		if s.Status != model.StateOK {
			t.Errorf("source %+v", s)
		}
	}
	t.Logf("integration test took %s", time.Since(began).Round(time.Millisecond))
}

// postSilence silences alertname for an hour through POST /api/v2/silences.
func postSilence(t *testing.T, base, alertname string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"matchers": []map[string]any{{"name": "alertname", "value": alertname, "isRegex": false, "isEqual": true}},
		"startsAt": time.Now().UTC(), "endsAt": time.Now().Add(time.Hour).UTC(), "createdBy": "opsctx-test", "comment": "integration test",
	})
	resp, err := http.Post(base+"/api/v2/silences", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		SilenceID string `json:"silenceID"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.SilenceID == "" {
		t.Fatalf("silence: %d %v %+v", resp.StatusCode, err, out)
	}
	return out.SilenceID
}
