// Package issues assembles active_issues: everything open across sources, deduplicated
// and grouped by root cause, user impact first.
package issues

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
)

// Group is one fire: a root-cause problem with what it explains, or a service's
// unexplained alerts and incidents.
type Group struct {
	// Key is the root-cause problem id, or "service:<name>" for unexplained issues.
	Key       string                 `json:"key"`
	RootCause string                 `json:"root_cause,omitempty"`
	Service   string                 `json:"service"`
	OwnerTeam string                 `json:"owner_team"`
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
}

// Result is the result of active_issues.
type Result struct {
	Groups  []Group `json:"groups"`
	Omitted int     `json:"omitted"`
	Counts  Counts  `json:"counts"`
	// SLOs are the burning SLOs in scope, worst first.
	SLOs    []answer.SLOEntry    `json:"slos"`
	Sources []answer.SourceEntry `json:"sources"`
}

// Counts totals what is open in the answer's scope.
type Counts struct {
	Problems  int `json:"problems"`
	Alerts    int `json:"alerts"`
	Incidents int `json:"incidents"`
}

// Filter narrows active_issues.
type Filter struct {
	Team, Service, MinSeverity string
	Limit                      int
}

// Active lists the open problems, alerts and incidents in f, deduplicated and grouped
// by root cause, worst first; only those of the service only (when not nil) and of the
// filter's team.
func Active(d *directory.Directory, only *directory.Entity, f model.Facts, flt Filter, th slo.Thresholds, sources []model.SourceStatus) *Result {
	is := &issues{d: d, only: only, team: flt.Team, min: model.SeverityOf(flt.MinSeverity), groups: map[string]*Group{},
		res: &Result{Groups: []Group{}, SLOs: []answer.SLOEntry{}}, sources: sources}
	f = answer.Prepare(d, f, "")
	is.addProblems(f.Problems)
	is.addAlerts(f.Alerts, f.Problems)
	is.addIncidents(f.Incidents)
	res := is.res
	slos := answer.SLOEntries(d, f.SLOs, th)
	for _, s := range slos {
		if s.Burning() && is.inScope("", s.Service) {
			res.SLOs = append(res.SLOs, s)
		}
	}
	for _, k := range is.order {
		g := is.groups[k]
		finishGroup(g)
		groupImpact(d, g, slos, f.HasSLOs)
		res.Groups = append(res.Groups, *g)
	}
	sortIssueGroups(res.Groups)
	res.Groups, res.Omitted = answer.Cap(res.Groups, max(flt.Limit, 1))
	res.Sources = answer.SourceEntries(sources)
	return res
}

// issues is one active_issues answer being assembled: its groups by key, in order of
// creation.
type issues struct {
	d      *directory.Directory
	only   *directory.Entity // the one service asked about, or nil
	team   string            // the owning team asked about, or ""
	min    model.Severity    // leave out anything less severe (unknown severities stay)
	groups map[string]*Group
	order  []string
	res    *Result
	// sources are the statuses of the sources asked, for where alert groups fire.
	sources []model.SourceStatus
}

// inScope reports whether a service, as source names it, is one the question is about.
func (is *issues) inScope(source, svc string) bool {
	name := is.d.Canonical(source, svc)
	if is.only != nil && directory.Fold(name) != directory.Fold(is.only.Name) {
		return false
	}
	return is.team == "" || is.d.OwnedBy(name, is.team)
}

// severe reports whether a severity passes the filter; unknown ones pass.
func (is *issues) severe(s model.Severity) bool {
	return is.min == model.SeverityUnknown || s == model.SeverityUnknown || s >= is.min
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
	for _, p := range ps {
		if p.Status == model.ProblemClosed || !is.severe(p.Rank()) {
			continue
		}
		inScope := slices.ContainsFunc(append([]string{p.RootCause}, p.Impacted...), func(x string) bool { return x != "" && is.inScope(p.Source, x) })
		// The source's ownership hints (owner tags, management zones) place a problem with the
		// team asked about even when its entities are in no catalog.
		hinted := is.team != "" && is.only == nil &&
			slices.ContainsFunc(append(slices.Clone(p.Owners), p.Zones...), func(o string) bool { return is.d.NamesTeam(o, is.team) })
		if inScope || hinted {
			probs = append(probs, p)
		}
	}
	for _, pe := range answer.ProblemEntries(is.d, probs) {
		g := is.group(pe.ID, cmp.Or(append([]string{pe.RootCause}, pe.Impacted...)...))
		g.RootCause = pe.RootCause
		g.Problems = append(g.Problems, pe)
		g.addSource(pe.Source)
		is.res.Counts.Problems++
	}
}

// addAlerts groups the alerts in scope and files each group under the problem that
// explains it, else under its service.
func (is *issues) addAlerts(as []model.Alert, problems []model.Problem) {
	var alerts []model.Alert
	for _, a := range as {
		if is.inScope(a.Source, a.Service) && (is.min == model.SeverityUnknown || a.Rank() >= is.min) {
			alerts = append(alerts, a)
		}
	}
	is.res.Counts.Alerts = len(alerts)
	for _, ag := range answer.GroupAlerts(is.d, "", alerts, problems, is.sources) {
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

// addIncidents files each incident in scope under the first root-cause group that explains
// its service, else under its service.
func (is *issues) addIncidents(in []model.Incident) {
	var incs []model.Incident
	for _, i := range in {
		if is.inScope(i.Source, i.Service) && is.severe(i.Rank()) {
			incs = append(incs, i)
		}
	}
	is.res.Counts.Incidents = len(incs)
	for _, ie := range answer.IncidentEntries(incs) {
		svc := is.d.Canonical(ie.Source, ie.Service)
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

// groupImpact marks a group with the burning SLO it touches: on the group's service, on a
// service the group's problems impact, or on a service that depends on the group's service.
func groupImpact(d *directory.Directory, g *Group, slos []answer.SLOEntry, have bool) {
	if !have {
		return
	}
	g.UserImpact = "no user impact measured"
	touched := []string{g.Service, g.RootCause}
	for _, p := range g.Problems {
		touched = append(touched, p.Impacted...)
	}
	for _, s := range slos {
		if !s.Burning() {
			continue
		}
		for _, x := range touched {
			if x != "" && (directory.Fold(x) == directory.Fold(s.Service) || d.DependsOn(s.Service, x, 4)) {
				g.UserImpact = s.Impact()
				g.burn = max(s.BurnRates["1h"], 1e-9)
				return
			}
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
	consider := func(level model.Severity, sev string, at time.Time) {
		if level > g.level || g.Severity == "" {
			g.Severity, g.level = sev, level
		}
		if !at.IsZero() && (g.Since.IsZero() || at.Before(g.Since)) {
			g.Since = at
		}
	}
	for _, p := range g.Problems {
		consider(p.Level(), p.Severity, p.StartedAt)
	}
	for _, a := range g.Alerts {
		consider(a.Level(), a.Severity, a.FirstSeen)
	}
	for _, i := range g.Incidents {
		consider(i.Level(), i.Priority, i.StartedAt)
	}
}

// addSource notes that source sees the group.
func (g *Group) addSource(source string) {
	if !slices.Contains(g.Sources, source) {
		g.Sources = append(g.Sources, source)
	}
}
