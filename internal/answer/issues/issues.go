// Package issues assembles active_issues: everything open across sources, deduplicated
// and grouped by root cause, user impact first.
package issues

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/prepare"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
)

// Group is one fire: a root-cause problem with what it explains, or a service's
// unexplained alerts and incidents.
type Group struct {
	// Key is the root-cause problem id, or "service:<name>" for unexplained issues.
	Key       string `json:"key"`
	RootCause string `json:"root_cause,omitempty"`
	Service   string `json:"service"`
	OwnerTeam string `json:"owner_team"`
	// Severity is the worst of the group's, on opsctx's one scale.
	Severity  string                 `json:"severity"`
	Since     time.Time              `json:"since,omitzero"`
	Problems  []answer.ProblemEntry  `json:"problems"`
	Alerts    []answer.AlertGroup    `json:"alert_groups"`
	Incidents []answer.IncidentEntry `json:"incidents"`
	Sources   []string               `json:"sources"`
	// UserImpact names the burning SLO this group touches, or says none was measured.
	UserImpact string `json:"user_impact,omitempty"`
	// burn is the 1h burn rate of that SLO, and level the group's severity, for ordering.
	burn  float64
	level model.Severity
	// problemHints are the owners and zones the group's problems' source names.
	problemHints []string
}

// Result is the result of active_issues.
type Result struct {
	// Headline says in one sentence what is open (and what could not be asked).
	Headline string  `json:"headline"`
	Groups   []Group `json:"groups"`
	Omitted  int     `json:"omitted"`
	Counts   Counts  `json:"counts"`
	// Suppressed are the open alert groups nobody is notified of (silenced, inhibited,
	// muted): listed apart, in no group and no firing count.
	Suppressed []answer.AlertGroup `json:"suppressed_alert_groups"`
	// SLOs are the burning SLOs in scope, worst first.
	SLOs    []answer.SLOEntry    `json:"slos"`
	Sources []answer.SourceEntry `json:"sources"`
}

// Counts totals what is open in the answer's scope, over every group (shown or omitted).
type Counts struct {
	Problems int `json:"problems"`
	// Alerts are the distinct alerts that notify (firing or acknowledged); Suppressed those
	// nobody is notified of.
	Alerts     int `json:"alerts"`
	Suppressed int `json:"suppressed"`
	Incidents  int `json:"incidents"`
}

// Filter narrows active_issues.
type Filter struct {
	Team, Service, MinSeverity string
	Limit                      int
}

// Active lists the open problems, alerts and incidents in f, deduplicated and grouped by
// root cause, worst first. Everything open is grouped first; the filter then keeps whole
// groups (those of the service only, when not nil, of the filter's team, at or above its
// severity), so a filter never changes how the rest is grouped.
func Active(d *directory.Directory, only *directory.Entity, f model.Facts, flt Filter, th slo.Thresholds, sources []model.SourceStatus) *Result {
	is := &issues{d: d, only: only, groups: map[string]*Group{}, sources: sources}
	f = prepare.Facts(d, f, "")
	is.addProblems(f.Problems)
	open, suppressed := answer.GroupAlerts(d, f.Alerts, f.Mutes, f.Problems, sources)
	is.addAlerts(open)
	is.addIncidents(f.Incidents)
	slos := answer.SLOEntries(d, f.SLOs, th)
	k := keep{d: d, team: flt.Team, min: model.SeverityOf(flt.MinSeverity)}
	res := &Result{Groups: []Group{}, Suppressed: []answer.AlertGroup{}, SLOs: []answer.SLOEntry{}}
	for _, key := range is.order {
		g := is.groups[key]
		finishGroup(g)
		if !k.group(g) {
			continue
		}
		groupImpact(d, g, slos, f.HasSLOs)
		res.Groups = append(res.Groups, *g)
		res.Counts.Problems += len(g.Problems)
		res.Counts.Incidents += len(g.Incidents)
		for _, a := range g.Alerts {
			res.Counts.Alerts += a.Count
		}
	}
	for _, a := range suppressed {
		if is.inScope(a.Service) && k.services(a.Service) && k.severe(a.Level()) {
			res.Suppressed = append(res.Suppressed, a)
			res.Counts.Suppressed += a.Count
		}
	}
	for _, s := range slos {
		if s.Burning() && is.inScope(s.Service) && k.services(s.Service) {
			res.SLOs = append(res.SLOs, s)
		}
	}
	sortIssueGroups(res.Groups)
	res.Groups, res.Omitted = answer.Cap(res.Groups, max(flt.Limit, 1))
	res.Sources = answer.SourceEntries(sources)
	res.Headline = headline(res, flt)
	return res
}

// headline says what is open in one sentence.
func headline(r *Result, flt Filter) string {
	scope := "everywhere"
	switch {
	case flt.Service != "":
		scope = "on " + flt.Service
	case flt.Team != "":
		scope = "for team " + flt.Team
	}
	if flt.MinSeverity != "" {
		scope += " at " + flt.MinSeverity + " or worse"
	}
	out := fmt.Sprintf("Active issues %s: %d group(s) — %d problem(s), %d firing alert(s), %d incident(s)", scope,
		len(r.Groups)+r.Omitted, r.Counts.Problems, r.Counts.Alerts, r.Counts.Incidents)
	if r.Counts.Suppressed > 0 {
		out += fmt.Sprintf("; %d alert(s) silenced or inhibited, listed apart", r.Counts.Suppressed)
	}
	return out + answer.SourceCaveat(r.Sources) + "."
}

// issues is one active_issues answer being assembled: its groups by key, in order of
// creation.
type issues struct {
	d      *directory.Directory
	only   *directory.Entity // the one service asked about, or nil
	groups map[string]*Group
	order  []string
	// sources are the statuses of the sources asked, for where alert groups fire.
	sources []model.SourceStatus
}

// inScope reports whether a canonical service is the one the question is about (any,
// without one).
func (is *issues) inScope(name string) bool {
	return is.only == nil || directory.Fold(name) == directory.Fold(is.only.Name)
}

// keep is the filter on finished groups: the team asked about and the least severity.
type keep struct {
	d    *directory.Directory
	team string
	min  model.Severity
}

// severe reports whether a severity passes the filter; unknown ones pass (not knowing how
// bad something is is no reason to hide it).
func (k keep) severe(s model.Severity) bool {
	return k.min == model.SeverityUnknown || s == model.SeverityUnknown || s >= k.min
}

// services reports whether the team asked about owns one of the services (any team passes
// without one).
func (k keep) services(svcs ...string) bool {
	return k.team == "" || slices.ContainsFunc(svcs, func(s string) bool { return s != "" && k.d.OwnedBy(s, k.team) })
}

// group keeps a group whose worst severity passes and that concerns the team: it owns the
// group's service, its root cause or a service the group touches (impacted, alerting, with
// an incident), or the problems' source places them with it (owner tags, management zones).
func (k keep) group(g *Group) bool {
	if !k.severe(g.level) {
		return false
	}
	svcs := []string{g.Service, g.RootCause}
	for _, p := range g.Problems {
		svcs = append(svcs, p.Impacted...)
	}
	for _, a := range g.Alerts {
		svcs = append(svcs, a.Service)
	}
	for _, i := range g.Incidents {
		svcs = append(svcs, i.Service)
	}
	return k.services(svcs...) || k.team != "" && slices.ContainsFunc(g.problemHints, func(o string) bool { return k.d.NamesTeam(o, k.team) })
}

// group returns the group with key, made for svc when new.
func (is *issues) group(key, svc string) *Group {
	g := is.groups[key]
	if g == nil {
		g = &Group{Key: key, Service: svc, OwnerTeam: is.d.OwnerOf(svc), Problems: []answer.ProblemEntry{}, Alerts: []answer.AlertGroup{},
			Incidents: []answer.IncidentEntry{}, Sources: []string{}}
		is.groups[key] = g
		is.order = append(is.order, key)
	}
	return g
}

// addProblems makes a group of each open problem in scope (its root cause or an impacted
// service is), keyed by its id.
func (is *issues) addProblems(ps []model.Problem) {
	var probs []model.Problem
	hints := map[string][]string{}
	for _, p := range ps {
		if p.Status == model.ProblemClosed {
			continue
		}
		if is.only != nil && !slices.ContainsFunc(append([]string{p.RootCause}, p.Impacted...), func(x string) bool {
			return x != "" && is.inScope(is.d.Canonical(p.Source, x))
		}) {
			continue
		}
		probs = append(probs, p)
		hints[cmp.Or(p.DisplayID, p.ID)] = append(slices.Clone(p.Owners), p.Zones...)
	}
	for _, pe := range answer.ProblemEntries(is.d, probs) {
		g := is.group(pe.ID, cmp.Or(append([]string{pe.RootCause}, pe.Impacted...)...))
		g.RootCause = pe.RootCause
		g.Problems = append(g.Problems, pe)
		g.problemHints = append(g.problemHints, hints[pe.ID]...)
		g.addSource(pe.Source)
	}
}

// addAlerts files each open alert group in scope under the problem that explains it, else
// under its service.
func (is *issues) addAlerts(groups []answer.AlertGroup) {
	for _, ag := range groups {
		if !is.inScope(ag.Service) {
			continue
		}
		key := "service:" + ag.Service
		if ag.ExplainedBy != "" && is.groups[ag.ExplainedBy] != nil {
			key = ag.ExplainedBy
		}
		g := is.group(key, ag.Service)
		g.Alerts = append(g.Alerts, ag)
		for _, s := range ag.Sources {
			g.addSource(s)
		}
	}
}

// addIncidents files each open incident in scope under the first root-cause group that
// explains its service, else under its service.
func (is *issues) addIncidents(in []model.Incident) {
	for _, ie := range answer.IncidentEntries(is.d, in) {
		if ie.Status == model.IncidentResolved || !is.inScope(ie.Service) {
			continue
		}
		svc := ie.Service
		key := "service:" + svc
		for _, k := range is.order {
			if g := is.groups[k]; g.RootCause != "" && groupExplains(is.d, g, svc) {
				key = k
				break
			}
		}
		g := is.group(key, svc)
		g.Incidents = append(g.Incidents, ie)
		g.addSource(ie.Source)
	}
}

// sortIssueGroups puts user impact first: groups touching a burning SLO, by burn rate; then
// root causes, then severity, then age.
func sortIssueGroups(gs []Group) {
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if a.burn != b.burn {
			return a.burn > b.burn
		}
		if (a.RootCause != "") != (b.RootCause != "") {
			return a.RootCause != ""
		}
		if a.level != b.level {
			return a.level > b.level
		}
		return a.Since.Before(b.Since)
	})
}

// groupImpact marks a group with the burning SLO it touches, by the answer's impact rule
// (answer.SLOImpact): its own service's, else that of a service its problems impact (as
// the source states), else a consumer's, saying so.
func groupImpact(d *directory.Directory, g *Group, slos []answer.SLOEntry, have bool) {
	if !have {
		return
	}
	g.UserImpact = "no user impact measured"
	svcs := []string{g.Service}
	for _, p := range g.Problems {
		svcs = append(svcs, p.Impacted...)
	}
	for _, consumers := range []bool{false, true} {
		for _, svc := range svcs {
			s, via, ok := answer.SLOImpact(d, svc, model.AlertFiring, slos)
			if !ok || (via != "") != consumers {
				continue
			}
			switch {
			case via != "":
				g.UserImpact = fmt.Sprintf("may affect %s, which depends on %s: %s", via, svc, s.Impact())
			case directory.Fold(svc) != directory.Fold(g.Service):
				g.UserImpact = fmt.Sprintf("impacted %s: %s", svc, s.Impact())
			default:
				g.UserImpact = s.Impact()
			}
			g.burn = max(s.BurnRates["1h"], 1e-9)
			return
		}
	}
}

// groupExplains is explains for a root-cause group: svc is its root cause or impacted by one
// of its problems, or, when they list no impact, depends on the root cause within two hops.
func groupExplains(d *directory.Directory, g *Group, svc string) bool {
	if directory.Fold(svc) == directory.Fold(g.RootCause) {
		return true
	}
	listed := false
	for _, p := range g.Problems {
		for _, x := range p.Impacted {
			listed = true
			if directory.Fold(x) == directory.Fold(svc) {
				return true
			}
		}
	}
	return !listed && d.DependsOn(svc, g.RootCause, 2)
}

// finishGroup sets a group's worst severity and earliest start.
func finishGroup(g *Group) {
	consider := func(level model.Severity, at time.Time) {
		g.level = max(g.level, level)
		if !at.IsZero() && (g.Since.IsZero() || at.Before(g.Since)) {
			g.Since = at
		}
	}
	for _, p := range g.Problems {
		consider(p.Level(), p.StartedAt)
	}
	for _, a := range g.Alerts {
		consider(a.Level(), a.FirstSeen)
	}
	for _, i := range g.Incidents {
		consider(i.Level(), i.StartedAt)
	}
	g.Severity = g.level.String()
}

// addSource notes that source sees the group.
func (g *Group) addSource(source string) {
	if !slices.Contains(g.Sources, source) {
		g.Sources = append(g.Sources, source)
	}
}
