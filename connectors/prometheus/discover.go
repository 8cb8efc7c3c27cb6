package prometheus

// SLO discovery from recording rules.
//
// Sloth (github.com/slok/sloth, internal/prometheus/recording_rules.go and conventions.go,
// read for this code): per SLO, recording rules slo:sli_error:ratio_rate<window> for the
// alert windows 5m, 30m, 1h, 2h, 6h, 1d, 3d and for the SLO period (30d by default; by
// default computed as sum_over_time(ratio_rate5m[30d]) / count_over_time(...), so it only
// covers the time the rules have run), each labelled sloth_id ("<service>-<slo>"),
// sloth_service, sloth_slo and sloth_window (the period rule carries only sloth_window on
// the rule; its series inherit the others); plus slo:objective:ratio (vector(0.999)) and
// slo:time_period:days (vector(30)) with the id labels. The values are error ratios.
//
// Pyrra (github.com/pyrra-dev/pyrra, slo/rules.go, read for this code): one rule group per
// SLO named after it, with recording rules <metric>:burnrate<window> (the total metric
// with _total/_count trimmed) labelled slo="<name>" plus the equality matchers of the
// total selector (so often job or service). Despite the name their value is the error
// ratio errors/total over the window. The windows scale with the SLO window (5m, 30m, 1h,
// 2h, 6h, 1d, 4d for 28d). The objective is a recorded metric only with Pyrra's generic
// rules (pyrra_objective, pyrra_window in seconds, pyrra_availability over the window);
// otherwise it is read from the SLO's alerting rules, "... > (14 * (1-0.999))".
//
// Verified against the generators' source, not against a running Sloth or Pyrra; the
// real-server test runs Sloth-shaped rules in a real Prometheus.

import (
	"context"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/model"
)

// Metric names of the conventions.
const (
	slothSLIPrefix   = "slo:sli_error:ratio_rate"
	slothObjective   = "slo:objective:ratio"
	slothPeriodDays  = "slo:time_period:days"
	pyrraObjective   = "pyrra_objective"
	pyrraWindow      = "pyrra_window"
	pyrraAvailabilty = "pyrra_availability"
)

// idsPerQuery bounds the SLO ids in one batched query, to keep the URL short.
const idsPerQuery = 50

var (
	pyrraBurnRe      = regexp.MustCompile(`^(.+):burnrate([0-9][0-9a-z]*)$`)
	pyrraAlertTarget = regexp.MustCompile(`\(1-([0-9.eE+-]+)\)`)
)

// found is one discovered SLO before its values are read.
type found struct {
	id, service, kind string // kind: sloth or pyrra
	labels            map[string]string
	sli               string // a representative SLI rule expression
	window1h          string // the recording rule that serves the 1h window, for the link
}

// discover finds the target's Sloth and Pyrra SLOs in the kept rule listing (sloRules) and
// reads their values: one instant query per convention (per idsPerQuery ids), selecting
// every rule name of the convention at once, all of them concurrently. Pyrra objectives
// that are not recorded come from the alerting rules of the same listing: once the listing
// is kept, discovery costs one round of queries.
func (s *Source) discover(ctx context.Context, t model.Target) ([]outcome, error) {
	groups, err := s.sloRules(ctx)
	if err != nil {
		return nil, err
	}
	sc := scan{s: s, sloth: map[string]*found{}, pyrra: map[string]*found{}}
	for _, g := range groups {
		for _, r := range g.Rules {
			if r.Type == "recording" {
				sc.rule(r)
			}
		}
	}
	batches := sc.batches(t, pyrraAlertObjectives(groups, sc.pyrra))
	results := make([][]outcome, len(batches))
	slots := make(chan struct{}, maxSLOQueries)
	var wg sync.WaitGroup
	for i, b := range batches {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			results[i] = b.read(ctx, s, t.Name == "")
		})
	}
	wg.Wait()
	out := slices.Concat(results...)
	sortSLOs(out)
	return out, nil
}

// scan collects the Sloth and Pyrra SLOs of a rule listing, by id, with every rule name of
// each convention.
type scan struct {
	s                      *Source
	sloth, pyrra           map[string]*found
	slothNames, pyrraNames []string
}

// rule notes one recording rule of the listing, if it belongs to an SLO convention.
func (sc *scan) rule(r rawRule) {
	switch {
	case strings.HasPrefix(r.Name, slothSLIPrefix) || r.Name == slothObjective || r.Name == slothPeriodDays:
		sc.slothNames = appendNew(sc.slothNames, r.Name)
		id := r.Labels["sloth_id"]
		if id == "" {
			return // the optimized period rule: its series carry the id
		}
		f := sc.slo(sc.sloth, id, "sloth", r.Labels)
		if f.service == "" {
			f.service = firstNonEmpty(r.Labels["sloth_service"], sc.s.service(r.Labels))
		}
		if w, ok := strings.CutPrefix(r.Name, slothSLIPrefix); ok {
			f.sliRule(r, w)
		}
	case r.Labels["slo"] != "" && (pyrraBurnRe.MatchString(r.Name) || r.Name == pyrraObjective || r.Name == pyrraWindow || r.Name == pyrraAvailabilty):
		sc.pyrraNames = appendNew(sc.pyrraNames, r.Name)
		f := sc.slo(sc.pyrra, r.Labels["slo"], "pyrra", r.Labels)
		if m := pyrraBurnRe.FindStringSubmatch(r.Name); m != nil {
			if f.service == "" {
				f.service = sc.s.service(r.Labels)
			}
			f.sliRule(r, m[2])
		}
	}
}

// slo returns the SLO id of the convention kind, made when new.
func (sc *scan) slo(of map[string]*found, id, kind string, labels map[string]string) *found {
	f := of[id]
	if f == nil {
		f = &found{id: id, kind: kind, labels: labels}
		of[id] = f
	}
	return f
}

// sliRule notes an SLI recording rule over window: the 1h one serves the link, any
// other stands in as the SLI until it is seen.
func (f *found) sliRule(r rawRule, window string) {
	if d, ok := parseDuration(window); ok && windowKey(d) == "1h" {
		f.sli, f.window1h = r.Query, r.Name
	} else if f.sli == "" {
		f.sli = r.Query
	}
}

// batches are the instant queries that read t's SLOs: per convention, idsPerQuery ids
// each (all of them in one for a zero target, whose query selects every id anyway).
func (sc *scan) batches(t model.Target, pyrraObjectives map[string]float64) []batch {
	want := names(model.Target{Name: t.Name, Records: t.Records}) // the target itself, not its neighbours
	var out []batch
	for _, c := range []batch{
		{found: sc.sloth, label: "sloth_id", names: sc.slothNames},
		{found: sc.pyrra, label: "slo", names: sc.pyrraNames, objectives: pyrraObjectives},
	} {
		var ids []string
		for id, f := range c.found {
			if matchesTarget(t, want, f.service) {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		sort.Strings(c.names)
		size := idsPerQuery
		if t.Name == "" {
			size = max(len(ids), 1)
		}
		for chunk := range slices.Chunk(ids, size) {
			c.ids = chunk
			out = append(out, c)
		}
	}
	return out
}

// batch is the SLOs of one convention read in one instant query.
type batch struct {
	found      map[string]*found
	label      string   // the id label: sloth_id or slo
	names      []string // every rule name of the convention, sorted
	ids        []string // the SLOs to read
	objectives map[string]float64
}

// read queries b's rule names for its ids (for every id when all) and maps the samples.
func (b batch) read(ctx context.Context, s *Source, all bool) []outcome {
	matcher := b.label + `!=""`
	if !all {
		matcher = b.label + "=~" + quoteRegex(b.ids)
	}
	xs, err := s.instant(ctx, "{__name__=~"+quoteRegex(b.names)+", "+matcher+"}")
	out := make([]outcome, 0, len(b.ids))
	for _, id := range b.ids {
		f := b.found[id]
		if err != nil {
			out = append(out, outcome{slo: f.bare(s, queryError(err)), failed: err})
			continue
		}
		out = append(out, outcome{slo: f.read(s, xs, b.label, b.objectives[id])})
	}
	return out
}

// bare is the SLO without values (errText, when set, says why).
func (f *found) bare(s *Source, errText string) model.SLO {
	m := model.SLO{Name: f.id, Service: f.service, Window: config.DefaultSLOWindow, Source: SourceName, SLI: f.sli, Error: errText}
	if f.window1h != "" {
		m.URL = s.graphURL(f.window1h + "{" + f.idLabel() + "=" + strconv.Quote(f.id) + "}")
	}
	return m
}

func (f *found) idLabel() string {
	if f.kind == "sloth" {
		return "sloth_id"
	}
	return "slo"
}

// read maps the batched samples of one SLO: error ratios per window (the worst series when
// an SLO records several), objective, window and, for Pyrra, the window ratio from
// pyrra_availability. alertObjective is Pyrra's objective read from its alerting rules.
func (f *found) read(s *Source, xs []sample, label string, alertObjective float64) model.SLO {
	m := f.bare(s, "")
	m.Window = 0
	ratios := map[string]float64{}
	byRange := map[time.Duration]float64{}
	objective := alertObjective
	put := func(m map[string]float64, k string, v float64) {
		if old, ok := m[k]; !ok || v > old {
			m[k] = v
		}
	}
	for _, x := range xs {
		if x.Metric[label] != f.id {
			continue
		}
		name := x.Metric["__name__"]
		m.AsOf = maxTime(m.AsOf, x.At)
		if math.IsNaN(x.Value) || math.IsInf(x.Value, 0) {
			continue // no traffic in that window
		}
		switch {
		case name == slothObjective || name == pyrraObjective:
			objective = roundObjective(x.Value)
		case name == slothPeriodDays:
			m.Window = time.Duration(x.Value * float64(24*time.Hour)).Round(time.Minute)
		case name == pyrraWindow:
			m.Window = time.Duration(x.Value * float64(time.Second)).Round(time.Minute)
		case name == pyrraAvailabilty:
			put(ratios, "window", 1-x.Value)
		case strings.HasPrefix(name, slothSLIPrefix):
			if d, ok := parseDuration(strings.TrimPrefix(name, slothSLIPrefix)); ok {
				if old, seen := byRange[d]; !seen || x.Value > old {
					byRange[d] = x.Value
				}
			}
		default:
			if mm := pyrraBurnRe.FindStringSubmatch(name); mm != nil {
				if d, ok := parseDuration(mm[2]); ok {
					if old, seen := byRange[d]; !seen || x.Value > old {
						byRange[d] = x.Value
					}
				}
			}
		}
	}
	if m.Window == 0 {
		m.Window = f.inferWindow(byRange)
	}
	for d, v := range byRange {
		switch {
		case d == m.Window && f.kind == "sloth":
			put(ratios, "window", v)
		case windowKey(d) != "":
			put(ratios, windowKey(d), v)
		}
	}
	m.Objective = objective
	if objective <= 0 || objective > 100 {
		m.Error = "objective unknown: " + f.objectiveHint()
		return m
	}
	if len(ratios) > 0 {
		m.ErrorRatios = ratios
	}
	return m
}

// inferWindow guesses the SLO window when no metric states it: Sloth's longest SLI range
// of at least 7d (its period rule); Pyrra's longest burn-rate range times 7 (its slow
// ticket window is window/7), to the day; else the config default.
func (f *found) inferWindow(byRange map[time.Duration]float64) time.Duration {
	var longest time.Duration
	for d := range byRange {
		longest = max(longest, d)
	}
	day := 24 * time.Hour
	switch {
	case f.kind == "sloth" && longest >= 7*day:
		return longest
	case f.kind == "pyrra" && longest >= 12*time.Hour:
		return (longest * 7).Round(day)
	}
	return config.DefaultSLOWindow
}

func (f *found) objectiveHint() string {
	if f.kind == "sloth" {
		return "no " + slothObjective + ` series for sloth_id="` + f.id + `"`
	}
	return `no pyrra_objective series (Pyrra's generic rules) and no alerting rule with the objective for slo="` + f.id + `"`
}

// pyrraAlertObjectives reads the objectives of the Pyrra SLOs in found from their alerting
// rules in the listing (Pyrra writes the objective into the expression,
// "> (14 * (1-0.999))"). A recorded pyrra_objective sample overrides it (see read).
func pyrraAlertObjectives(groups []ruleGroup, found map[string]*found) map[string]float64 {
	out := map[string]float64{}
	for _, g := range groups {
		for _, r := range g.Rules {
			id := r.Labels["slo"]
			if r.Type != "alerting" || found[id] == nil || out[id] != 0 {
				continue
			}
			if m := pyrraAlertTarget.FindStringSubmatch(r.Query); m != nil {
				if v, err := strconv.ParseFloat(m[1], 64); err == nil && v > 0 && v <= 1 {
					out[id] = roundObjective(v)
				}
			}
		}
	}
	return out
}

func appendNew(xs []string, x string) []string {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
