package engine

import (
	"context"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
)

// question is one answer being made: its context (bound by the deadline), its fetch round,
// the directory, and the service its subject led to.
type question struct {
	ctx context.Context
	r   *fetch.Round
	d   *directory.Directory
	ent *directory.Entity
	// from says how ent was found (nil when the subject named it); inc is the incident or
	// change the subject named, if any.
	from *answer.ResolvedFrom
	inc  *connectors.IncidentRef
}

// prepare starts an answer about s. Phase 1, at most half the deadline so that a hung
// catalog cannot starve the rest, loads the directory and, for an incident, looks the
// reference up beside it. The returned cancel is never nil.
func (e *Engine) prepare(ctx context.Context, s Subject) (*question, []connectors.IncidentRef, context.CancelFunc, error) {
	if err := s.Check(); err != nil {
		return nil, nil, func() {}, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.o.Deadline)
	q := &question{ctx: ctx, r: e.begin(ctx)}
	var (
		hits []connectors.IncidentRef
		wg   conc.WaitGroup
	)
	pctx, pcancel := context.WithTimeout(ctx, e.o.Deadline/2)
	wg.Go(func() { q.d = e.directory(pctx, q.r) })
	if s.Incident != "" {
		wg.Go(func() { hits = q.r.FindIncident(pctx, s.Incident) })
	}
	wg.Wait()
	pcancel()
	return q, hits, cancel, nil
}

// ask begins an answer about s and resolves s to one service (see prepare).
func (e *Engine) ask(ctx context.Context, s Subject) (*question, context.CancelFunc, error) {
	s = s.trimmed()
	q, hits, cancel, err := e.prepare(ctx, s)
	if err != nil {
		return nil, cancel, err
	}
	switch {
	case s.Service != "":
		q.ent, err = resolve(q.ctx, q.d, q.r, s.Service)
	case s.Incident != "":
		if q.inc, err = oneIncident(q.d, q.r, s.Incident, hits); err == nil {
			q.ent, q.from, err = forIncident(q.d, q.r, s.Incident, q.inc)
		}
	case s.Repo != "":
		q.ent, q.from, err = forRepo(q.d, q.r, s.Repo)
	case s.Checkout != nil:
		q.ent, q.from, err = forCheckout(q.d, q.r, s.Checkout)
	case s.Host != "":
		q.ent, q.from, err = e.forHost(q, s.Host)
	}
	return q, cancel, err
}

// trimmed is s with surrounding space removed from its text.
func (s Subject) trimmed() Subject {
	s.Service, s.Incident, s.Repo, s.Host = strings.TrimSpace(s.Service), strings.TrimSpace(s.Incident),
		strings.TrimSpace(s.Repo), strings.TrimSpace(s.Host)
	return s
}

// window is [now-since, now] for the question; asked about an incident or change that
// began before that, it reaches back from the start instead (and the cache keys the window
// by that anchor).
func (e *Engine) windowFor(q *question, since time.Duration) (from, now time.Time, w fetch.Window) {
	now = e.o.Now().UTC()
	from, w = now.Add(-since), fetch.Window{Length: since}
	if q.inc != nil && !q.inc.StartedAt.IsZero() && q.inc.StartedAt.Add(-since).Before(from) {
		from, w.Anchor = q.inc.StartedAt.Add(-since), q.inc.StartedAt
	}
	return from, now, w
}

// pinned is the change the question named (a change request reference), to be listed first
// among the changes; nil otherwise.
func (q *question) pinned() *model.Change {
	if q.inc == nil || q.inc.Kind != connectors.KindChange {
		return nil
	}
	return &model.Change{ID: q.inc.ID, Title: q.inc.Title, Kind: "change_request", At: q.inc.StartedAt, Source: q.inc.Source, URL: q.inc.URL}
}

// incidentStart is when the trouble the question named began: an incident's start, never
// a change's (a change is not trouble; escalation is not timed from it).
func (q *question) incidentStart() time.Time {
	if q.inc == nil || q.inc.Kind == connectors.KindChange {
		return time.Time{}
	}
	return q.inc.StartedAt
}

// Resolve says which service a subject leads to and how (nil for a service name), without
// answering about it: the resolution every tool does first, on its own (benchmarks, callers
// that only need the name).
func (e *Engine) Resolve(ctx context.Context, s Subject) (string, *answer.ResolvedFrom, error) {
	q, cancel, err := e.ask(ctx, s)
	defer cancel()
	if err != nil {
		return "", nil, err
	}
	return q.ent.Name, q.from, nil
}
