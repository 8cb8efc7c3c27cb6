package alertlabels

import "testing"

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
