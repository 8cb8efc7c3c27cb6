package engine

import (
	"context"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/fetch"
)

// Query asks about one service, or the service behind one incident.
type Query struct {
	Service  string
	Incident string
	// Since is how far back to look; default 2h.
	Since time.Duration
	// Horizon is how far ahead to look; default answer.DefaultHorizon.
	Horizon time.Duration
	Detail  answer.Detail
}

// everything is what incident_context needs: every kind of data, the forward-looking reads
// (shifts, silences, maintenance, scheduled changes) among them, in the same fan-out.
var everything = []fetch.Kind{fetch.Alerts, fetch.Problems, fetch.Incidents, fetch.Changes, fetch.OnCall, fetch.SLOs, fetch.Mutes}

// IncidentContext answers incident_context: the joined picture of one service.
func (e *Engine) IncidentContext(ctx context.Context, q Query) (*answer.IncidentContext, error) {
	ctx, cancel := context.WithTimeout(ctx, e.o.Deadline)
	defer cancel()
	if q.Since <= 0 {
		q.Since = 2 * time.Hour
	}
	if q.Horizon <= 0 {
		q.Horizon = answer.DefaultHorizon
	}
	now := e.o.Now().UTC()
	r := e.begin(ctx)

	var (
		dir  *directory.Directory
		iref *connectors.IncidentRef
		wg   conc.WaitGroup
	)
	// Phase 1 (catalogs, incident lookup) gets at most half the deadline, so a hung catalog
	// source cannot starve phase 2 (alerts, problems, changes, on-call).
	pctx, pcancel := context.WithTimeout(ctx, e.o.Deadline/2)
	var hits []*connectors.IncidentRef
	wg.Go(func() { dir = e.directory(pctx, r) })
	if q.Incident != "" {
		wg.Go(func() { hits = r.FindIncident(pctx, q.Incident) })
	}
	wg.Wait()
	pcancel()

	var ent *directory.Entity
	var err error
	switch {
	case q.Incident == "":
		ent, err = resolve(dir, r, q.Service)
	default:
		if iref, err = oneIncident(q.Incident, hits, r); err == nil {
			ent, err = entityForIncident(dir, r, iref)
		}
	}
	if err != nil {
		return nil, err
	}

	o := answer.ContextOptions{Now: now, Since: now.Add(-q.Since), Ahead: now.Add(q.Horizon), Detail: q.Detail, Thresholds: e.o.Thresholds}
	w := fetch.Window{Length: q.Since, Horizon: q.Horizon}
	if iref != nil {
		o.Incident, o.IncidentStart = q.Incident, iref.StartedAt
		if !iref.StartedAt.IsZero() && iref.StartedAt.Add(-q.Since).Before(o.Since) {
			o.Since = iref.StartedAt.Add(-q.Since) // look back from the incident start, not from now
			w.Anchor = iref.StartedAt
		}
	}
	t := dir.Target(ent, o.Since, now)
	t.Ahead = o.Ahead
	f := r.Gather(ctx, t, w, everything...)
	o.Sources = r.Statuses()
	return answer.Context(dir, ent, f, o), nil
}
