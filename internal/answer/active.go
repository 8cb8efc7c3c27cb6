package answer

import (
	"cmp"
	"sort"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
)

// IssueGroup is one fire: a root-cause problem with what it explains, or a service's
// unexplained alerts and incidents.
type IssueGroup struct {
	// Key is the root-cause problem id, or "service:<name>" for unexplained issues.
	Key       string          `json:"key"`
	RootCause string          `json:"root_cause,omitempty"`
	Service   string          `json:"service"`
	OwnerTeam string          `json:"owner_team"`
	Severity  string          `json:"severity"`
	Since     time.Time       `json:"since,omitzero"`
	Problems  []ProblemEntry  `json:"problems"`
	Alerts    []AlertGroup    `json:"alert_groups"`
	Incidents []IncidentEntry `json:"incidents"`
	Sources   []string        `json:"sources"`
	// UserImpact names the burning SLO this group touches, or says none was measured.
	UserImpact string `json:"user_impact,omitempty"`
	// burn is the 1h burn rate of that SLO, for ordering.
	burn float64
}

// ActiveIssuesResult is the result of active_issues.
type ActiveIssuesResult struct {
	Groups  []IssueGroup `json:"groups"`
	Omitted int          `json:"omitted"`
	Counts  IssueCounts  `json:"counts"`
	// SLOs are the burning SLOs in scope, worst first.
	SLOs    []SLOEntry    `json:"slos"`
	Sources []SourceEntry `json:"sources"`
}

// IssueCounts totals what is open in the answer's scope.
type IssueCounts struct {
	Problems  int `json:"problems"`
	Alerts    int `json:"alerts"`
	Incidents int `json:"incidents"`
}

// IssueFilter narrows active_issues.
type IssueFilter struct {
	Team, Service, MinSeverity string
	Limit                      int
}

// ActiveIssues lists the open problems, alerts and incidents in f, deduplicated and grouped
// by root cause, worst first; only those of the service only (when not nil) and of the
// filter's team.
func ActiveIssues(d *directory.Directory, only *directory.Entity, f model.Facts, flt IssueFilter, th slo.Thresholds, sources []model.SourceStatus) *ActiveIssuesResult {
	inScope := func(source, svc string) bool {
		name := d.Canonical(source, svc)
		if only != nil && fold(name) != fold(only.Name) {
			return false
		}
		if flt.Team != "" && !ownedBy(d, name, flt.Team) {
			return false
		}
		return true
	}
	minRank := sevRank(flt.MinSeverity)
	groups := map[string]*IssueGroup{}
	var order []string
	get := func(key, svc string) *IssueGroup {
		g := groups[key]
		if g == nil {
			g = &IssueGroup{Key: key, Service: svc, OwnerTeam: d.OwnerOf(svc), Problems: []ProblemEntry{}, Alerts: []AlertGroup{}, Incidents: []IncidentEntry{}, Sources: []string{}}
			groups[key] = g
			order = append(order, key)
		}
		return g
	}
	res := &ActiveIssuesResult{Groups: []IssueGroup{}}
	var probs []model.Problem
	for _, p := range f.Problems {
		if p.Status == model.ProblemClosed || sevRank(p.Severity) < minRank && minRank > 0 && sevRank(p.Severity) > 0 {
			continue
		}
		affected := append([]string{p.RootCause}, p.Impacted...)
		keep := false
		for _, x := range affected {
			if x != "" && inScope(p.Source, x) {
				keep = true
			}
		}
		if keep {
			probs = append(probs, p)
		}
	}
	for _, pe := range problemEntries(d, probs) {
		g := get(pe.ID, cmp.Or(pe.RootCause, firstOf(pe.Impacted)))
		g.RootCause = pe.RootCause
		g.Problems = append(g.Problems, pe)
		g.Sources = appendUnique(g.Sources, pe.Source)
		res.Counts.Problems++
	}
	var alerts []model.Alert
	for _, a := range f.Alerts {
		if inScope(a.Source, a.Service) && (minRank == 0 || sevRank(a.Severity) >= minRank) {
			alerts = append(alerts, a)
		}
	}
	res.Counts.Alerts = len(alerts)
	for _, ag := range groupAlerts(d, "", alerts, f.Problems) {
		key := "service:" + ag.Service
		if ag.ExplainedBy != "" && groups[ag.ExplainedBy] != nil {
			key = ag.ExplainedBy
		}
		g := get(key, ag.Service)
		g.Alerts = append(g.Alerts, ag)
		for _, s := range ag.Sources {
			g.Sources = appendUnique(g.Sources, s)
		}
	}
	var incs []model.Incident
	for _, i := range f.Incidents {
		if inScope(i.Source, i.Service) && (minRank == 0 || sevRank(i.Priority) >= minRank || sevRank(i.Priority) == 0) {
			incs = append(incs, i)
		}
	}
	res.Counts.Incidents = len(incs)
	for _, ie := range incidentEntries(incs) {
		svc := d.Canonical(ie.Source, ie.Service)
		key := "service:" + svc
		for _, k := range order {
			if g := groups[k]; g.RootCause != "" && groupExplains(d, g, svc) {
				key = k
				break
			}
		}
		g := get(key, svc)
		g.Incidents = append(g.Incidents, ie)
		g.Sources = appendUnique(g.Sources, ie.Source)
	}
	slos := sloEntries(d, f.SLOs, th)
	res.SLOs = []SLOEntry{}
	for _, s := range slos {
		if burning(s) && inScope("", s.Service) {
			res.SLOs = append(res.SLOs, s)
		}
	}
	for _, k := range order {
		g := groups[k]
		finishGroup(g)
		groupImpact(d, g, slos, f.HasSLOs)
		res.Groups = append(res.Groups, *g)
	}
	// User impact first: groups touching a burning SLO, by burn rate; then root causes,
	// then severity, then age.
	sort.SliceStable(res.Groups, func(i, j int) bool {
		a, b := res.Groups[i], res.Groups[j]
		if a.burn != b.burn {
			return a.burn > b.burn
		}
		if (a.RootCause != "") != (b.RootCause != "") {
			return a.RootCause != ""
		}
		if sevRank(a.Severity) != sevRank(b.Severity) {
			return sevRank(a.Severity) > sevRank(b.Severity)
		}
		return a.Since.Before(b.Since)
	})
	res.Groups, res.Omitted = capList(res.Groups, max(flt.Limit, 1))
	res.Sources = SourceEntries(sources)
	return res
}

// groupImpact marks a group with the burning SLO it touches: on the group's service, on a
// service the group's problems impact, or on a service that depends on the group's service.
func groupImpact(d *directory.Directory, g *IssueGroup, slos []SLOEntry, have bool) {
	if !have {
		return
	}
	g.UserImpact = "no user impact measured"
	touched := []string{g.Service, g.RootCause}
	for _, p := range g.Problems {
		touched = append(touched, p.Impacted...)
	}
	for _, s := range slos {
		if !burning(s) {
			continue
		}
		for _, x := range touched {
			if x != "" && (fold(x) == fold(s.Service) || d.DependsOn(s.Service, x, 4)) {
				g.UserImpact = impactText(s)
				g.burn = max(s.BurnRates["1h"], 1e-9)
				return
			}
		}
	}
}

// groupExplains is explains for a root-cause group: svc is its root cause or impacted by one
// of its problems, or, when they list no impact, depends on the root cause within two hops.
func groupExplains(d *directory.Directory, g *IssueGroup, svc string) bool {
	if fold(svc) == fold(g.RootCause) {
		return true
	}
	listed := false
	for _, p := range g.Problems {
		for _, x := range p.Impacted {
			listed = true
			if fold(x) == fold(svc) {
				return true
			}
		}
	}
	return !listed && d.DependsOn(svc, g.RootCause, 2)
}

// finishGroup sets a group's worst severity and earliest start.
func finishGroup(g *IssueGroup) {
	consider := func(sev string, at time.Time) {
		if sevRank(sev) > sevRank(g.Severity) || g.Severity == "" {
			g.Severity = sev
		}
		if !at.IsZero() && (g.Since.IsZero() || at.Before(g.Since)) {
			g.Since = at
		}
	}
	for _, p := range g.Problems {
		consider(p.Severity, p.StartedAt)
	}
	for _, a := range g.Alerts {
		consider(a.Severity, a.FirstSeen)
	}
	for _, i := range g.Incidents {
		consider(i.Priority, i.StartedAt)
	}
}

// ownedBy reports whether any source names team as the service's owner (by id, name or title).
func ownedBy(d *directory.Directory, service, team string) bool {
	e := d.Entity(service)
	if e == nil {
		return false
	}
	for _, o := range e.Owners() {
		if fold(o.Team) == fold(team) || fold(d.TeamTitle(o.Team)) == fold(team) || normalize(o.Team) == normalize(team) ||
			strings.TrimPrefix(fold(o.Team), "team-") == fold(team) {
			return true
		}
	}
	return false
}
