package engine

import (
	"context"
	"sync"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/workspace"
)

// Query asks incident_context about one service, or what a responder holds instead (see
// Subject): exactly one of Service, Incident, Repo, Host and Checkout.
type Query struct {
	Service  string
	Incident string
	Repo     string
	Host     string
	Checkout *workspace.Checkout
	// Since is how far back to look; default 2h.
	Since time.Duration
	// Horizon is how far ahead to look; default incident.DefaultHorizon.
	Horizon time.Duration
	Detail  answer.Detail
}

// Subject is what the query asks about.
func (q Query) Subject() Subject {
	return Subject{Service: q.Service, Incident: q.Incident, Repo: q.Repo, Host: q.Host, Checkout: q.Checkout}
}

// everything is what incident_context needs: every kind of data, the forward-looking reads
// (shifts, silences, maintenance, scheduled changes) among them, in the same fan-out.
var everything = []fetch.Kind{fetch.Alerts, fetch.Problems, fetch.Incidents, fetch.Changes, fetch.OnCall, fetch.SLOs, fetch.Mutes}

// IncidentContext answers incident_context: the joined picture of one service.
func (e *Engine) IncidentContext(ctx context.Context, qy Query) (*answer.IncidentContext, error) {
	if qy.Since <= 0 {
		qy.Since = 2 * time.Hour
	}
	if qy.Horizon <= 0 {
		qy.Horizon = incident.DefaultHorizon
	}
	q, cancel, err := e.ask(ctx, qy.Subject())
	defer cancel()
	if err != nil {
		return nil, err
	}
	from, now, w := e.windowFor(q, qy.Since)
	w.Horizon = qy.Horizon
	o := incident.ContextOptions{Now: now, Since: from, Ahead: now.Add(qy.Horizon), Detail: qy.Detail, Thresholds: e.o.Thresholds,
		IncidentStart: q.incidentStart(), Pinned: q.pinned(), ResolvedFrom: q.from}
	if q.inc != nil {
		o.Incident = qy.Incident
	}
	t := q.d.Target(q.ent, from, now)
	t.Ahead = o.Ahead
	f := q.r.Gather(q.ctx, t, w, everything...)
	o.Sources = q.r.Statuses()
	a := incident.Context(q.d, q.ent, f, o)
	sus := incident.Suspects(q.d, q.ent, a)
	if len(sus) == 0 {
		return a, nil
	}
	// The cause sits on another team's service: ask who is on call for it (one more round
	// trip, only then) and assemble again, naming them.
	o.OnCallOf = map[string][]model.Sourced[model.Responders]{}
	var mu sync.Mutex
	var wg conc.WaitGroup
	for _, s := range sus {
		wg.Go(func() {
			st := q.d.Target(q.d.Entity(s.Service), from, now)
			st.Ahead = o.Ahead
			rs := q.r.Gather(q.ctx, st, w, fetch.OnCall).Responders
			mu.Lock()
			o.OnCallOf[s.Service] = rs
			mu.Unlock()
		})
	}
	wg.Wait()
	return incident.Context(q.d, q.ent, f, o), nil
}
