package prometheus

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// burnWindows are the burn-rate windows opsctx reads (model.SLO.ErrorRatios keys; the
// whole SLO window is "window").
var burnWindows = []struct {
	key string
	d   time.Duration
}{{"5m", 5 * time.Minute}, {"30m", 30 * time.Minute}, {"1h", time.Hour}, {"6h", 6 * time.Hour}, {"3d", 72 * time.Hour}}

// windowKey maps a recording rule's range to a burn-rate window key, allowing 10% so that
// Pyrra's windows for a 30d SLO (5m, 32m, 1h4m, 6h26m: its 28d windows scaled by 30/28)
// count as 5m, 30m, 1h and 6h. Pyrra's slow-burn window (4d for 28d, 4d6h51m for 30d: a
// seventh of the SLO window, where the SRE Workbook's ticket rule uses 3d for 30d) stands in
// for 3d, so that the ticket rule can fire for Pyrra SLOs too. Other ranges (2h, 1d) map to "".
func windowKey(d time.Duration) string {
	for _, w := range burnWindows {
		if math.Abs(float64(d-w.d)) <= 0.1*float64(w.d) {
			return w.key
		}
	}
	if d > 72*time.Hour && d <= 5*24*time.Hour {
		return "3d"
	}
	return ""
}

// maxSLOQueries bounds the SLO queries in flight at once.
const maxSLOQueries = 4

// outcome is one SLO with whether its query failed (a source error, not a config error).
type outcome struct {
	slo    model.SLO
	failed error
}

// SLOs returns the target's SLOs (every SLO for a zero target) with the error ratios
// Prometheus observes over 5m, 30m, 1h, 6h, 3d and the SLO window, from three places:
//
//   - SLOs found in recording rules that follow the Sloth or Pyrra conventions (in the
//     rule listing of GET /api/v1/rules, kept for ReferenceTTL and fetched ahead by Warm),
//     read in one batched instant query per convention;
//   - SLOs declared in the configuration file (Options.SLOs) for the target's service;
//   - SLOs declared in catalog annotations on the target's records (opsctx.io/slo-*).
//
// Declared SLOs are evaluated with their error (or good) and total PromQL, $window filled
// in per window, one instant query per SLO. Every query runs concurrently: with the listing
// kept, SLOs costs one round trip in sequence. A query that fails leaves its SLO without
// numbers and with Error; a window with no data (empty result, NaN) is left out. When
// every query fails, SLOs returns the error so the source shows as failing.
func (s *Source) SLOs(ctx context.Context, t model.Target) ([]model.SLO, error) {
	decls := s.declared(t)
	outs := make([]outcome, len(decls))
	var discovered []outcome
	var derr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		discovered, derr = s.discover(ctx, t)
	}()
	slots := make(chan struct{}, maxSLOQueries)
	for i, d := range decls {
		if d.invalid != "" {
			outs[i] = outcome{slo: d.model(d.invalid)}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			outs[i] = s.evaluate(ctx, d)
		}()
	}
	wg.Wait()
	all := append(discovered, outs...)
	var failed []error
	okCount := 0
	out := make([]model.SLO, 0, len(all))
	for _, o := range all {
		switch {
		case o.failed != nil:
			failed = append(failed, o.failed)
		case o.slo.Error == "":
			okCount++
		}
		out = append(out, o.slo)
	}
	if okCount == 0 && derr != nil {
		return nil, fmt.Errorf("prometheus: reading SLO recording rules: %w", derr)
	}
	if derr != nil {
		slog.Default().Warn("prometheus SLO recording rules unavailable", "err", derr)
	}
	if okCount == 0 && len(failed) > 0 {
		return nil, fmt.Errorf("prometheus: every SLO query failed (%d): %w", len(failed), failed[0])
	}
	return out, nil
}

// matchesTarget reports whether a service name is one of want (the target's own names, not
// its neighbours': an SLO belongs to one service); a zero target matches everything.
func matchesTarget(t model.Target, want map[string]bool, service string) bool {
	return t.Name == "" || want[strings.ToLower(service)]
}

// graphURL links to expr in the Prometheus expression browser.
func (s *Source) graphURL(expr string) string {
	u, _ := s.o.Client.URL("graph", url.Values{"g0.expr": {expr}, "g0.tab": {"0"}})
	return u
}

// latest is the newest sample time of xs.
func latest(xs []sample) time.Time {
	var at time.Time
	for _, x := range xs {
		if x.At.After(at) {
			at = x.At
		}
	}
	return at
}

// roundObjective turns a ratio (0.999) into a percentage without float noise (99.9).
func roundObjective(ratio float64) float64 { return math.Round(ratio*100*1e6) / 1e6 }

// sortSLOs orders SLOs by service, then name.
func sortSLOs(xs []outcome) {
	sort.SliceStable(xs, func(i, j int) bool {
		if xs[i].slo.Service != xs[j].slo.Service {
			return xs[i].slo.Service < xs[j].slo.Service
		}
		return xs[i].slo.Name < xs[j].slo.Name
	})
}
