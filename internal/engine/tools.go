package engine

import (
	"context"
	"slices"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer/audit"
	"github.com/opsctx/opsctx/internal/answer/blast"
	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/answer/issues"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
)

// open is what judging every service's health needs: everything open (problems, alerts,
// incidents).
var open = []fetch.Kind{fetch.Alerts, fetch.Problems, fetch.Incidents}

// withSilences is open with the silences, which say who silenced an alert, why and until
// when (read in the same round trip as the alerts).
var withSilences = append(slices.Clip(open), fetch.Mutes)

// WhatChanged lists changes from every source on the subject's service (and its
// dependencies), ranked by suspicion with reasons; a change the subject named comes first.
func (e *Engine) WhatChanged(ctx context.Context, s Subject, since time.Duration, includeDeps bool, limit int) (*incident.WhatChangedResult, error) {
	q, cancel, err := e.ask(ctx, s)
	defer cancel()
	if err != nil {
		return nil, err
	}
	from, now, w := e.windowFor(q, since)
	t := q.d.Target(q.ent, from, now)
	if !includeDeps {
		t.Related = nil
	}
	// The changes, and what tells when the trouble started.
	f := q.r.Gather(q.ctx, t, w, fetch.Changes, fetch.Problems, fetch.Incidents, fetch.Alerts)
	res := incident.WhatChanged(q.d, q.ent, f, incident.ChangesOptions{From: from, Now: now, IncludeDeps: includeDeps, Limit: limit,
		Sources: q.r.Statuses(), Pinned: q.pinned(), IncidentStart: q.incidentStart()})
	res.ResolvedFrom = q.from.Capped(maxOthers)
	return res, nil
}

// maxOthers is how many other services resolved_from lists outside incident_context
// (which caps them by its detail level).
const maxOthers = 10

// WhoOwns answers who owns the subject's service, who is on call now and who takes over
// within the horizon (default incident.DefaultHorizon), how it escalates, and what happens next.
func (e *Engine) WhoOwns(ctx context.Context, s Subject, horizon time.Duration) (*incident.WhoOwnsResult, error) {
	q, cancel, err := e.ask(ctx, s)
	defer cancel()
	if err != nil {
		return nil, err
	}
	if horizon <= 0 {
		horizon = incident.DefaultHorizon
	}
	from, now := e.window(2 * time.Hour)
	t := q.d.Target(q.ent, from, now)
	t.Ahead = now.Add(horizon)
	// Everything incident_context reads (the same cache entries): on-call with the shifts
	// ahead, the pages escalation is timed from, SLOs for the impact, and what the timeline
	// needs (silences, maintenance, scheduled changes, pending alerts, the trouble's start).
	f := q.r.Gather(q.ctx, t, fetch.Window{Length: 2 * time.Hour, Horizon: horizon}, everything...)
	res := incident.WhoOwns(q.d, q.ent, f, incident.WhoOwnsOptions{Now: now, Since: from, Ahead: t.Ahead, Thresholds: e.o.Thresholds, Sources: q.r.Statuses()})
	res.ResolvedFrom = q.from.Capped(maxOthers)
	return res, nil
}

// BlastRadius walks dependencies of the subject's service both ways to depth, with health
// and owners, marking hops that cross team boundaries.
func (e *Engine) BlastRadius(ctx context.Context, s Subject, depth int) (*blast.Result, error) {
	q, cancel, err := e.ask(ctx, s)
	defer cancel()
	if h := hostAsked(q, s, err); h != nil {
		f := q.r.Gather(q.ctx, model.Target{Until: e.o.Now()}, fetch.Window{}, open...)
		return blast.FromHost(q.d, h, f, depth, q.r.Statuses()), nil
	}
	if err != nil {
		return nil, err
	}
	f := q.r.Gather(q.ctx, model.Target{Until: e.o.Now()}, fetch.Window{}, open...)
	res := blast.Radius(q.d, q.ent, f, depth, q.r.Statuses())
	res.ResolvedFrom = q.from.Capped(maxOthers)
	return res, nil
}

// ActiveIssues lists open problems, alerts and incidents across sources, deduplicated and
// grouped by root cause, worst first.
func (e *Engine) ActiveIssues(ctx context.Context, flt issues.Filter) (*issues.Result, error) {
	ctx, cancel, r, d := e.start(ctx)
	defer cancel()
	var only *directory.Entity
	if flt.Service != "" {
		ent, err := resolve(ctx, d, r, flt.Service)
		if err != nil {
			return nil, err
		}
		only = ent
	}
	f := r.Gather(ctx, model.Target{Until: e.o.Now()}, fetch.Window{}, slices.Concat(withSilences, []fetch.Kind{fetch.SLOs})...)
	return issues.Active(d, only, f, flt, e.o.Thresholds, r.Statuses()), nil
}

// BoundaryAudit finds ownerless or unpaged services, cross-team edges without a declared
// contract, and drift between declared (catalog/CMDB) and measured (telemetry) dependencies.
func (e *Engine) BoundaryAudit(ctx context.Context, service, team string, limit int) (*audit.Result, error) {
	ctx, cancel, r, d := e.start(ctx)
	defer cancel()
	o := audit.Options{Team: team, Limit: limit, SLOSources: len(fetch.Capable[connectors.SLOs](e.o.Sources)) > 0}
	kinds := []fetch.Kind{fetch.Alerts} // a service with a live alert is alerted, whatever the catalogs link
	if o.SLOSources {
		kinds = append(kinds, fetch.SLOs)
	}
	f := r.Gather(ctx, model.Target{Until: e.o.Now()}, fetch.Window{}, kinds...)
	o.SLOs, o.Alerts = f.SLOs, slices.Concat(f.Alerts, f.Pending)
	if service != "" {
		ent, err := resolve(ctx, d, r, service)
		if err != nil {
			return nil, err
		}
		o.Service = ent
	}
	o.OnCall, o.Paging, o.Alerting = roles(e.o.Sources)
	o.Rules = r.AlertedServices(ctx)
	o.Asked, o.Sources = r.Asked(), r.Statuses()
	return audit.Boundaries(d, o), nil
}

// roles names the sources by what they can do: onCall know who is on call, paging page
// people about alerts (they know on-call and receive alerts), alerting report alerts or
// problems.
func roles(srcs []connectors.Source) (onCall, paging, alerting []string) {
	for _, s := range srcs {
		_, oc := s.(connectors.OnCall)
		_, al := s.(connectors.Alerts)
		_, pr := s.(connectors.Problems)
		if oc {
			onCall = append(onCall, s.Name())
		}
		if oc && al {
			paging = append(paging, s.Name())
		}
		if al || pr {
			alerting = append(alerting, s.Name())
		}
	}
	return onCall, paging, alerting
}
