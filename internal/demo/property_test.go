package demo_test

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/fake"
)

// demoServices are every service of the demo catalog.
var demoServices = []string{demo.Checkout, demo.Payments, demo.Cart, demo.Inventory, demo.Search, demo.Storefront,
	demo.OrdersDB, demo.PaymentsDB, demo.OrderQueue, demo.SessionCache, "payments-api"}

// questions are every tool at every detail level it takes, about svc.
func questions(svc string) []struct {
	tool string
	args map[string]any
} {
	type q = struct {
		tool string
		args map[string]any
	}
	out := []q{{"who_owns", map[string]any{"service": svc}}, {"what_changed", map[string]any{"service": svc}},
		{"blast_radius", map[string]any{"service": svc}}, {"boundary_audit", map[string]any{"service": svc}},
		{"find_service", map[string]any{"query": svc}}, {"active_issues", map[string]any{"service": svc}}}
	for _, d := range []string{"brief", "standard", "full"} {
		out = append(out, q{"incident_context", map[string]any{"service": svc, "detail": d}})
	}
	return out
}

var numberRe = regexp.MustCompile(`\d+(?:\.\d+)?`)

// figures are the numbers a structured result states, in every form the markdown may
// write them: as given, rounded, as a percentage of a fraction, the numbers inside its
// strings (times, ids, reasons), list lengths (with what was omitted), and minutes and
// hours between its times and the answer's time.
func figures(v any) map[string]bool {
	out := map[string]bool{}
	var times []time.Time
	var omitted []int
	var lens []int
	var walk func(k string, v any)
	walk = func(k string, v any) {
		switch x := v.(type) {
		case float64:
			for _, f := range []float64{x, x * 100} {
				for _, format := range []string{"%g", "%.0f", "%.1f", "%.2f", "%.4g", "%d"} {
					if format == "%d" {
						out[strconv.Itoa(int(math.Round(f)))] = true
						continue
					}
					out[fmt.Sprintf(format, f)] = true
				}
			}
			if k == "omitted" || strings.HasPrefix(k, "omitted.") {
				omitted = append(omitted, int(x))
			}
		case string:
			for _, n := range numberRe.FindAllString(x, -1) {
				out[n] = true
			}
			if t, err := time.Parse(time.RFC3339, x); err == nil {
				times = append(times, t)
			}
		case []any:
			lens = append(lens, len(x))
			for _, e := range x {
				walk(k, e)
			}
		case map[string]any:
			for kk, e := range x {
				if k == "omitted" {
					kk = "omitted." + kk
				}
				walk(kk, e)
			}
		}
	}
	walk("", v)
	for _, n := range lens {
		out[strconv.Itoa(n)] = true
		for _, o := range omitted {
			out[strconv.Itoa(n+o)] = true
		}
	}
	for _, o := range omitted {
		out[strconv.Itoa(o)] = true
	}
	asOf, _ := time.Parse(time.RFC3339, text(jget(v, "as_of")))
	for _, ref := range append([]time.Time{t0, asOf}, times...) {
		for _, t := range times {
			d := t.Sub(ref).Abs()
			out[strconv.Itoa(int(d.Minutes()))] = true
			out[strconv.Itoa(int(math.Round(d.Minutes())))] = true
			out[fmt.Sprintf("%.1f", d.Hours())] = true
			out[strconv.Itoa(int(math.Round(d.Hours())))] = true
		}
	}
	return out
}

// TestEveryNumberHasItsSource: for every tool × every demo service × every detail level,
// every number the markdown states is in the structured result (the text never says more
// than the result a client may show alone), and where a source reported an error, no figure
// of it is present — with every source healthy, and with Dynatrace failing and Prometheus
// failing one SLO's queries.
func TestEveryNumberHasItsSource(t *testing.T) {
	for _, broken := range []bool{false, true} {
		t.Run(fmt.Sprintf("broken=%v", broken), func(t *testing.T) {
			sc, cfg := plain(t0), func(*config.Config) {}
			if broken {
				sc, cfg = failingSLO(t0), declareFailingSLO
			}
			e := startSeam(t, sc, cfg)
			if broken {
				e.env.Servers[config.SourceDynatrace].AddFault(fake.Fault{Status: 403, Body: `{"error":{"code":403,"message":"Token is missing required scope"}}`})
			}
			answers := 0
			for _, svc := range demoServices {
				for _, q := range questions(svc) {
					a := ask(t, e.c, q.tool, q.args)
					answers++
					checkNumbers(t, q.tool, q.args, a)
					checkFailedSources(t, q.tool, q.args, a)
				}
			}
			t.Logf("%d answers checked", answers)
		})
	}
}

// checkNumbers fails for a number in the markdown that the structured result does not state.
func checkNumbers(t *testing.T, tool string, args map[string]any, a answerOf) {
	t.Helper()
	have := figures(a.s)
	for _, line := range strings.Split(a.md, "\n") {
		for _, m := range numberRe.FindAllStringIndex(line, -1) {
			n := line[m[0]:m[1]]
			if strings.HasPrefix(line[m[1]:], "…") {
				continue // a cut-off text ends in the middle of a number
			}
			if !have[n] && !have[strings.TrimRight(strings.TrimRight(n, "0"), ".")] {
				t.Errorf("%s %v: the markdown states %s, which the structured result does not: %q", tool, args, n, line)
			}
		}
	}
}

// checkFailedSources fails when an answer shows a figure from a source that reported an
// error: an SLO with an error keeps no budget or burn, and no item cites a failed source.
func checkFailedSources(t *testing.T, tool string, args map[string]any, a answerOf) {
	t.Helper()
	failed := map[string]bool{}
	for _, s := range list(jget(a.s, "sources")) {
		if jget(s, "status") == "error" {
			failed[text(jget(s, "name"))] = true
		}
	}
	for _, s := range list(jget(a.s, "slos")) {
		if text(jget(s, "error")) == "" {
			continue
		}
		if jget(s, "error_budget_remaining") != nil || jget(s, "hours_to_exhaust") != nil || len(obj(jget(s, "burn_rates"))) > 0 {
			t.Errorf("%s %v: SLO %v failed but states figures", tool, args, s)
		}
		if line := lineWith(a.md, text(jget(s, "name"))); strings.Contains(line, "budget left") && !strings.Contains(line, "unknown") {
			t.Errorf("%s %v: failed SLO line states a budget: %q", tool, args, line)
		}
	}
	for _, path := range []string{"problems", "changes", "incidents", "oncall", "slos"} {
		for _, x := range list(jget(a.s, path)) {
			if failed[text(jget(x, "source"))] {
				t.Errorf("%s %v: %s cites %s, which failed: %v", tool, args, path, jget(x, "source"), x)
			}
		}
	}
}
