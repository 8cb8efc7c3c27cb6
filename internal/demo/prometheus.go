package demo

import (
	"maps"
	"net/url"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	promfake "github.com/opsctx/opsctx/internal/fake/prometheus"
)

func init() { register(config.SourcePrometheus, startPrometheus) }

func startPrometheus(s Scenario, cfg *config.Config) (*fake.Server, error) {
	started := time.Now()
	groups := prometheusGroups(s)
	s.edit(config.SourcePrometheus, &groups)
	srv := promfake.Start(promfake.Options{Now: func() time.Time { return s.T0.Add(time.Since(started)) }}, groups)
	cfg.Sources.Prometheus = &config.Prometheus{URL: srv.URL, Labels: demoLabels}
	return srv.Server, nil
}

// demoLabels are the label names the demo's alerts use.
var demoLabels = config.Labels{Service: "service", Team: "team", Severity: "severity"}

// demoAlert is one firing alerting rule of the scenario; Prometheus evaluates it and
// Alertmanager receives it, so both fakes serve the same label sets.
type demoAlert struct {
	name, group, expr string
	forDur            time.Duration
	labels            map[string]string // rule labels (without alertname)
	annotations       map[string]string
	firingSince       time.Duration // offset before T0
}

// demoAlerts: checkout latency (the symptom users feel), orders-db slow queries (the
// cause, seen from the database) and a loud search alert that touches no user-facing SLO.
func demoAlerts() []demoAlert {
	return []demoAlert{
		{name: "CheckoutHighLatency", group: "checkout.rules", forDur: time.Minute,
			expr:   `histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="checkout"}[5m]))) > 2`,
			labels: map[string]string{"service": Checkout, "severity": "critical", "team": "checkout"},
			annotations: map[string]string{"summary": "Checkout p95 latency above 2s",
				"description": "p95 latency of POST /checkout is 3.4s (threshold 2s) for 38% of requests.",
				"runbook_url": "https://runbooks.shop.example/checkout#latency"},
			firingSince: ProblemAt - time.Minute},
		{name: "OrdersDBSlowQueries", group: "platform.rules", forDur: 5 * time.Minute,
			expr:   `histogram_quantile(0.99, sum by (le) (rate(pg_stat_statements_seconds_bucket{db="orders"}[5m]))) > 1`,
			labels: map[string]string{"service": OrdersDB, "severity": "warning", "team": "platform"},
			annotations: map[string]string{"summary": "orders-db queries slower than 1s (p99)",
				"description": "Long-running statements on orders-db are holding locks."},
			firingSince: ProblemAt + 2*time.Minute},
		{name: "SearchIndexLagHigh", group: "storefront.rules", forDur: 10 * time.Minute,
			expr:   `search_index_lag_seconds > 600`,
			labels: map[string]string{"service": Search, "severity": "critical", "team": "storefront"},
			annotations: map[string]string{"summary": "Search index lag above 10 minutes",
				"description": "New products appear in search late; queries are served normally."},
			firingSince: 40 * time.Minute},
	}
}

// alertLabels are the labels of the alert a rule produces.
func (a demoAlert) alertLabels() map[string]string {
	ls := maps.Clone(a.labels)
	ls["alertname"] = a.name
	return ls
}

// generatorURL is the Prometheus graph link Alertmanager shows for the alert.
func (a demoAlert) generatorURL() string {
	return "http://prometheus.shop.example:9090/graph?" + url.Values{"g0.expr": {a.expr}, "g0.tab": {"1"}}.Encode()
}

// prometheusGroups renders the alerting rules with their firing alerts, plus a quiet rule.
func prometheusGroups(s Scenario) []promfake.Group {
	var groups []promfake.Group
	add := func(name string, r promfake.Rule) {
		for i := range groups {
			if groups[i].Name == name {
				groups[i].Rules = append(groups[i].Rules, r)
				return
			}
		}
		groups = append(groups, promfake.Group{Name: name, File: "/etc/prometheus/rules/" + name + ".yml", Interval: 30 * time.Second, Rules: []promfake.Rule{r}})
	}
	for _, a := range demoAlerts() {
		add(a.group, promfake.Rule{Name: a.name, Query: a.expr, Duration: a.forDur, Labels: a.labels, Annotations: a.annotations,
			Alerts: []promfake.Alert{{Labels: a.alertLabels(), Annotations: a.annotations, State: "firing", ActiveAt: s.At(a.firingSince + a.forDur)}}})
	}
	add("checkout.rules", promfake.Rule{Name: "CheckoutErrorRateHigh", Query: `sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="checkout"}[5m])) > 0.05`,
		Duration: 5 * time.Minute, Labels: map[string]string{"service": Checkout, "severity": "critical", "team": "checkout"},
		Annotations: map[string]string{"summary": "Checkout 5xx rate above 5%", "runbook_url": "https://runbooks.shop.example/checkout#errors"}})
	return groups
}
