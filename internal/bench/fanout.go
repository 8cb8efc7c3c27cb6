package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/model"
)

// FanoutOptions configure Fanout.
type FanoutOptions struct {
	// Latency is added by every HTTP fake to every answer (default 200 ms).
	Latency time.Duration
	// Reps is how many fresh engines are measured (default 3); the medians are reported.
	Reps int
	// Service is the service asked about (default DemoService).
	Service string
	// Host is the host asked about for the host question (default DemoHost).
	Host string
}

// DemoHost is the host the fan-out's host question names: the demo's database server,
// with an exporter's port as an alert label carries it (orders-db runs there).
const DemoHost = "db-prod-01:9100"

func (o FanoutOptions) withDefaults() FanoutOptions {
	if o.Latency <= 0 {
		o.Latency = 200 * time.Millisecond
	}
	if o.Reps <= 0 {
		o.Reps = 3
	}
	if o.Service == "" {
		o.Service = DemoService
	}
	if o.Host == "" {
		o.Host = DemoHost
	}
	return o
}

// SourceDepth is how many sequential round trips one source needed inside opsctx, derived
// from its latency in the answer's sources[] divided by the injected latency L.
type SourceDepth struct {
	Source string
	// CatalogMS and PerServiceMS are the source's latency in the catalog phase (Directory)
	// and in the per-service phase (alerts, problems, incidents, changes, on-call, SLOs).
	CatalogMS, PerServiceMS int64
	// Catalog and PerService are those latencies in units of L, rounded: the depth of the
	// longest chain of dependent requests (-1 when the source has no such capability).
	Catalog, PerService int
}

// SeqCall is one connector call of the sequential baseline.
type SeqCall struct {
	Source, Call string
	// PerService is false for the sign-ins and the catalog calls that resolve the service first.
	PerService bool
	Took       time.Duration
	Err        error
}

// FanoutResult are the fan-out figures of one run.
type FanoutResult struct {
	Latency time.Duration
	// HTTPSources is how many HTTP fakes answered with Latency (the catalog files are local).
	HTTPSources int
	// Cold is incident_context on a fresh engine (empty cache, new connectors, not signed
	// in): sign-in, catalogs and per-service data in sequence.
	Cold Durations
	// SignIn is Engine.SignIn on a fresh engine: the OAuth tokens of the sources that sign in
	// (the demo's ServiceNow), fetched concurrently, as `serve` does when it starts.
	SignIn Durations
	// CatalogPhase is Engine.Directory on a fresh engine after SignIn: every catalog, fetched
	// concurrently.
	CatalogPhase Durations
	// CatalogPhaseUnsigned is Engine.Directory on a fresh engine that has not signed in: a
	// source's first request waits for its token.
	CatalogPhaseUnsigned Durations
	// WarmCatalog is incident_context right after CatalogPhase on the same engine: catalogs
	// cached, every per-service fetch cold.
	WarmCatalog Durations
	// FromSnapshot is incident_context on a fresh one-shot engine (as `opsctx context` is)
	// whose snapshot directory holds what an earlier engine kept: catalogs and reference
	// data come from disk, only per-service data from the sources.
	FromSnapshot Durations
	// SnapshotDepth is, per source, the round trips of the last FromSnapshot answer.
	SnapshotDepth []SourceDepth
	// WarmHost is incident_context asked by host (resolved through the runs-on edges) on a
	// fresh catalog-warm engine, like WarmCatalog.
	WarmHost Durations
	// Baseline are the connector calls of the sequential baseline, in call order.
	Baseline []SeqCall
	// Depth is per source, from the last repetition.
	Depth []SourceDepth
	// Problems lists sources that were not "ok" in a measured answer (the figures are then suspect).
	Problems []string
}

// SeqCold is the sequential baseline's total: every catalog, then every per-service call.
func (r *FanoutResult) SeqCold() time.Duration {
	var d time.Duration
	for _, c := range r.Baseline {
		d += c.Took
	}
	return d
}

// SeqWarmCatalog is the sequential baseline without its catalog calls.
func (r *FanoutResult) SeqWarmCatalog() time.Duration {
	var d time.Duration
	for _, c := range r.Baseline {
		if c.PerService {
			d += c.Took
		}
	}
	return d
}

// Target is the goal for a warm-catalog answer: 1.1 × L + 10 ms.
func (r *FanoutResult) Target() time.Duration { return r.Latency*11/10 + 10*time.Millisecond }

// DepthSummary renders the depths as "source catalog+per-service" items, deepest first.
func (r *FanoutResult) DepthSummary() string { return DepthSummary(r.Depth) }

// DepthSummary renders depths as "source catalog+per-service" items.
func DepthSummary(ds []SourceDepth) string {
	var parts []string
	for _, d := range ds {
		c, p := "-", "-"
		if d.Catalog >= 0 {
			c = fmt.Sprint(d.Catalog)
		}
		if d.PerService >= 0 {
			p = fmt.Sprint(d.PerService)
		}
		parts = append(parts, fmt.Sprintf("%s %s+%s", d.Source, c, p))
	}
	return strings.Join(parts, ", ")
}

// Fanout measures incident_context against the demo fakes, each answering after L, and a
// sequential baseline in the same run. Catalog-warm answers are measured by warming only the
// catalogs (Engine.Directory, what find_service does) on a fresh engine and then asking; this
// leaves every per-service cache entry and every connector-internal memo empty, which is what
// a question minutes after the last one sees. The latency is reset to 0 on return.
func Fanout(ctx context.Context, env *demo.Env, o FanoutOptions) (*FanoutResult, error) {
	o = o.withDefaults()
	SetLatency(env, o.Latency)
	defer SetLatency(env, 0)
	r := &FanoutResult{Latency: o.Latency, HTTPSources: len(env.Servers)}
	q := engine.Query{Service: o.Service}
	for i := 0; i < o.Reps; i++ {
		start := time.Now()
		ans, err := DemoEngine(env, nil).IncidentContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("cold incident_context: %w", err)
		}
		r.Cold = append(r.Cold, time.Since(start))
		r.note("cold", ans.Sources)

		start = time.Now()
		_, cat := DemoEngine(env, nil).Directory(ctx)
		r.CatalogPhaseUnsigned = append(r.CatalogPhaseUnsigned, time.Since(start))
		r.noteStatuses("catalogs before sign-in", cat)

		e := DemoEngine(env, nil)
		start = time.Now()
		signed := e.SignIn(ctx)
		r.SignIn = append(r.SignIn, time.Since(start))
		r.noteStatuses("sign-in", signed)
		start = time.Now()
		_, cat = e.Directory(ctx)
		r.CatalogPhase = append(r.CatalogPhase, time.Since(start))
		start = time.Now()
		ans, err = e.IncidentContext(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("warm-catalog incident_context: %w", err)
		}
		r.WarmCatalog = append(r.WarmCatalog, time.Since(start))
		r.note("warm-catalog", ans.Sources)
		r.Depth = Depths(e, cat, ans.Sources, o.Latency)
		if err := r.fromSnapshot(ctx, env, q, o.Latency); err != nil {
			return nil, err
		}

		e = DemoEngine(env, nil)
		e.Directory(ctx)
		start = time.Now()
		ans, err = e.IncidentContext(ctx, engine.Query{Host: o.Host})
		if err != nil {
			return nil, fmt.Errorf("warm-catalog incident_context by host: %w", err)
		}
		r.WarmHost = append(r.WarmHost, time.Since(start))
		r.note("warm-catalog host", ans.Sources)
	}
	var err error
	r.Baseline, err = Sequential(ctx, env, o.Service)
	for _, c := range r.Baseline {
		if c.Err != nil {
			r.Problems = append(r.Problems, fmt.Sprintf("baseline %s %s: %v", c.Source, c.Call, c.Err))
		}
	}
	return r, err
}

// fromSnapshot measures one FromSnapshot answer: an engine keeps its snapshot (at L = 0, to
// save time), then a fresh one-shot engine on the same directory answers at L.
func (r *FanoutResult) fromSnapshot(ctx context.Context, env *demo.Env, q engine.Query, l time.Duration) error {
	dir, err := os.MkdirTemp("", "opsctx-bench-snapshot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	SetLatency(env, 0)
	prev := SnapshotEngine(env, dir, false)
	if _, err := prev.IncidentContext(ctx, q); err != nil {
		return fmt.Errorf("incident_context before the snapshot: %w", err)
	}
	prev.Close()
	SetLatency(env, l)
	e := SnapshotEngine(env, dir, true)
	start := time.Now()
	ans, err := e.IncidentContext(ctx, q)
	if err != nil {
		return fmt.Errorf("incident_context from the snapshot: %w", err)
	}
	r.FromSnapshot = append(r.FromSnapshot, time.Since(start))
	r.note("from-snapshot", ans.Sources)
	r.SnapshotDepth = Depths(e, nil, ans.Sources, l)
	e.Close() // the catalogs read again in the background
	return nil
}

func (r *FanoutResult) note(what string, st []answer.SourceEntry) {
	for _, s := range st {
		if s.Status == model.StateStale && what == "from-snapshot" && strings.Contains(s.Error, "snapshot") {
			continue // a catalog from the snapshot, by design
		}
		if s.Status != model.StateOK && s.Status != model.StateDisabled {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %s %s (%s)", what, s.Name, s.Status, s.Error))
		}
	}
}

func (r *FanoutResult) noteStatuses(what string, st []model.SourceStatus) {
	for _, s := range st {
		if s.Status != model.StateOK && s.Status != model.StateDisabled {
			r.Problems = append(r.Problems, fmt.Sprintf("%s: %s %s (%s)", what, s.Name, s.Status, s.Error))
		}
	}
}

// Depths turns per-source latencies (catalog phase cat, answer per) into round trips of l.
func Depths(e *engine.Engine, cat []model.SourceStatus, per []answer.SourceEntry, l time.Duration) []SourceDepth {
	rt := func(ms int64) int { return int(math.Round(float64(ms) / float64(l.Milliseconds()))) }
	var out []SourceDepth
	for _, s := range e.Sources() {
		d := SourceDepth{Source: s.Name(), Catalog: -1, PerService: -1}
		if _, ok := s.(connectors.Catalog); ok && cat == nil {
			d.Catalog = 0 // from the snapshot
		}
		for _, c := range cat {
			if c.Name == s.Name() {
				d.CatalogMS, d.Catalog = c.LatencyMS, rt(c.LatencyMS)
			}
		}
		if hasPerService(s) {
			for _, p := range per {
				if p.Name == s.Name() {
					d.PerServiceMS, d.PerService = p.LatencyMS, rt(p.LatencyMS)
				}
			}
		}
		out = append(out, d)
	}
	return out
}

func hasPerService(s connectors.Source) bool {
	for _, c := range perServiceCalls(s) {
		if c.ok {
			return true
		}
	}
	return false
}

type capCall struct {
	name string
	ok   bool
	call func(context.Context, model.Target) error
}

// perServiceCalls lists the per-service capabilities of s with a call for each.
func perServiceCalls(s connectors.Source) []capCall {
	a, okA := s.(connectors.Alerts)
	p, okP := s.(connectors.Problems)
	i, okI := s.(connectors.Incidents)
	c, okC := s.(connectors.Changes)
	r, okR := s.(connectors.OnCall)
	l, okL := s.(connectors.SLOs)
	return []capCall{
		{"alerts", okA, func(ctx context.Context, t model.Target) error { _, err := a.Alerts(ctx, t); return err }},
		{"problems", okP, func(ctx context.Context, t model.Target) error { _, err := p.Problems(ctx, t); return err }},
		{"incidents", okI, func(ctx context.Context, t model.Target) error { _, err := i.Incidents(ctx, t); return err }},
		{"changes", okC, func(ctx context.Context, t model.Target) error { _, err := c.Changes(ctx, t); return err }},
		{"on-call", okR, func(ctx context.Context, t model.Target) error { _, err := r.Responders(ctx, t); return err }},
		{"slos", okL, func(ctx context.Context, t model.Target) error { _, err := l.SLOs(ctx, t); return err }},
	}
}

// Sequential is the baseline: fresh connectors for the demo's configuration, called one
// after another — every sign-in, every catalog, then (for the service they resolve to) every per-service
// capability of every source — with the same connectors opsctx uses.
func Sequential(ctx context.Context, env *demo.Env, service string) ([]SeqCall, error) {
	srcs, _ := app.Sources(env.Config, app.Options{CatalogFS: env.CatalogFS, Logger: quiet})
	var calls []SeqCall
	for _, s := range srcs {
		if a, ok := s.(connectors.Authenticator); ok {
			start := time.Now()
			if err := a.SignIn(ctx); !errors.Is(err, connectors.ErrNoSignIn) {
				calls = append(calls, SeqCall{Source: s.Name(), Call: "sign-in", Took: time.Since(start), Err: err})
			}
		}
	}
	var cats []directory.SourceCatalog
	for _, s := range srcs {
		c, ok := s.(connectors.Catalog)
		if !ok {
			continue
		}
		start := time.Now()
		cat, err := c.Catalog(ctx)
		calls = append(calls, SeqCall{Source: s.Name(), Call: "catalog", Took: time.Since(start), Err: err})
		if err == nil {
			cats = append(cats, directory.SourceCatalog{Source: s.Name(), Catalog: cat})
		}
	}
	now := time.Now().UTC()
	t, err := Target(directory.Build(cats, env.Config.Aliases), service, now.Add(-2*time.Hour), now)
	if err != nil {
		return calls, err
	}
	for _, s := range srcs {
		for _, c := range perServiceCalls(s) {
			if !c.ok {
				continue
			}
			start := time.Now()
			err := c.call(ctx, t)
			calls = append(calls, SeqCall{Source: s.Name(), Call: c.name, PerService: true, Took: time.Since(start), Err: err})
		}
	}
	return calls, nil
}

// Target builds the connector-facing target of service in d the way the engine does: the
// entity's records plus its direct neighbours as Related.
func Target(d *directory.Directory, service string, since, until time.Time) (model.Target, error) {
	var ent *directory.Entity
	for _, c := range d.Lookup(service) {
		if c.Exact {
			ent = c.Entity
			break
		}
	}
	if ent == nil {
		return model.Target{}, fmt.Errorf("service %q not in the catalogs", service)
	}
	t := model.Target{Name: ent.Name, Records: ent.Records, Since: since, Until: until}
	up, down := d.Neighbours(ent.Name)
	seen := map[string]bool{strings.ToLower(ent.Name): true}
	for _, ed := range append(up, down...) {
		n := ed.To
		if strings.EqualFold(n, ent.Name) {
			n = ed.From
		}
		if seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		rt := model.Target{Name: n, Since: since, Until: until}
		if ne := d.Entity(n); ne != nil {
			rt.Records = ne.Records
		}
		t.Related = append(t.Related, rt)
	}
	return t, nil
}
