// Package slo holds the error-budget and burn-rate math, in one place.
//
// For an objective O (percent) the error budget is B = 1 - O/100: the fraction of requests
// allowed to fail over the SLO window W. With an observed error ratio e over a window w:
//
//	burn rate(w)      = e(w) / B            (1 = the budget lasts exactly W)
//	budget remaining  = 1 - e(W) / B        (fraction of the budget left; ≤ 0 = exhausted)
//	hours to exhaust  = remaining × W[h] / burn rate(1h)
//
// Status follows the multi-window, multi-burn-rate alerts of the Google SRE Workbook
// ("Alerting on SLOs"): breaching (page) when burn(1h) and burn(5m) are both ≥ 14.4, or
// burn(6h) and burn(30m) are both ≥ 6, or the budget is exhausted; warning (ticket) when
// burn(3d) and burn(6h) are both ≥ 1; otherwise ok. A rule needs data in both its windows.
// Sources that evaluate SLOs themselves and report only a 1h burn rate (Dynatrace) are
// breaching at ≥ 14.4 and warning at ≥ 6 or below their own warning threshold.
// With a 100% objective there is no budget: any error burns infinitely fast (reported as
// MaxBurn) and exhausts it.
package slo

import (
	"math"
	"strconv"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// Status is an SLO's state: ok, warning (ticket), breaching (page) or unknown.
type Status string

// Status values.
const (
	OK        Status = "ok"
	Warning   Status = "warning"
	Breaching Status = "breaching"
	Unknown   Status = "unknown"
)

// MaxBurn stands in for an infinite burn rate (any error against a 100% objective), so
// results stay valid JSON.
const MaxBurn = 1e6

// Windows are the burn-rate windows reported in answers.
var Windows = []string{"5m", "1h", "6h", "3d"}

// Thresholds are the burn rates of the multi-window rules.
type Thresholds struct {
	Page   float64 // over 1h and 5m; default 14.4
	Page6h float64 // over 6h and 30m; default 6
	Ticket float64 // over 3d and 6h; default 1
}

// DefaultThresholds are the SRE Workbook's values for a 30-day window.
func DefaultThresholds() Thresholds { return Thresholds{Page: 14.4, Page6h: 6, Ticket: 1} }

// Result is an evaluated SLO.
type Result struct {
	BurnRates       map[string]float64
	BudgetRemaining float64
	// HasBudget is false when the budget could not be computed (no data over the window).
	HasBudget bool
	// HoursToExhaust is how long the remaining budget lasts at the 1h burn rate; 0 if not burning.
	HoursToExhaust float64
	Status         Status
}

// Burn returns the burn rate of an error ratio against an objective in percent.
func Burn(errorRatio, objective float64) float64 {
	budget := 1 - objective/100
	switch {
	case errorRatio <= 0:
		return 0
	case budget <= 0:
		return MaxBurn
	}
	return math.Min(errorRatio/budget, MaxBurn)
}

// burnRules are the multi-window, multi-burn-rate alerts, worst first: a rule fires when
// the burn rates over both its windows reach its threshold.
var burnRules = []struct {
	status      Status
	long, short string
	threshold   func(Thresholds) float64
}{
	{Breaching, "1h", "5m", func(th Thresholds) float64 { return th.Page }},
	{Breaching, "6h", "30m", func(th Thresholds) float64 { return th.Page6h }},
	{Warning, "3d", "6h", func(th Thresholds) float64 { return th.Ticket }},
}

// Evaluate computes burn rates, budget and status of s under th.
func Evaluate(s model.SLO, th Thresholds) Result {
	r := Result{BurnRates: map[string]float64{}}
	burn := burnRates(s)
	for _, w := range Windows {
		if b, ok := burn[w]; ok {
			r.BurnRates[w] = round(b)
		}
	}
	r.BudgetRemaining, r.HasBudget = budget(s)
	r.BudgetRemaining = round(r.BudgetRemaining)
	if b1h := burn["1h"]; b1h > 0 && r.HasBudget && r.BudgetRemaining > 0 && s.Window > 0 {
		r.HoursToExhaust = round(r.BudgetRemaining * s.Window.Hours() / b1h)
	}
	r.Status = status(s, r, burn, th)
	return r
}

// burnRates are the burn rates of s per window: from its error ratios, or as its source
// computed them (the source's own figures win).
func burnRates(s model.SLO) map[string]float64 {
	burn := map[string]float64{}
	for w, e := range s.ErrorRatios {
		if w != "window" && !math.IsNaN(e) {
			burn[w] = Burn(e, s.Objective)
		}
	}
	for w, b := range s.BurnRates {
		if !math.IsNaN(b) {
			burn[w] = math.Min(b, MaxBurn)
		}
	}
	return burn
}

// budget is the remaining error budget of s, as its source states it or from its
// attainment or its error ratio over the whole window; ok is false without any of them.
func budget(s model.SLO) (remainingBudget float64, ok bool) {
	switch {
	case s.BudgetRemaining != nil:
		return *s.BudgetRemaining, true
	case s.Attainment != nil:
		return remaining(1-*s.Attainment/100, s.Objective), true
	}
	if e, ok := s.ErrorRatios["window"]; ok && !math.IsNaN(e) {
		return remaining(e, s.Objective), true
	}
	return 0, false
}

// status judges s: unknown when it could not be evaluated, breaching when its budget is
// exhausted or a page rule fires, warning when the ticket rule fires, else ok (unknown
// without data).
func status(s model.SLO, r Result, burn map[string]float64, th Thresholds) Status {
	if s.Error != "" {
		return Unknown
	}
	if r.HasBudget && r.BudgetRemaining <= 0 {
		return Breaching
	}
	for _, rule := range burnRules {
		x, okx := burn[rule.long]
		y, oky := burn[rule.short]
		if t := rule.threshold(th); okx && oky && x >= t && y >= t {
			return rule.status
		}
	}
	if len(burn) == 0 && !r.HasBudget {
		return Unknown
	}
	// Sources that evaluate themselves report only a 1h burn rate: breaching at the page
	// threshold, warning at the 6h one or below their own warning threshold.
	if len(s.ErrorRatios) == 0 {
		switch b := burn["1h"]; {
		case b >= th.Page:
			return Breaching
		case b >= th.Page6h || (s.Attainment != nil && s.Warning > 0 && *s.Attainment < s.Warning):
			return Warning
		}
	}
	return OK
}

// remaining is 1 - e/B with B = 1 - objective/100; with no budget, any error exhausts it.
func remaining(errorRatio, objective float64) float64 {
	budget := 1 - objective/100
	switch {
	case errorRatio <= 0:
		return 1 // nothing spent, even of a zero budget
	case budget <= 0:
		return -1
	}
	return 1 - errorRatio/budget
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }

// WindowString formats an SLO window as days when whole ("30d"), else Go syntax.
func WindowString(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}
