package engine

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/directory"
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

// maxSpeculative bounds the dependencies whose on-call is read beside an answer before its
// cause is known.
const maxSpeculative = 6

// otherTeams are the services ent depends on directly that another team owns and an
// operations source (not only a catalog) knows, at most n, in the directory's order: where
// a cause on another team's service most often sits.
func otherTeams(d *directory.Directory, ent *directory.Entity, n int) []string {
	own := directory.TeamKey(ent.Owner())
	up, _ := d.Neighbours(ent.Name)
	var out []string
	for _, ed := range up {
		e := d.Entity(ed.To)
		if e == nil || e == ent || e.Owner() == "" || directory.TeamKey(e.Owner()) == own || slices.Contains(out, e.Name) || !operated(e) {
			continue
		}
		if out = append(out, e.Name); len(out) == n {
			break
		}
	}
	return out
}

// operated reports whether a source other than a catalog has a record of e.
func operated(e *directory.Entity) bool {
	return slices.ContainsFunc(e.Records, func(r model.Service) bool { return r.Source != "catalogfile" && r.Source != "backstage" })
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
	// Who is on call for the neighbours another team owns is read beside everything else
	// (the cause, once known, is most often one of them), so that naming who can act on it
	// costs no round trip in sequence; a cause further away is asked after.
	onCallOf := map[string][]model.Sourced[model.Responders]{}
	var (
		mu sync.Mutex
		wg conc.WaitGroup
	)
	ask := func(svc string) {
		st := q.d.Target(q.d.Entity(svc), from, now)
		st.Ahead = o.Ahead
		rs := q.r.Gather(q.ctx, st, w, fetch.OnCall).Responders
		mu.Lock()
		onCallOf[svc] = rs
		mu.Unlock()
	}
	for _, n := range otherTeams(q.d, q.ent, maxSpeculative) {
		wg.Go(func() { ask(n) })
	}
	var f model.Facts
	wg.Go(func() { f = q.r.Gather(q.ctx, t, w, everything...) })
	wg.Go(func() { o.GroundOnCall = groundOnCall(q.ctx, q.r, q.d, q.ent, t, w) })
	wg.Wait()
	o.Sources, o.OnCallOf = q.r.Statuses(), onCallOf
	a := incident.Context(q.d, q.ent, f, o)
	var beyond []string // causes beyond the neighbours: one more round trip, then the answer again
	for _, s := range incident.Suspects(q.d, q.ent, a) {
		if _, read := onCallOf[s.Service]; !read {
			beyond = append(beyond, s.Service)
		}
	}
	if len(beyond) == 0 {
		return a, nil // who is on call for each cause was read beside everything else
	}
	for _, svc := range beyond {
		wg.Go(func() { ask(svc) })
	}
	wg.Wait()
	o.Sources = q.r.Statuses()
	return incident.Context(q.d, q.ent, f, o), nil
}
