package fetch

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/model"
)

// Kind is a kind of per-service data an answer may need; each is cached with its own TTL.
type Kind = cache.Kind

// The kinds Gather can fetch.
const (
	Alerts    = cache.KindAlerts
	Problems  = cache.KindProblems
	Incidents = cache.KindIncidents
	Changes   = cache.KindChanges
	OnCall    = cache.KindOnCall
	SLOs      = cache.KindSLOs
	Mutes     = cache.KindMutes
)

// Window names the time window of a gather in the cache key: data fetched for one window
// never answers a question about another.
type Window struct {
	// Length is how far back the window reaches from its anchor.
	Length time.Duration
	// Anchor is the incident start the window is measured back from; zero means now.
	Anchor time.Time
	// Horizon is how far ahead of now the answer looks (the target's Ahead).
	Horizon time.Duration
}

// key is the cache key of a gather for t in w: the target, whether its neighbours are
// included, the window's length and anchor. A zero target (everything open) has one key.
func key(t model.Target, w Window) string {
	if t.Name == "" {
		return "|open"
	}
	var b strings.Builder
	b.WriteString(strings.ToLower(strings.TrimSpace(t.Name)))
	b.WriteByte('|')
	b.WriteString(w.Length.String())
	if !w.Anchor.IsZero() {
		b.WriteString("@" + w.Anchor.UTC().Format(time.RFC3339Nano))
	}
	if w.Horizon > 0 {
		b.WriteString("+" + w.Horizon.String())
	}
	if len(t.Related) == 0 {
		b.WriteString("|alone")
	}
	return b.String()
}

// Gather fetches the kinds of data asked for t, from every source that serves each kind,
// concurrently and through the cache. A zero target asks for everything open. Each source is
// asked about its own view of t (model.Target.For): an instance that cannot hold t is not
// asked, and is not in the statuses.
func (r *Round) Gather(ctx context.Context, t model.Target, w Window, kinds ...Kind) model.Facts {
	var f model.Facts
	k := key(t, w)
	views := map[string]model.Target{}
	var srcs []connectors.Source
	in := r.selected(r.f.names)
	for _, s := range r.f.o.Sources {
		if v, ok := t.For(s.Name()); ok && in(s.Name()) {
			views[s.Name()] = v
			srcs = append(srcs, s)
		}
	}
	var wg conc.WaitGroup
	var alertsFailed, problemsFailed []string
	if slices.Contains(kinds, Alerts) {
		wg.Go(func() {
			asked := Capable[connectors.Alerts](srcs)
			got := all(ctx, r, asked, Alerts, k, "alerts",
				func(ctx context.Context, c connectors.Alerts) ([]model.Alert, error) {
					return c.Alerts(ctx, views[c.Name()])
				})
			alertsFailed = unanswered(asked, got)
			for _, s := range got {
				for _, a := range s.Value {
					if a.Status == model.AlertPending { // about to fire, not firing
						f.Pending = append(f.Pending, a)
					} else {
						f.Alerts = append(f.Alerts, a)
					}
				}
			}
		})
	}
	if slices.Contains(kinds, Problems) {
		wg.Go(func() {
			asked := Capable[connectors.Problems](srcs)
			got := all(ctx, r, asked, Problems, k, "problems",
				func(ctx context.Context, c connectors.Problems) ([]model.Problem, error) {
					return c.Problems(ctx, views[c.Name()])
				})
			problemsFailed = unanswered(asked, got)
			for _, s := range got {
				f.Problems = append(f.Problems, s.Value...)
			}
		})
	}
	if slices.Contains(kinds, Incidents) {
		wg.Go(func() {
			for _, s := range all(ctx, r, Capable[connectors.Incidents](srcs), Incidents, k, "incidents",
				func(ctx context.Context, c connectors.Incidents) ([]model.Incident, error) {
					return c.Incidents(ctx, views[c.Name()])
				}) {
				f.Incidents = append(f.Incidents, s.Value...)
			}
		})
	}
	if slices.Contains(kinds, Changes) {
		wg.Go(func() {
			for _, s := range all(ctx, r, Capable[connectors.Changes](srcs), Changes, k, "changes",
				func(ctx context.Context, c connectors.Changes) ([]model.Change, error) {
					return c.Changes(ctx, views[c.Name()])
				}) {
				f.Changes = append(f.Changes, s.Value...)
			}
		})
	}
	if slices.Contains(kinds, OnCall) {
		wg.Go(func() {
			f.Responders = all(ctx, r, Capable[connectors.OnCall](srcs), OnCall, k, "on-call",
				func(ctx context.Context, c connectors.OnCall) (model.Responders, error) {
					return c.Responders(ctx, views[c.Name()])
				})
		})
	}
	if slices.Contains(kinds, SLOs) {
		wg.Go(func() {
			f.SLOs = all(ctx, r, Capable[connectors.SLOs](srcs), SLOs, k, "slos",
				func(ctx context.Context, c connectors.SLOs) ([]model.SLO, error) { return c.SLOs(ctx, views[c.Name()]) })
		})
	}
	if slices.Contains(kinds, Mutes) {
		wg.Go(func() {
			for _, s := range all(ctx, r, Capable[connectors.Mutes](srcs), Mutes, k, "silences and maintenance",
				func(ctx context.Context, c connectors.Mutes) ([]model.Mute, error) {
					return c.Mutes(ctx, views[c.Name()])
				}) {
				f.Mutes = append(f.Mutes, s.Value...)
			}
		})
	}
	wg.Wait()
	f.HasAlerts = len(Capable[connectors.Alerts](srcs))+len(Capable[connectors.Problems](srcs)) > 0
	for _, n := range slices.Concat(alertsFailed, problemsFailed) {
		if !slices.Contains(f.Failed, n) {
			f.Failed = append(f.Failed, n)
		}
	}
	for _, s := range f.SLOs {
		f.HasSLOs = f.HasSLOs || len(s.Value) > 0 // a source with no SLOs measures nothing
	}
	return f
}

// unanswered returns the names of the sources asked that gave no value (fresh or stale).
func unanswered[S connectors.Source, T any](asked []S, got []model.Sourced[T]) []string {
	var out []string
	for _, s := range asked {
		if !slices.ContainsFunc(got, func(g model.Sourced[T]) bool { return g.Source == s.Name() }) {
			out = append(out, s.Name())
		}
	}
	return out
}

// AlertedServices asks every AlertRules source which services its alerting rules cover
// (through the cache, as reference data with the catalogs' freshness).
func (r *Round) AlertedServices(ctx context.Context) []model.Sourced[[]string] {
	return all(ctx, r, Capable[connectors.AlertRules](r.f.o.Sources), cache.KindCatalog, "alert rules", "alert rules",
		func(ctx context.Context, c connectors.AlertRules) ([]string, error) { return c.AlertedServices(ctx) })
}

// FindIncident asks every IncidentFinder for ref and returns what each found, in source
// order (several when sources know the reference, the same alert or different ones). A
// reference qualified with a source name or kind ("pagerduty:4711", "opsgenie/eu:1042")
// is asked of those sources only.
func (r *Round) FindIncident(ctx context.Context, ref string) []connectors.IncidentRef {
	in := r.selected(r.f.names)
	var finders []connectors.IncidentFinder
	for _, f := range Capable[connectors.IncidentFinder](r.f.o.Sources) {
		if in(f.Name()) {
			finders = append(finders, f)
		}
	}
	if q, rest, ok := strings.Cut(ref, ":"); ok && rest != "" {
		var only []connectors.IncidentFinder
		for _, f := range finders {
			if strings.EqualFold(q, f.Name()) || strings.EqualFold(q, model.SourceKind(f.Name())) {
				only = append(only, f)
			}
		}
		if len(only) > 0 {
			finders, ref = only, strings.TrimSpace(rest)
		}
	}
	hits := all(ctx, r, finders, cache.KindIncidents, "find|"+ref, "incident lookup",
		func(ctx context.Context, f connectors.IncidentFinder) (*connectors.IncidentRef, error) {
			found, err := f.FindIncident(ctx, ref)
			if errors.Is(err, connectors.ErrNotFound) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			return &found, nil
		})
	var out []connectors.IncidentRef
	for _, h := range hits {
		if h.Value != nil {
			out = append(out, *h.Value)
		}
	}
	return out
}
