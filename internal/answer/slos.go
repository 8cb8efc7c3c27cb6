package answer

import (
	"fmt"
	"math"
	"sort"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
	"github.com/opsctx/opsctx/internal/slo"
)

// SLOEntries evaluates the SLOs of every source with the thresholds, worst first. A figure
// that could not be computed is null (see failedFigures).
func SLOEntries(d *directory.Directory, ss []model.Sourced[[]model.SLO], th slo.Thresholds) []SLOEntry {
	out := []SLOEntry{}
	for _, s := range ss {
		for _, x := range s.Value {
			r := slo.Evaluate(x, th)
			e := SLOEntry{Name: x.Name, Service: d.Canonical(s.Source, x.Service), Objective: x.Objective,
				Window: slo.WindowString(x.Window), SLI: sanitize.Quoted(x.SLI, 200), BurnRates: r.BurnRates, Status: r.Status,
				Source: s.Source, AsOf: x.AsOf.UTC(), Error: x.Error}
			if r.HasBudget {
				e.ErrorBudgetRemaining, e.HoursToExhaust = &r.BudgetRemaining, &r.HoursToExhaust
			}
			out = append(out, failedFigures(e))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if statusRank(out[i].Status) != statusRank(out[j].Status) {
			return statusRank(out[i].Status) > statusRank(out[j].Status)
		}
		return out[i].BurnRates["1h"] > out[j].BurnRates["1h"]
	})
	return out
}

func statusRank(s slo.Status) int {
	switch s {
	case slo.Breaching:
		return 3
	case slo.Warning:
		return 2
	case slo.OK:
		return 1
	}
	return 0
}

// Burning reports whether the SLO is using its budget faster than sustainable.
func (s SLOEntry) Burning() bool { return s.Status == slo.Breaching || s.Status == slo.Warning }

// Impact states the SLO's burn in its own words, for headlines and prompts.
func (s SLOEntry) Impact() string {
	out := fmt.Sprintf("%s SLO %q (%.4g%% over %s) is %s", s.Service, s.Name, s.Objective, s.Window, s.Status)
	if b, ok := s.BurnRates["1h"]; ok && b > 0 {
		if b >= slo.MaxBurn {
			out += ", burning its error budget with no budget to spare"
		} else {
			out += fmt.Sprintf(", burning its error budget %.1fx faster than sustainable", b)
		}
	}
	switch {
	case s.ErrorBudgetRemaining == nil:
		out += ", budget left unknown"
	case *s.ErrorBudgetRemaining <= 0:
		out += ", budget exhausted"
	default:
		out += fmt.Sprintf(", %.0f%% of the budget left", math.Max(0, *s.ErrorBudgetRemaining*100))
		if s.HoursToExhaust != nil && *s.HoursToExhaust > 0 {
			out += ", gone in " + HumanMinutes(*s.HoursToExhaust*60) + " at this rate"
		}
	}
	return out
}

// HumanMinutes writes a span of m minutes for people: minutes, hours or days.
func HumanMinutes(m float64) string {
	switch {
	case m < 90:
		return fmt.Sprintf("%d min", int(math.Round(m)))
	case m < 48*60:
		return fmt.Sprintf("%.1f h", m/60)
	}
	return fmt.Sprintf("%.1f d", m/1440)
}
