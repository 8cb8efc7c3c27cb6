package demo

import (
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	promfake "github.com/opsctx/opsctx/internal/fake/prometheus"
)

func init() { register(config.SourcePrometheus, startPrometheus) }

func startPrometheus(s Scenario, cfg *config.Config) (*fake.Server, error) {
	started := time.Now()
	data := prometheusData(s)
	s.edit(config.SourcePrometheus, &data)
	srv := promfake.StartData(promfake.Options{Now: func() time.Time { return s.T0.Add(time.Since(started)) }}, data)
	cfg.Sources.Prometheus = []*config.Prometheus{{URL: srv.URL, Labels: demoLabels}}
	cfg.SLOs = append(cfg.SLOs, searchSLO)
	return srv.Server, nil
}

// prometheusData is Prometheus's view of the scenario: the alerting rules with their
// alerts, Sloth's recording rules and current values for the checkout SLO, and the answers
// to the search SLO declared in the configuration.
func prometheusData(s Scenario) promfake.Data {
	d := promfake.Data{Groups: append(prometheusGroups(s), checkoutSLO.Groups()...), Series: checkoutSLO.Series(),
		Answers: map[string]promfake.Answer{}}
	for w, total := range searchTraffic {
		answer := func(v float64) promfake.Answer {
			return promfake.Answer{Samples: []promfake.Sample{{Labels: map[string]string{"service": Search}, Value: v}}}
		}
		d.Answers[strings.ReplaceAll(searchSLO.ErrorQuery, config.WindowPlaceholder, w)] = answer(total * searchErrorRatios[w])
		d.Answers[strings.ReplaceAll(searchSLO.TotalQuery, config.WindowPlaceholder, w)] = answer(total)
	}
	return d
}

// The demo SLOs. Checkout availability (Sloth rules, 99.9% over 30d) burns: the orders-db
// timeouts fail 4% of checkouts over the last 5 minutes and 1.5% over the last hour, 40x
// and 15x the budget, both above the 14.4 page threshold (breaching), with 61% of the
// month's budget left. Search
// availability (declared in the config file, 99.5%) is healthy, so the loud search index
// alert measures no user impact.
const (
	CheckoutSLO        = "checkout-availability"
	CheckoutSLOBurn1h  = 15.0
	CheckoutSLOBurn5m  = 40.0
	CheckoutSLOBudget  = 0.61
	SearchSLO          = "search-availability"
	checkoutObjective  = 99.9
	searchSLOObjective = 99.5
)

var checkoutSLO = promfake.SlothSLO{Service: Checkout, Name: "availability", Objective: checkoutObjective,
	ErrorQuery: `sum(rate(http_requests_total{service="checkout",code=~"5.."}[{{.window}}]))`,
	TotalQuery: `sum(rate(http_requests_total{service="checkout"}[{{.window}}]))`,
	Ratios: map[string]float64{"5m": 0.04, "30m": 0.0295, "1h": 0.015, "2h": 0.008, "6h": 0.0027, "1d": 0.0009, "3d": 0.0005,
		"30d": 0.00039}, // 1h and 5m burn 15x and 40x the 0.1% budget; 0.039% of requests failed this month: 61% left
	Labels: map[string]string{"team": "checkout"}}

var searchSLO = config.SLO{Name: SearchSLO, Service: Search, Objective: searchSLOObjective, Window: config.DefaultSLOWindow,
	ErrorQuery: `sum(rate(http_requests_total{service="search",code=~"5.."}[$window]))`,
	TotalQuery: `sum(rate(http_requests_total{service="search"}[$window]))`}

// searchTraffic is the search request rate per window (req/s) and searchErrorRatios the
// failed share: far below the 0.5% budget.
var (
	searchTraffic     = map[string]float64{"5m": 220, "30m": 210, "1h": 200, "6h": 180, "3d": 150, "30d": 150}
	searchErrorRatios = map[string]float64{"5m": 0.0001, "30m": 0.0001, "1h": 0.0002, "6h": 0.0002, "3d": 0.0003, "30d": 0.0004}
)

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
	// pending marks an alert whose condition holds but whose for has not run out: Prometheus
	// lists it pending (since firingSince+forDur; firingSince, negative, is when it will
	// fire), Alertmanager never hears of it.
	pending bool
}

// demoAlerts: checkout latency (the symptom users feel), orders-db slow queries (the
// cause, seen from the database), a loud search alert that touches no user-facing SLO,
// cart's latency alert (silenced in Alertmanager during its session store migration) and
// order-queue's lag alert, pending and about to fire; with ConsumerFails, cart's own 5xx
// alert.
func demoAlerts(s Scenario) []demoAlert {
	out := []demoAlert{
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
		{name: CartSilenced, group: "storefront.rules", forDur: 5 * time.Minute,
			expr:   `histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="cart"}[5m]))) > 1`,
			labels: map[string]string{"service": Cart, "severity": "warning", "team": "storefront"},
			annotations: map[string]string{"summary": "Cart p95 latency above 1s",
				"description": "Cart reads sessions from the store being migrated."},
			firingSince: 35 * time.Minute},
		{name: PendingAlert, group: "platform.rules", forDur: 10 * time.Minute,
			expr:        `order_queue_consumer_lag_seconds > 120`,
			labels:      map[string]string{"service": OrderQueue, "severity": "critical", "team": "platform"},
			annotations: map[string]string{"summary": "order-queue consumers lag more than 2 minutes"},
			firingSince: -PendingFiresIn, pending: true}, // pending since T0-6m: its 10 min run out at T0+4m
		{name: "NodeHighLoad", group: "node.rules", forDur: 5 * time.Minute,
			expr:   `node_load5 / count without (cpu, mode) (node_cpu_seconds_total{mode="idle"}) > 2`,
			labels: map[string]string{"instance": AppHostFQDN + ":9100", "job": "node", "severity": "warning"},
			annotations: map[string]string{"summary": "Load on the host above twice its CPUs",
				"description": "5-minute load average is 2.6x the CPU count since the host came back."},
			firingSince: NodeAlertAt},
		{name: "RecommendationsHighLatency", group: "storefront.rules", forDur: 2 * time.Minute,
			expr:   `histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="recommendations"}[5m]))) > 0.5`,
			labels: map[string]string{"service": Recs, "severity": "critical", "team": "storefront"},
			annotations: map[string]string{"summary": "Recommendations p95 latency above 500ms",
				"description": "Recommendation widgets time out on product pages."},
			firingSince: RecsAlertAt},
	}
	if s.ConsumerFails {
		out = append(out, demoAlert{name: "CartErrorRateHigh", group: "storefront.rules", forDur: 2 * time.Minute,
			expr:   `sum(rate(http_requests_total{service="cart",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="cart"}[5m])) > 0.05`,
			labels: map[string]string{"service": Cart, "severity": "critical", "team": "storefront"},
			annotations: map[string]string{"summary": "Cart 5xx rate above 5%",
				"description": "POST /cart/items fails for 9% of requests since cart v3.2.0.",
				"runbook_url": "https://runbooks.shop.example/cart#errors"},
			firingSince: CartFailingAt})
	}
	return out
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
	for _, a := range demoAlerts(s) {
		state := "firing"
		if a.pending {
			state = "pending"
		}
		add(a.group, promfake.Rule{Name: a.name, Query: a.expr, Duration: a.forDur, Labels: a.labels, Annotations: a.annotations,
			Alerts: []promfake.Alert{{Labels: a.alertLabels(), Annotations: a.annotations, State: state, ActiveAt: s.At(a.firingSince + a.forDur)}}})
	}
	add("checkout.rules", promfake.Rule{Name: "CheckoutErrorRateHigh", Query: `sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{service="checkout"}[5m])) > 0.05`,
		Duration: 5 * time.Minute, Labels: map[string]string{"service": Checkout, "severity": "critical", "team": "checkout"},
		Annotations: map[string]string{"summary": "Checkout 5xx rate above 5%", "runbook_url": "https://runbooks.shop.example/checkout#errors"}})
	return groups
}
