package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
)

// RunsOnOptions configure RunsOn.
type RunsOnOptions struct {
	// Latency is added by every HTTP fake to every answer (default 200 ms).
	Latency time.Duration
	// Reps is how many fresh engines are measured per service (default 3).
	Reps int
	// Hosts is how many servers recommendations runs on (default 3).
	Hosts int
}

// RunsOnResult compares catalog-warm incident_context for a service on Hosts servers (its
// runs_on read with the catalogs; changes, alerts and problems on the hosts asked with the
// service's; the hosts' owner's on-call beside them) with the demo's checkout, which runs on
// nothing, in the same run.
type RunsOnResult struct {
	Options RunsOnOptions
	// Ground and Base are the catalog-warm durations of recommendations and of checkout.
	Ground, Base Durations
	// RunsOn is how many hosts the recommendations answer listed.
	RunsOn int
	// Depth is per source, for recommendations' answer (last repetition).
	Depth []SourceDepth
	// Problems lists sources that were not "ok" in a measured answer (figures suspect).
	Problems []string
}

// Target is the goal for a catalog-warm answer: 1.1 × L + 10 ms.
func (r *RunsOnResult) Target() time.Duration { return r.Options.Latency*11/10 + 10*time.Millisecond }

// RunsOn measures, on the demo with recommendations spread over o.Hosts servers
// (demo.SpreadRecommendations), catalog-warm answers for recommendations and checkout,
// alternating on fresh engines.
func RunsOn(ctx context.Context, o RunsOnOptions) (*RunsOnResult, error) {
	if o.Latency <= 0 {
		o.Latency = 200 * time.Millisecond
	}
	o.Reps, o.Hosts = max(o.Reps, 3), max(o.Hosts, 3)
	env, err := demo.StartScenario(ctx, demo.Scenario{T0: time.Now(), Edit: demo.SpreadRecommendations(o.Hosts)})
	if err != nil {
		return nil, err
	}
	defer env.Close()
	SetLatency(env, o.Latency)
	defer SetLatency(env, 0)
	r := &RunsOnResult{Options: o}
	fr := &FanoutResult{}
	for i := 0; i < o.Reps; i++ {
		for _, svc := range []string{demo.Recs, demo.Checkout} {
			e := DemoEngine(env, nil)
			_, cat := e.Directory(ctx)
			start := time.Now()
			ans, err := e.IncidentContext(ctx, engine.Query{Service: svc})
			if err != nil {
				return nil, fmt.Errorf("incident_context %s: %w", svc, err)
			}
			took := time.Since(start)
			fr.note(svc, ans.Sources)
			if svc == demo.Checkout {
				r.Base = append(r.Base, took)
				continue
			}
			r.Ground, r.RunsOn = append(r.Ground, took), len(ans.RunsOn)
			r.Depth = depths(e, cat, ans.Sources, o.Latency)
		}
	}
	r.Problems = fr.Problems
	if r.RunsOn != o.Hosts {
		return r, fmt.Errorf("recommendations runs on %d hosts in the answer, want %d", r.RunsOn, o.Hosts)
	}
	return r, nil
}
