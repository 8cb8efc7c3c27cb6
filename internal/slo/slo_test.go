package slo

import (
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

func ptr(f float64) *float64 { return &f }

// Every expected figure below is computed by hand from the formulas in the package doc.
func TestEvaluate(t *testing.T) {
	month := 30 * 24 * time.Hour
	tests := []struct {
		name      string
		slo       model.SLO
		burns     map[string]float64
		remaining float64
		hours     float64
		status    Status
	}{
		{name: "fast burn pages",
			slo:   model.SLO{Objective: 99.9, Window: month, ErrorRatios: map[string]float64{"5m": 0.0144, "1h": 0.0144, "6h": 0.002, "3d": 0.0015, "window": 0.00039}},
			burns: map[string]float64{"5m": 14.4, "1h": 14.4, "6h": 2, "3d": 1.5}, remaining: 0.61, hours: 30.5, status: Breaching},
		{name: "6h and 30m rule pages",
			slo:   model.SLO{Objective: 99.9, Window: month, ErrorRatios: map[string]float64{"5m": 0.02, "30m": 0.007, "1h": 0.007, "6h": 0.007, "window": 0.0001}},
			burns: map[string]float64{"5m": 20, "1h": 7, "6h": 7}, remaining: 0.9, hours: 92.571, status: Breaching},
		{name: "slow burn warns",
			slo:   model.SLO{Objective: 99.9, Window: month, ErrorRatios: map[string]float64{"5m": 0.0011, "1h": 0.0011, "6h": 0.0011, "3d": 0.0012, "window": 0.0005}},
			burns: map[string]float64{"5m": 1.1, "1h": 1.1, "6h": 1.1, "3d": 1.2}, remaining: 0.5, hours: 327.273, status: Warning},
		{name: "healthy",
			slo:   model.SLO{Objective: 99.5, Window: 28 * 24 * time.Hour, ErrorRatios: map[string]float64{"5m": 0, "1h": 0.001, "6h": 0.0005, "3d": 0.002, "window": 0.001}},
			burns: map[string]float64{"5m": 0, "1h": 0.2, "6h": 0.1, "3d": 0.4}, remaining: 0.8, hours: 2688, status: OK},
		{name: "budget exhausted",
			slo:   model.SLO{Objective: 99.9, Window: month, ErrorRatios: map[string]float64{"1h": 0.0005, "window": 0.0012}},
			burns: map[string]float64{"1h": 0.5}, remaining: -0.2, status: Breaching},
		{name: "no traffic",
			slo:   model.SLO{Objective: 99.9, Window: month, ErrorRatios: map[string]float64{}},
			burns: map[string]float64{}, status: Unknown},
		{name: "objective 100% with an error",
			slo:   model.SLO{Objective: 100, Window: month, ErrorRatios: map[string]float64{"5m": 0.001, "1h": 0.001, "window": 0.0001}},
			burns: map[string]float64{"5m": MaxBurn, "1h": MaxBurn}, remaining: -1, status: Breaching},
		{name: "objective 100% clean",
			slo:   model.SLO{Objective: 100, Window: month, ErrorRatios: map[string]float64{"5m": 0, "1h": 0, "window": 0}},
			burns: map[string]float64{"5m": 0, "1h": 0}, remaining: 1, status: OK},
		{name: "self-evaluated (Dynatrace) fast burn",
			slo:   model.SLO{Objective: 99.9, Warning: 99.95, Window: 7 * 24 * time.Hour, Attainment: ptr(99.96), BurnRates: map[string]float64{"1h": 15}},
			burns: map[string]float64{"1h": 15}, remaining: 0.6, hours: 6.72, status: Breaching},
		{name: "self-evaluated below warning",
			slo:   model.SLO{Objective: 99.0, Warning: 99.5, Window: 7 * 24 * time.Hour, Attainment: ptr(99.2), BurnRates: map[string]float64{"1h": 0.5}},
			burns: map[string]float64{"1h": 0.5}, remaining: 0.2, hours: 67.2, status: Warning},
		{name: "failing query is unknown, not a number",
			slo:   model.SLO{Objective: 99.9, Window: month, Error: "bad_data: parse error"},
			burns: map[string]float64{}, status: Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Evaluate(tt.slo, DefaultThresholds())
			if r.Status != tt.status {
				t.Errorf("status = %s, want %s", r.Status, tt.status)
			}
			if len(r.BurnRates) != len(tt.burns) {
				t.Errorf("burn rates = %v, want %v", r.BurnRates, tt.burns)
			}
			for w, want := range tt.burns {
				if got := r.BurnRates[w]; !approx(got, want) {
					t.Errorf("burn %s = %v, want %v", w, got, want)
				}
			}
			if !approx(r.BudgetRemaining, tt.remaining) {
				t.Errorf("budget remaining = %v, want %v", r.BudgetRemaining, tt.remaining)
			}
			if !approx(r.HoursToExhaust, tt.hours) {
				t.Errorf("hours to exhaust = %v, want %v", r.HoursToExhaust, tt.hours)
			}
		})
	}
}

func approx(a, b float64) bool { return a-b < 0.001 && b-a < 0.001 }

func TestWindowString(t *testing.T) {
	for d, want := range map[time.Duration]string{30 * 24 * time.Hour: "30d", 36 * time.Hour: "36h0m0s", 7 * 24 * time.Hour: "7d"} {
		if got := WindowString(d); got != want {
			t.Errorf("WindowString(%v) = %q, want %q", d, got, want)
		}
	}
}
