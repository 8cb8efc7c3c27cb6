package prometheus

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/model"
)

// Catalog annotations that declare an SLO on a service, evaluated like the SLOs of the
// configuration file: objective in percent ("99.9"), window as a Prometheus duration
// (default 30d), exactly one of the error or good PromQL, and the total PromQL, each with
// the $window placeholder. The name is optional (default "<service>-slo").
const (
	AnnotationSLOName       = "opsctx.io/slo-name"
	AnnotationSLOObjective  = catalogmodel.AnnotationSLOObjective
	AnnotationSLOWindow     = "opsctx.io/slo-window"
	AnnotationSLOErrorQuery = "opsctx.io/slo-error-query"
	AnnotationSLOGoodQuery  = "opsctx.io/slo-good-query"
	AnnotationSLOTotalQuery = "opsctx.io/slo-total-query"
)

// windowLabel names the window of each series of a declared SLO's query.
const windowLabel = "opsctx_window"

// decl is an SLO declared with PromQL, in the config file or in catalog annotations.
type decl struct {
	name, service, origin string
	objective             float64
	window                time.Duration
	errQ, goodQ, totalQ   string
	invalid               string // why the declaration cannot be evaluated
}

// declared returns the declared SLOs of t: the config file's for t's names (all of them for
// a zero target) and those in the annotations of t's records, once per distinct
// declaration (a catalog file and Backstage often carry the same annotations).
func (s *Source) declared(t model.Target) []decl {
	want := names(model.Target{Name: t.Name, Records: t.Records}) // the target itself, not its neighbours
	var out []decl
	for _, c := range s.o.SLOs {
		if !matchesTarget(t, want, c.Service) {
			continue
		}
		w := c.Window
		if w <= 0 {
			w = config.DefaultSLOWindow
		}
		out = append(out, decl{name: c.Name, service: c.Service, origin: "config", objective: c.Objective, window: w,
			errQ: c.ErrorQuery, goodQ: c.GoodQuery, totalQ: c.TotalQuery})
	}
	if t.Name == "" || s.o.PinnedCatalogSLOs && !pinnedHere(t, s.Name()) {
		return out
	}
	seen := map[string]bool{}
	for _, r := range t.Records {
		d, ok := annotationSLO(t.Name, r.Annotations)
		if !ok {
			continue
		}
		if key := fmt.Sprintf("%+v", d); !seen[key] {
			seen[key] = true
			out = append(out, d)
		}
	}
	return out
}

// pinnedHere reports whether a record of t pins it to the named source.
func pinnedHere(t model.Target, source string) bool {
	for _, r := range t.Records {
		if slices.Contains(r.Pins(), source) {
			return true
		}
	}
	return false
}

// annotationSLO reads the SLO annotations of one record, validated as config.SLO is.
func annotationSLO(service string, ann map[string]string) (decl, bool) {
	get := func(k string) string { return strings.TrimSpace(ann[k]) }
	obj, win := get(AnnotationSLOObjective), get(AnnotationSLOWindow)
	d := decl{name: get(AnnotationSLOName), service: service, origin: "catalog annotation", window: config.DefaultSLOWindow,
		errQ: get(AnnotationSLOErrorQuery), goodQ: get(AnnotationSLOGoodQuery), totalQ: get(AnnotationSLOTotalQuery)}
	if obj == "" && win == "" && d.errQ == "" && d.goodQ == "" && d.totalQ == "" {
		return decl{}, false
	}
	if d.name == "" {
		d.name = service + "-slo"
	}
	var problems []string
	bad := func(key, format string, args ...any) {
		problems = append(problems, key+": "+fmt.Sprintf(format, args...))
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(obj, "%"), 64)
	switch {
	case obj == "":
		bad(AnnotationSLOObjective, "required (a percentage such as 99.9)")
	case err != nil || v <= 0 || v > 100 || math.IsNaN(v):
		bad(AnnotationSLOObjective, "%q is not a percentage: use e.g. 99.9 (greater than 0, at most 100)", obj)
	default:
		d.objective = v
	}
	if win != "" {
		w, ok := parseDuration(win)
		switch {
		case !ok:
			bad(AnnotationSLOWindow, "%q is not a duration: use e.g. 7d, 28d, 30d", win)
		case w < time.Hour:
			bad(AnnotationSLOWindow, "%q is too short for an SLO window: use e.g. 7d, 28d, 30d", win)
		default:
			d.window = w
		}
	}
	if (d.errQ == "") == (d.goodQ == "") {
		bad(AnnotationSLOErrorQuery, "give exactly one of %s or %s", AnnotationSLOErrorQuery, AnnotationSLOGoodQuery)
	}
	for _, q := range []struct{ key, q string }{{AnnotationSLOErrorQuery, d.errQ}, {AnnotationSLOGoodQuery, d.goodQ}, {AnnotationSLOTotalQuery, d.totalQ}} {
		if q.q == "" && q.key != AnnotationSLOTotalQuery {
			continue
		}
		if err := checkQuery(q.q); err != nil {
			bad(q.key, "%v", err)
		}
	}
	if len(problems) > 0 {
		d.invalid = "invalid SLO annotations: " + strings.Join(problems, "; ")
	}
	return d, true
}

// checkQuery catches what a declaration can get wrong without a PromQL parser (as the
// config file's validation does): an empty query, unbalanced brackets or quotes, and no
// $window placeholder (every burn-rate window would read the same range).
func checkQuery(q string) error {
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("required (a PromQL expression using [%s])", config.WindowPlaceholder)
	}
	var stack []byte
	var quote byte
	pairs := map[byte]byte{')': '(', ']': '[', '}': '{'}
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, c)
		case pairs[c] != 0:
			if len(stack) == 0 || stack[len(stack)-1] != pairs[c] {
				return fmt.Errorf("unbalanced %q in PromQL %q", c, q)
			}
			stack = stack[:len(stack)-1]
		}
	}
	switch {
	case quote != 0:
		return fmt.Errorf("unterminated string in PromQL %q", q)
	case len(stack) > 0:
		return fmt.Errorf("unclosed %q in PromQL %q", stack[len(stack)-1], q)
	case !strings.Contains(q, config.WindowPlaceholder):
		return fmt.Errorf("PromQL %q has no [%s] range: the burn-rate windows need it", q, config.WindowPlaceholder)
	}
	return nil
}

// ranges are the windows a declared SLO is evaluated over: the burn-rate windows and its own.
func (d decl) ranges() []struct{ key, rng string } {
	out := make([]struct{ key, rng string }, 0, len(burnWindows)+1)
	for _, w := range burnWindows {
		out = append(out, struct{ key, rng string }{w.key, promDuration(w.d)})
	}
	return append(out, struct{ key, rng string }{"window", promDuration(d.window)})
}

// ratio is the error ratio over rng: sum(error) / sum(total), or 1 - sum(good) / sum(total).
// A missing error (or good) series counts as 0, so a service with traffic and no errors
// reads 0; a missing total gives no sample and 0/0 gives NaN: no traffic, window left out.
func (d decl) ratio(rng string) string {
	sub := func(q string) string { return strings.ReplaceAll(q, config.WindowPlaceholder, rng) }
	total := "sum(" + sub(d.totalQ) + ")"
	if d.errQ != "" {
		return "(sum(" + sub(d.errQ) + ") or vector(0)) / " + total
	}
	return "1 - (sum(" + sub(d.goodQ) + ") or vector(0)) / " + total
}

// expr is the one query that reads every window of d: each window's ratio labelled
// opsctx_window="<key>", joined with or.
func (d decl) expr() string {
	var parts []string
	for _, r := range d.ranges() {
		parts = append(parts, fmt.Sprintf(`label_replace(%s, %q, %q, "", "")`, d.ratio(r.rng), windowLabel, r.key))
	}
	return strings.Join(parts, " or ")
}

// sli states what d measures, with the placeholder.
func (d decl) sli() string {
	if d.errQ != "" {
		return d.errQ + " / " + d.totalQ
	}
	return "1 - " + d.goodQ + " / " + d.totalQ
}

// model is d without values; errText, when set, says why.
func (d decl) model(errText string) model.SLO {
	return model.SLO{Name: d.name, Service: d.service, Objective: d.objective, Window: d.window, SLI: d.sli(), Source: SourceName, Error: errText}
}

// evaluate reads d's error ratios in one instant query. A ratio outside 0..1 means the
// queries do not measure errors against their total: the SLO then shows an Error, not a
// number.
func (s *Source) evaluate(ctx context.Context, d decl) outcome {
	m := d.model("")
	m.URL = s.graphURL(d.ratio("1h"))
	xs, err := s.instant(ctx, d.expr())
	if err != nil {
		m.Error = queryError(err)
		return outcome{slo: m, failed: err}
	}
	ratios := map[string]float64{}
	for _, x := range xs {
		k := x.Metric[windowLabel]
		if k == "" {
			continue
		}
		m.AsOf = maxTime(m.AsOf, x.At)
		v := x.Value
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue // no traffic over that window
		}
		if v < -1e-9 || v > 1+1e-9 {
			m.Error = fmt.Sprintf("error ratio %.4g over %s is outside 0..1: check the %s SLO's queries", v, k, d.origin)
			return outcome{slo: m}
		}
		ratios[k] = min(max(v, 0), 1)
	}
	if len(ratios) > 0 {
		m.ErrorRatios = ratios
	}
	return outcome{slo: m}
}
