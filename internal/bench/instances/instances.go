// Package instances measures opsctx with many instances of a source kind against the demo
// with one of each, in one run: the time, upstream requests, CPU and peak RSS of a
// catalog-warm incident_context and of the next answer on the same engine.
package instances

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	amfake "github.com/opsctx/opsctx/internal/fake/alertmanager"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	promfake "github.com/opsctx/opsctx/internal/fake/prometheus"
)

// Options configure Measure.
type Options struct {
	// Latency is added by every HTTP fake to every answer (default 200 ms).
	Latency time.Duration
	// Reps is how many fresh engines are measured per configuration (default 3).
	Reps int
	// Prometheus, Alertmanager and Dynatrace are the instances of each (default 12, 12, 3).
	Prometheus, Alertmanager, Dynatrace int
}

func (o Options) withDefaults() Options {
	if o.Latency <= 0 {
		o.Latency = 200 * time.Millisecond
	}
	if o.Reps <= 0 {
		o.Reps = 3
	}
	if o.Prometheus <= 0 {
		o.Prometheus = 12
	}
	if o.Alertmanager <= 0 {
		o.Alertmanager = 12
	}
	if o.Dynatrace <= 0 {
		o.Dynatrace = 3
	}
	return o
}

// Run is a configuration's catalog-warm incident_context figures.
type Run struct {
	// HTTPSources is how many HTTP fakes (instances) answered with the latency.
	HTTPSources int
	// WarmCatalog are the catalog-warm answers' durations (catalogs cached by
	// Engine.Directory on a fresh engine, every per-service fetch cold).
	WarmCatalog bench.Durations
	// Requests is how many upstream requests one catalog-warm answer made (median).
	Requests int
	// CPU is the process's CPU time (user + system) during one catalog-warm answer (median),
	// the fakes' share included: what the answer costs whatever else runs on the machine.
	CPU bench.Durations
	// PeakRSS is the process's peak resident set while the configuration answered (the
	// fakes run in the same process).
	PeakRSS uint64
	// Next are the durations of a second answer on the same engine, about another service
	// (demo.Payments): its per-service data cold, the connections the first answer opened
	// kept, as for serve's later questions. NextRequests is its upstream requests (median).
	Next         bench.Durations
	NextRequests int
}

// Result compares the demo with one instance of each source (Base) against the
// demo with many Prometheus, Alertmanager and Dynatrace instances (Multi), in one run.
type Result struct {
	Options     Options
	Base, Multi Run
	// Problems lists sources that were not "ok" in a measured answer (figures suspect).
	Problems []string
}

// Target is the goal for a catalog-warm answer: 1.1 × L + 10 ms.
func (r *Result) Target() time.Duration {
	return r.Options.Latency*11/10 + 10*time.Millisecond
}

// Measure measures catalog-warm incident_context on the demo at latency L twice in one run:
// with one instance of each source, then with the demo's Prometheus, Alertmanager and
// Dynatrace repeated as many instances (each a fake of its own serving the demo's data,
// named c01…, t1…), all asked concurrently.
func Measure(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	var (
		am   []amfake.Alert
		prom promfake.Data
		dt   dtfake.Data
	)
	sc := demo.Scenario{T0: time.Now(), Edit: func(source string, data any) {
		switch source {
		case config.SourceAlertmanager:
			if alerts, ok := data.(*[]amfake.Alert); ok { // (its silences come as *[]amfake.Silence)
				am = *alerts
			}
		case config.SourcePrometheus:
			prom = *data.(*promfake.Data)
		case config.SourceDynatrace:
			dt = *data.(*dtfake.Data)
		}
	}}
	env, err := demo.StartScenario(ctx, sc)
	if err != nil {
		return nil, err
	}
	defer env.Close()
	r := &Result{Options: o}
	servers := slices.Collect(maps.Values(env.Servers))
	if r.Base, err = r.measure(ctx, env, servers); err != nil {
		return nil, err
	}

	cfg := env.Config
	more := func(srv *fake.Server) { servers = append(servers, srv) }
	defer func() {
		for _, s := range servers[len(env.Servers):] {
			s.Close()
		}
	}()
	cfg.Sources.Prometheus[0].Name = "c01"
	for i := 2; i <= o.Prometheus; i++ {
		srv := promfake.StartData(promfake.Options{}, prom)
		more(srv.Server)
		cfg.Sources.Prometheus = append(cfg.Sources.Prometheus, &config.Prometheus{Name: fmt.Sprintf("c%02d", i), URL: srv.URL, Labels: cfg.Sources.Prometheus[0].Labels})
	}
	cfg.Sources.Alertmanager[0].Name = "c01"
	for i := 2; i <= o.Alertmanager; i++ {
		srv := amfake.Start(amfake.Options{GroupBy: []string{"alertname", "service"}}, am, nil)
		more(srv.Server)
		cfg.Sources.Alertmanager = append(cfg.Sources.Alertmanager, &config.Alertmanager{Name: fmt.Sprintf("c%02d", i), URL: srv.URL, Labels: cfg.Sources.Alertmanager[0].Labels})
	}
	cfg.Sources.Dynatrace[0].Name = "t1"
	for i := 2; i <= o.Dynatrace; i++ {
		srv := dtfake.Start(dtfake.Options{Token: cfg.Sources.Dynatrace[0].Token.Value()}, dt)
		more(srv.Server)
		cfg.Sources.Dynatrace = append(cfg.Sources.Dynatrace, &config.Dynatrace{Name: fmt.Sprintf("t%d", i), URL: srv.EnvURL(), Token: cfg.Sources.Dynatrace[0].Token})
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r.Multi, err = r.measure(ctx, env, servers)
	return r, err
}

// measure times catalog-warm answers on fresh engines for env's configuration, with every
// server answering after the latency.
func (r *Result) measure(ctx context.Context, env *demo.Env, servers []*fake.Server) (Run, error) {
	for _, s := range servers {
		s.SetLatency(r.Options.Latency)
	}
	defer func() {
		for _, s := range servers {
			s.SetLatency(0)
		}
	}()
	run := Run{HTTPSources: len(servers)}
	var requests, nextRequests []int
	_ = bench.ResetPeakRSS()
	for range r.Options.Reps {
		e := bench.DemoEngine(env, nil)
		e.Directory(ctx)
		for _, s := range servers {
			s.Reset()
		}
		start, cpu := time.Now(), bench.CPUTime()
		ans, err := e.IncidentContext(ctx, engine.Query{Service: bench.DemoService})
		if err != nil {
			return run, fmt.Errorf("catalog-warm incident_context: %w", err)
		}
		run.WarmCatalog = append(run.WarmCatalog, time.Since(start))
		run.CPU = append(run.CPU, bench.CPUTime()-cpu)
		n := count(servers)
		requests = append(requests, n)
		r.check(len(servers), ans.Sources)

		for _, s := range servers {
			s.Reset()
		}
		start = time.Now()
		next, err := e.IncidentContext(ctx, engine.Query{Service: demo.Payments})
		if err != nil {
			return run, fmt.Errorf("second incident_context: %w", err)
		}
		run.Next = append(run.Next, time.Since(start))
		nextRequests = append(nextRequests, count(servers))
		r.check(len(servers), next.Sources)
	}
	run.Requests, run.NextRequests = median(requests), median(nextRequests)
	run.PeakRSS, _ = bench.PeakRSS()
	return run, nil
}

// check notes the sources that were not ok in a measured answer.
func (r *Result) check(servers int, sources []answer.SourceEntry) {
	for _, s := range sources {
		if s.Status != "ok" && s.Status != "disabled" {
			r.Problems = append(r.Problems, fmt.Sprintf("%d instances: %s %s (%s)", servers, s.Name, s.Status, s.Error))
		}
	}
}

// count is how many requests the servers received since their last Reset.
func count(servers []*fake.Server) int {
	n := 0
	for _, s := range servers {
		n += s.Count("")
	}
	return n
}

// median is the middle of xs (sorted in place).
func median(xs []int) int {
	slices.Sort(xs)
	return xs[len(xs)/2]
}
