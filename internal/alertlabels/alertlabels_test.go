package alertlabels

import (
	"slices"
	"testing"

	"github.com/opsctx/opsctx/internal/model"
)

func TestServiceAndSLO(t *testing.T) {
	cases := []struct {
		name         string
		labels       map[string]string
		service, slo string
	}{
		{"service label", map[string]string{"service": "checkout", "job": "node"}, "checkout", ""},
		{"sloth names its service", map[string]string{"sloth_service": "checkout", "sloth_slo": "availability", "sloth_id": "checkout-availability", "job": "x"},
			"checkout", "checkout-availability"},
		{"sloth without id", map[string]string{"sloth_service": "cart", "sloth_slo": "latency"}, "cart", "cart-latency"},
		{"pyrra names only its slo", map[string]string{"slo": "search-availability", "long": "1h"}, "", "search-availability"},
		{"pyrra with its selector's job", map[string]string{"slo": "search-availability", "job": "search"}, "search", "search-availability"},
		{"fallback", map[string]string{"app": "orders-db"}, "orders-db", ""},
		{"nothing", map[string]string{"alertname": "Watchdog"}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Service(tc.labels, "service", []string{"job", "app"}); got != tc.service {
				t.Errorf("service %q, want %q", got, tc.service)
			}
			if got := SLO(tc.labels); got != tc.slo {
				t.Errorf("slo %q, want %q", got, tc.slo)
			}
		})
	}
	if got := ServiceLabels("job", []string{"job", "sloth_service", "app"}); len(got) != 3 || got[0] != "job" || got[1] != "sloth_service" || got[2] != "app" {
		t.Errorf("labels %v: the configured label first, each once", got)
	}
}

func TestHosts(t *testing.T) {
	host := func(kind, name string, aliases ...string) model.Target {
		return model.Target{Name: name, Records: []model.Service{{Name: name, Type: kind, Aliases: aliases}}}
	}
	tg := model.Target{Name: "pricing", Hosts: []model.Target{
		host(model.HostKindHost, "app-prod-02", "app-prod-02.shop.example", "10.0.1.12"),
		host(model.HostKindHost, "APP-PROD-03"),
		host(model.HostKindHost, "db-v6", "2001:db8::7"),
		host(model.HostKindCluster, "prod-eu-1"), // a cluster: not a host label value
	}}
	names := HostNames(tg)
	if want := []string{"app-prod-02", "app-prod-02.shop.example", "10.0.1.12", "app-prod-03", "db-v6", "2001:db8::7"}; !slices.Equal(names, want) {
		t.Errorf("HostNames = %v, want %v", names, want)
	}
	match := HostMatch(names)
	for v, want := range map[string]bool{
		"app-prod-02":                   true,
		"app-prod-02.shop.example:9100": true,
		"APP-PROD-02.Shop.Example":      true,
		"10.0.1.12:9100":                true,
		"app-prod-03.eu.shop.example":   true, // a short name with any domain
		"[2001:db8::7]:9100":            true,
		"app-prod-022":                  false,
		"10.0.1.123:9100":               false,
		"xapp-prod-02":                  false,
		"app-prod-02:http":              false,
		"prod-eu-1":                     false,
	} {
		if got := match(v); got != want {
			t.Errorf("match(%q) = %v, want %v", v, got, want)
		}
	}
	if HostMatch(nil) != nil || HostPattern(nil) != "" {
		t.Error("no names: no matcher")
	}
	for _, tc := range []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{"instance": "app-01:9100", "node": "n1"}, "app-01:9100"},
		{map[string]string{"node": "n1", "host": "h1"}, "n1"},
		{map[string]string{"job": "node"}, ""},
	} {
		if got := Host(tc.labels, nil); got != tc.want {
			t.Errorf("Host(%v) = %q, want %q", tc.labels, got, tc.want)
		}
	}
	if got := Host(map[string]string{"instance": "x", "hostname": "h"}, []string{"hostname"}); got != "h" {
		t.Errorf("configured host labels: %q", got)
	}
}

// TestSelector: the alerts about a target, by their labels (the equivalence with
// Alertmanager's filter matchers is checked against the fake and a real Alertmanager in the
// connectors' tests).
func TestSelector(t *testing.T) {
	tg := model.Target{Name: "checkout", Records: []model.Service{{Name: " Checkout ", Aliases: []string{"checkout-api"}}},
		Related: []model.Target{{Name: "orders-db"}},
		Hosts:   []model.Target{{Name: "app-1", Records: []model.Service{{Name: "app-1", Type: model.HostKindHost}}}}}
	sel := NewSelector(tg, "service", []string{"job"}, nil)
	for _, tc := range []struct {
		labels map[string]string
		want   bool
	}{
		{map[string]string{"service": "CHECKOUT-API"}, true},
		{map[string]string{"service": "orders-db"}, true},
		{map[string]string{"service": "search", "job": "checkout"}, false}, // the service label wins
		{map[string]string{"job": "checkout"}, true},
		{map[string]string{"sloth_service": "checkout", "job": "x"}, true},
		{map[string]string{"slo": "search-availability"}, true}, // Pyrra's: attributed through its SLO
		{map[string]string{"slo": "x", "job": "search"}, false},
		{map[string]string{"node": "APP-1"}, true},
		{map[string]string{"instance": "other:9100", "nodename": "app-1.shop.example"}, true}, // any host label
		{map[string]string{"job": "node", "instance": "app-1:9100"}, true},
		{map[string]string{"service": "search", "instance": "app-1:9100"}, false}, // a neighbour's on the host
		{map[string]string{"alertname": "Watchdog"}, false},
	} {
		if got := sel.Selects(tc.labels); got != tc.want {
			t.Errorf("Selects(%v) = %v, want %v", tc.labels, got, tc.want)
		}
	}
	if !NewSelector(model.Target{}, "service", nil, nil).Selects(map[string]string{"alertname": "Watchdog"}) {
		t.Error("a zero target selects every alert")
	}
	if got := Names(tg); !slices.Equal(got, []string{"checkout", "checkout-api", "orders-db"}) {
		t.Errorf("Names = %v (trimmed, each once without case)", got)
	}
}
