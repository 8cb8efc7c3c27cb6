package prometheus

import (
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
)

// SlothSLO is one SLO as Sloth (github.com/slok/sloth) renders it into recording rules,
// with the error ratios its series report. Rules and Series follow Sloth's generator
// (internal/prometheus/recording_rules.go): SLI rules slo:sli_error:ratio_rate<window> for
// 5m, 30m, 1h, 2h, 6h, 1d, 3d labelled sloth_id, sloth_service, sloth_slo, sloth_window;
// the period rule (optimized: averaged from the 5m rule, labelled only sloth_window); and
// the metadata rules (slo:objective:ratio, slo:time_period:days, ...). Alerting rules are
// left out (as with Sloth's page and ticket alerts disabled).
type SlothSLO struct {
	// Service and Name are sloth_service and sloth_slo; sloth_id is "<Service>-<Name>".
	Service, Name string
	// Objective is in percent (99.9).
	Objective float64
	// PeriodDays is the SLO period (default 30).
	PeriodDays int
	// ErrorQuery and TotalQuery are Sloth's events SLI, with {{.window}}.
	ErrorQuery, TotalQuery string
	// Ratios are the error ratios the SLI series report, by window ("5m", ..., "3d", "30d").
	Ratios map[string]float64
	// Labels are the SLO's extra labels, copied to every rule.
	Labels map[string]string
}

// ID is sloth_id.
func (s SlothSLO) ID() string { return s.Service + "-" + s.Name }

// SlothWindows are the SLI windows Sloth records for a 30-day (or 28-day) period.
var SlothWindows = []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d"}

func (s SlothSLO) period() string {
	if s.PeriodDays <= 0 {
		return "30d"
	}
	return strconv.Itoa(s.PeriodDays) + "d"
}

func (s SlothSLO) idLabels(extra ...string) map[string]string {
	ls := map[string]string{"sloth_id": s.ID(), "sloth_service": s.Service, "sloth_slo": s.Name}
	maps.Copy(ls, s.Labels)
	for i := 0; i+1 < len(extra); i += 2 {
		ls[extra[i]] = extra[i+1]
	}
	return ls
}

// Groups are the SLO's two recording-rule groups, as Sloth names them.
func (s SlothSLO) Groups() []Group {
	var sli []Rule
	for _, w := range SlothWindows {
		expr := "(" + strings.ReplaceAll(s.ErrorQuery, "{{.window}}", w) + ")\n/\n(" + strings.ReplaceAll(s.TotalQuery, "{{.window}}", w) + ")\n"
		sli = append(sli, Rule{Type: "recording", Name: "slo:sli_error:ratio_rate" + w, Query: expr, Labels: s.idLabels("sloth_window", w)})
	}
	filter := fmt.Sprintf(`{sloth_id=%q, sloth_service=%q, sloth_slo=%q}`, s.ID(), s.Service, s.Name)
	sli = append(sli, Rule{Type: "recording", Name: "slo:sli_error:ratio_rate" + s.period(),
		Query:  "sum_over_time(slo:sli_error:ratio_rate5m" + filter + "[" + s.period() + "])\n/ ignoring (sloth_window)\ncount_over_time(slo:sli_error:ratio_rate5m" + filter + "[" + s.period() + "])\n",
		Labels: map[string]string{"sloth_window": s.period()}})
	ratio := strconv.FormatFloat(s.Objective/100, 'g', -1, 64)
	days := strings.TrimSuffix(s.period(), "d")
	burn := func(metric string) string {
		return metric + filter + "\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio" + filter + "\n"
	}
	meta := []Rule{
		{Type: "recording", Name: "slo:objective:ratio", Query: "vector(" + ratio + ")", Labels: s.idLabels()},
		{Type: "recording", Name: "slo:error_budget:ratio", Query: "vector(1-" + ratio + ")", Labels: s.idLabels()},
		{Type: "recording", Name: "slo:time_period:days", Query: "vector(" + days + ")", Labels: s.idLabels()},
		{Type: "recording", Name: "slo:current_burn_rate:ratio", Query: burn("slo:sli_error:ratio_rate5m"), Labels: s.idLabels()},
		{Type: "recording", Name: "slo:period_burn_rate:ratio", Query: burn("slo:sli_error:ratio_rate" + s.period()), Labels: s.idLabels()},
		{Type: "recording", Name: "slo:period_error_budget_remaining:ratio", Query: "1 - slo:period_burn_rate:ratio" + filter, Labels: s.idLabels()},
		{Type: "recording", Name: "sloth_slo_info", Query: "vector(1)", Labels: s.idLabels("sloth_version", "v0.11.0", "sloth_mode", "cli-gen-prom",
			"sloth_spec", "prometheus/v1", "sloth_objective", strconv.FormatFloat(s.Objective, 'f', -1, 64))},
	}
	return []Group{
		{Name: "sloth-slo-sli-recordings-" + s.ID(), File: "/etc/prometheus/rules/sloth-" + s.Service + ".yml", Interval: 30 * time.Second, Rules: sli},
		{Name: "sloth-slo-meta-recordings-" + s.ID(), File: "/etc/prometheus/rules/sloth-" + s.Service + ".yml", Interval: 30 * time.Second, Rules: meta},
	}
}

// Series are the samples Sloth's rules record: the SLI ratios in Ratios, the objective,
// error budget and period.
func (s SlothSLO) Series() []Sample {
	var out []Sample
	add := func(name string, v float64, ls map[string]string) {
		ls["__name__"] = name
		out = append(out, Sample{Labels: ls, Value: v})
	}
	for _, w := range append(append([]string{}, SlothWindows...), s.period()) {
		if v, ok := s.Ratios[w]; ok {
			add("slo:sli_error:ratio_rate"+w, v, s.idLabels("sloth_window", w))
		}
	}
	add("slo:objective:ratio", s.Objective/100, s.idLabels())
	add("slo:error_budget:ratio", 1-s.Objective/100, s.idLabels())
	days, _ := strconv.Atoi(strings.TrimSuffix(s.period(), "d"))
	add("slo:time_period:days", float64(days), s.idLabels())
	return out
}
