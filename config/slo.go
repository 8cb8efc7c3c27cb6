package config

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultSLOWindow is the window of a declared SLO without one.
const DefaultSLOWindow = 30 * 24 * time.Hour

// WindowPlaceholder is replaced in SLO queries by each burn-rate window (5m, 30m, 1h, 6h, 3d)
// and by the SLO window, e.g. sum(rate(http_requests_total{code=~"5.."}[$window])).
const WindowPlaceholder = "$window"

// SLO is a service level objective declared in the config file, evaluated with PromQL:
// the error ratio is error_query / total_query, or 1 - good_query / total_query.
type SLO struct {
	Name    string `yaml:"name" json:"name"`
	Service string `yaml:"service" json:"service"`
	// Objective is the target in percent, e.g. 99.9.
	Objective float64 `yaml:"objective" json:"objective"`
	// Window is the SLO window; default 30d.
	Window     time.Duration `yaml:"window" json:"window"`
	ErrorQuery string        `yaml:"error_query" json:"error_query,omitempty"`
	GoodQuery  string        `yaml:"good_query" json:"good_query,omitempty"`
	TotalQuery string        `yaml:"total_query" json:"total_query"`
	// Prometheus names the Prometheus instance that evaluates the SLO; default the SLO
	// evaluator (Config.SLOEvaluator).
	Prometheus string `yaml:"prometheus" json:"prometheus,omitempty"`
}

// SLOEvaluator returns the Prometheus instance that evaluates declared SLOs by default (the
// unnamed one, else the first listed): its name, "" when none is configured. With one
// Prometheus per cluster, one instance's series hold an SLO; the others would report "no
// traffic" for it.
func (c *Config) SLOEvaluator() string {
	for _, p := range c.Sources.Prometheus {
		if p.Name == "" {
			return ""
		}
	}
	if len(c.Sources.Prometheus) > 0 {
		return c.Sources.Prometheus[0].Name
	}
	return ""
}

// EvaluatesSLO reports whether the Prometheus instance named instance evaluates s.
func (c *Config) EvaluatesSLO(instance string, s SLO) bool {
	if s.Prometheus == "" {
		return instance == c.SLOEvaluator()
	}
	return s.Prometheus == instance
}

// slos validates declared SLOs; errors name the field (slos[i].objective) and the fix.
func (v *validator) slos() {
	names := map[string]bool{}
	for i := range v.c.SLOs {
		s := &v.c.SLOs[i]
		at := func(f string) string { return fmt.Sprintf("slos[%d].%s", i, f) }
		switch {
		case strings.TrimSpace(s.Name) == "":
			v.errf("%s: required (a name for the SLO)", at("name"))
		case names[strings.ToLower(s.Name)]:
			v.errf("%s: %q is declared twice", at("name"), s.Name)
		}
		names[strings.ToLower(s.Name)] = true
		if strings.TrimSpace(s.Service) == "" {
			v.errf("%s: required (the service the SLO belongs to)", at("service"))
		}
		if s.Prometheus = strings.TrimSpace(s.Prometheus); s.Prometheus != "" && !slices.ContainsFunc(v.c.Sources.Prometheus, func(p *Prometheus) bool { return p.Name == s.Prometheus }) {
			v.errf("%s: %q is not a configured Prometheus instance (sources.prometheus names)", at("prometheus"), s.Prometheus)
		}
		if s.Objective <= 0 || s.Objective > 100 {
			v.errf("%s: %v is not a percentage: use e.g. 99.9 (greater than 0, at most 100)", at("objective"), s.Objective)
		}
		switch {
		case s.Window == 0:
			s.Window = DefaultSLOWindow
		case s.Window < time.Hour:
			v.errf("%s: %v is too short for an SLO window: use e.g. 7d, 28d, 30d", at("window"), s.Window)
		}
		if (s.ErrorQuery == "") == (s.GoodQuery == "") {
			v.errf("%s: give exactly one of error_query or good_query", at("error_query"))
		}
		for f, q := range map[string]string{"error_query": s.ErrorQuery, "good_query": s.GoodQuery, "total_query": s.TotalQuery} {
			if q == "" && f != "total_query" {
				continue
			}
			if err := checkPromQL(q); err != nil {
				v.errf("%s: %v", at(f), err)
			}
		}
	}
}

// checkPromQL catches the mistakes a config file can make without a full PromQL parser:
// empty queries, unbalanced brackets and quotes, and a missing $window placeholder (without
// it every burn-rate window would evaluate the same range).
func checkPromQL(q string) error {
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("required (a PromQL expression using [%s])", WindowPlaceholder)
	}
	var stack []rune
	var quote rune
	pairs := map[rune]rune{')': '(', ']': '[', '}': '{'}
	for _, r := range q {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`':
			quote = r
		case r == '(' || r == '[' || r == '{':
			stack = append(stack, r)
		case pairs[r] != 0:
			if len(stack) == 0 || stack[len(stack)-1] != pairs[r] {
				return fmt.Errorf("unbalanced %q in PromQL %q", r, q)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if quote != 0 {
		return fmt.Errorf("unterminated string in PromQL %q", q)
	}
	if len(stack) > 0 {
		return fmt.Errorf("unclosed %q in PromQL %q", stack[len(stack)-1], q)
	}
	if !strings.Contains(q, WindowPlaceholder) {
		return fmt.Errorf("PromQL %q has no [%s] range: the burn-rate windows need it", q, WindowPlaceholder)
	}
	return nil
}
