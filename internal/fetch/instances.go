package fetch

import (
	"context"
	"slices"
	"sync"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// DefaultPerKind bounds how many instances of one source kind a round talks to at once.
const DefaultPerKind = 16

// limiter bounds how many instances of one source kind a round talks to at once, so that a
// list of thirty clusters is not thirty connections per question: an instance takes a slot
// with its first call in flight and gives it back with its last.
type limiter struct {
	max   int
	mu    sync.Mutex
	sems  map[string]chan struct{} // kind -> slots
	calls map[string]int           // source -> calls in flight
	slots map[string]int           // source -> slots held
}

func newLimiter(max int) *limiter {
	return &limiter{max: max, sems: map[string]chan struct{}{}, calls: map[string]int{}, slots: map[string]int{}}
}

// acquire waits for source's kind to have a slot free (or for one of source's calls to be in
// flight already) and returns the release of this call.
func (l *limiter) acquire(ctx context.Context, source string) (func(), error) {
	kind := model.SourceKind(source)
	l.mu.Lock()
	sem := l.sems[kind]
	if sem == nil {
		sem = make(chan struct{}, l.max)
		l.sems[kind] = sem
	}
	if l.calls[source] > 0 {
		l.calls[source]++
		l.mu.Unlock()
		return func() { l.release(source, sem) }, nil
	}
	l.mu.Unlock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	l.mu.Lock()
	l.calls[source]++
	l.slots[source]++
	l.mu.Unlock()
	return func() { l.release(source, sem) }, nil
}

// release ends one call of source; the last one gives back every slot source holds.
func (l *limiter) release(source string, sem chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.calls[source]--; l.calls[source] > 0 {
		return
	}
	for ; l.slots[source] > 0; l.slots[source]-- {
		<-sem
	}
}

// own is where upstream records enter opsctx, once per fetch before they are cached: it
// cleans every string of v (sanitize.Record: control, invisible and BiDi characters, folded
// whitespace, per-field caps, markdown neutralised; a catalog is cleaned where the directory
// is built from it, off the answer's path for a large one) and stamps every item with the
// name of the source that returned it (on a copy when a connector wrote another name), so
// that every item of an answer names the instance it came from, whatever the connector wrote.
func own[T any](source string, v T) T {
	if _, catalog := any(v).(model.Catalog); !catalog {
		v = sanitize.Record(v)
	}
	switch x := any(&v).(type) {
	case *[]model.Alert:
		*x = stamp(*x, source, func(a *model.Alert) *string { return &a.Source })
	case *[]model.Problem:
		*x = stamp(*x, source, func(p *model.Problem) *string { return &p.Source })
	case *[]model.Incident:
		*x = stamp(*x, source, func(i *model.Incident) *string { return &i.Source })
	case *[]model.Change:
		*x = stamp(*x, source, func(c *model.Change) *string { return &c.Source })
	case *[]model.SLO:
		*x = stamp(*x, source, func(s *model.SLO) *string { return &s.Source })
	case *[]model.Mute:
		*x = stamp(*x, source, func(m *model.Mute) *string { return &m.Source })
	case *model.Responders:
		x.OnCall = stamp(x.OnCall, source, func(o *model.OnCall) *string { return &o.Source })
		x.Upcoming = stamp(x.Upcoming, source, func(o *model.OnCall) *string { return &o.Source })
		x.Escalation = stamp(x.Escalation, source, func(e *model.EscalationStep) *string { return &e.Source })
	case *model.Catalog:
		x.Services = stamp(x.Services, source, func(s *model.Service) *string { return &s.Source })
		x.Teams = stamp(x.Teams, source, func(t *model.Team) *string { return &t.Source })
		x.Dependencies = stamp(x.Dependencies, source, func(d *model.Dependency) *string { return &d.Source })
		x.Hosts = stamp(x.Hosts, source, func(h *model.Host) *string { return &h.Source })
		x.RunsOn = stamp(x.RunsOn, source, func(r *model.RunsOn) *string { return &r.Source })
	case **connectors.IncidentRef:
		if *x != nil && (*x).Source != source {
			ref := **x
			ref.Source = source
			*x = &ref
		}
	}
	return v
}

// stamp sets the source field of every item, on a copy when one differs. Items are looked at
// in place: a large catalog (200k relations) is neither copied nor allocated when its
// connector wrote the name already.
func stamp[T any](xs []T, source string, field func(*T) *string) []T {
	for i := range xs {
		if *field(&xs[i]) != source {
			xs = slices.Clone(xs)
			for i := range xs {
				*field(&xs[i]) = source
			}
			return xs
		}
	}
	return xs
}
