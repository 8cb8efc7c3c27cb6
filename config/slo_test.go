package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDeclaredSLOs(t *testing.T) {
	good := `slos:
  - name: checkout-availability
    service: checkout
    objective: 99.9
    error_query: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[$window]))'
    total_query: 'sum(rate(http_requests_total{job="checkout"}[$window]))'
  - name: search-latency
    service: search
    objective: 99
    window: 7d
    good_query: 'sum(rate(latency_bucket{le="0.3"}[$window]))'
    total_query: 'sum(rate(latency_count[$window]))'
`
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error; none = valid
	}{
		{"valid", good, nil},
		{"bad objective", strings.Replace(good, "objective: 99.9", "objective: 999", 1), []string{"slos[0].objective", "percentage"}},
		{"objective not a number", strings.Replace(good, "objective: 99.9", "objective: high", 1), []string{"slos[0].objective", "not a number"}},
		{"bad window", strings.Replace(good, "window: 7d", "window: 5m", 1), []string{"slos[1].window", "too short"}},
		{"unbalanced PromQL", strings.Replace(good, `code=~"5.."}[$window]))`, `code=~"5.."[$window]))`, 1), []string{"slos[0].error_query", "unbalanced"}},
		{"no window placeholder", strings.Replace(good, `sum(rate(latency_count[$window]))`, `sum(rate(latency_count[5m]))`, 1), []string{"slos[1].total_query", "$window"}},
		{"both error and good", strings.Replace(good, "    total_query: 'sum(rate(latency_count", "    error_query: 'x[$window]'\n    total_query: 'sum(rate(latency_count", 1), []string{"slos[1].error_query", "exactly one"}},
		{"unknown key", strings.Replace(good, "objective: 99.9", "objectiv: 99.9", 1), []string{"slos[0].objectiv", "unknown key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "opsctx.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path, func(string) string { return "" })
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if len(c.SLOs) != 2 || c.SLOs[0].Window != DefaultSLOWindow || c.SLOs[1].Window != 7*24*time.Hour || c.SLOs[0].Objective != 99.9 {
					t.Errorf("slos = %+v", c.SLOs)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
