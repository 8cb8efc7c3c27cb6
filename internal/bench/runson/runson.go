// Package runson measures an answer about a service that runs on several hosts against one
// about a service on none, in the same run (opsctx-bench section runson).
package runson

import (
	"context"
	"fmt"
	"time"

	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/model"
)

// Options configure RunsOn.
type Options struct {
	// Latency is added by every HTTP fake to every answer (default 200 ms).
	Latency time.Duration
	// Reps is how many fresh engines are measured per service (default 3).
	Reps int
	// Hosts is how many servers recommendations runs on (default 3).
	Hosts int
}

// Result compares catalog-warm incident_context for a service on Hosts servers (its
// runs_on read with the catalogs; changes, alerts and problems on the hosts asked with the
// service's; the hosts' owner's on-call beside them) with the demo's checkout, which runs on
// nothing, in the same run.
type Result struct {
	Options Options
	// Ground and Base are the catalog-warm durations of recommendations and of checkout.
	Ground, Base bench.Durations
	// RunsOn is how many hosts the recommendations answer listed.
	RunsOn int
	// Depth is per source, for recommendations' answer (last repetition).
	Depth []bench.SourceDepth
	// Problems lists sources that were not "ok" in a measured answer (figures suspect).
	Problems []string
}

// Target is the goal for a catalog-warm answer: 1.1 × L + 10 ms.
func (r *Result) Target() time.Duration { return r.Options.Latency*11/10 + 10*time.Millisecond }

// Measure measures, on the demo with recommendations spread over o.Hosts servers
// (demo.SpreadRecommendations), catalog-warm answers for recommendations and checkout,
// alternating on fresh engines.
func Measure(ctx context.Context, o Options) (*Result, error) {
	if o.Latency <= 0 {
		o.Latency = 200 * time.Millisecond
	}
	o.Reps, o.Hosts = max(o.Reps, 3), max(o.Hosts, 3)
	env, err := demo.StartScenario(ctx, demo.Scenario{T0: time.Now(), Edit: demo.SpreadRecommendations(o.Hosts)})
	if err != nil {
		return nil, err
	}
	defer env.Close()
	bench.SetLatency(env, o.Latency)
	defer bench.SetLatency(env, 0)
	r := &Result{Options: o}
	for i := 0; i < o.Reps; i++ {
		for _, svc := range []string{demo.Recs, demo.Checkout} {
			e := bench.DemoEngine(env, nil)
			_, cat := e.Directory(ctx)
			start := time.Now()
			ans, err := e.IncidentContext(ctx, engine.Query{Service: svc})
			if err != nil {
				return nil, fmt.Errorf("incident_context %s: %w", svc, err)
			}
			took := time.Since(start)
			for _, st := range ans.Sources {
				if st.Status != model.StateOK && st.Status != model.StateDisabled {
					r.Problems = append(r.Problems, fmt.Sprintf("%s: %s %s (%s)", svc, st.Name, st.Status, st.Error))
				}
			}
			if svc == demo.Checkout {
				r.Base = append(r.Base, took)
				continue
			}
			r.Ground, r.RunsOn = append(r.Ground, took), len(ans.RunsOn)
			r.Depth = bench.Depths(e, cat, ans.Sources, o.Latency)
		}
	}
	if r.RunsOn != o.Hosts {
		return r, fmt.Errorf("recommendations runs on %d hosts in the answer, want %d", r.RunsOn, o.Hosts)
	}
	return r, nil
}
