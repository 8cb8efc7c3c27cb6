// Package incident assembles the answers about one service at the moment of asking:
// incident_context (with its headline and its detail cuts), who_owns and what_changed, each
// timed by the incident's clock (package clock).
package incident

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/clock"
	"github.com/opsctx/opsctx/internal/answer/prepare"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
)

// DefaultHorizon is how far ahead an answer looks by default.
const DefaultHorizon = 12 * time.Hour

// fold is the directory's name key.
var fold = directory.Fold

// ContextOptions are what incident_context is assembled from besides the directory and facts.
type ContextOptions struct {
	// Now is the answer's clock; Since the start of the window considered; Ahead the end of
	// the horizon it looks ahead to (zero: DefaultHorizon from Now).
	Now, Since, Ahead time.Time
	// Incident is the incident the question named, and IncidentStart when it began (zero
	// when unknown or when the question named a service).
	Incident      string
	IncidentStart time.Time
	Detail        answer.Detail
	Thresholds    slo.Thresholds
	// Sources are the statuses of every source, for `sources` and the headline.
	Sources []model.SourceStatus
	// Pinned is the change the question named, listed first among the changes.
	Pinned *model.Change
	// ResolvedFrom says how the service was found when the question did not name it.
	ResolvedFrom *answer.ResolvedFrom
	// OnCallOf are the on-call facts of the Suspects of a first assembly, by service, so
	// that the answer names who can act on the cause (nil: not asked).
	OnCallOf map[string][]model.Sourced[model.Responders]
	// GroundOnCall are the on-call answers for the owners of the hosts the service runs on,
	// by owner team (directory.Fold of its name).
	GroundOnCall map[string][]model.Sourced[model.Responders]
}

// Context assembles incident_context for ent: the joined picture with its headline,
// capped for the detail level.
func Context(d *directory.Directory, ent *directory.Entity, f model.Facts, o ContextOptions) *answer.IncidentContext {
	if o.Detail == "" {
		o.Detail = answer.DetailStandard
	}
	if o.Ahead.IsZero() {
		o.Ahead = o.Now.Add(DefaultHorizon)
	}
	ans := assemble(d, ent, prepare.Facts(d, f, ent.Name), o)
	ans.Detail = o.Detail
	ans.Incident = o.Incident
	ans.ResolvedFrom = o.ResolvedFrom.Capped(o.Detail.Items())
	ans.Sources = answer.SourceEntries(o.Sources)
	ans.Stale = staleSections(ans, o.Now)
	ans.Headline = headline(ans, o.Now)
	applyDetail(ans, o.Detail)
	return ans
}

// assemble turns the fetched facts into the answer (without headline and detail caps).
func assemble(d *directory.Directory, ent *directory.Entity, f model.Facts, o ContextOptions) *answer.IncidentContext {
	f.Changes = withPinned(f.Changes, o.Pinned)
	c := clock.New(d, ent, f, o.Now, o.Ahead, o.Since, o.IncidentStart)
	ans := &answer.IncidentContext{Since: o.Since.UTC(), AsOf: o.Now.UTC(), Horizon: c.Ahead().UTC(), StartedAt: c.Start().UTC(),
		Notes: []string{}, Service: answer.ServiceRefOf(ent)}
	for _, ow := range ent.Owners() {
		ans.Owners = append(ans.Owners, answer.Owner{Team: ow.Team, TeamName: d.TeamTitle(ow.Team), Source: ow.Source})
	}
	if teams := answer.DistinctTeams(ent.Owners()); len(teams) > 1 {
		ans.Notes = append(ans.Notes, "owners disagree between sources: "+strings.Join(teams, " vs "))
	}
	for _, a := range d.Ambiguities {
		if a.Concerns(ent) {
			matches := strings.Join(a.Candidates, ", ")
			if len(a.Candidates) > 1 {
				matches = "several services (" + matches + ")"
			}
			ans.Notes = append(ans.Notes, fmt.Sprintf("%s record %q matches %s by %s and was not merged", a.Source, a.Record, matches, a.Method))
		}
	}

	// Problems first: they name root causes that explain alerts. Each fact is placed on
	// its service with that service's relation to ent (see answer.RelationOf).
	ans.Problems = placeProblems(d, ent.Name, answer.ProblemEntries(d, f.Problems))
	open, suppressed := answer.GroupAlerts(d, f.Alerts, f.Mutes, f.Problems, o.Sources)
	ans.AlertGroups, ans.SuppressedAlertGroups = placeGroups(d, ent.Name, open), placeGroups(d, ent.Name, suppressed)
	ans.Incidents = placeIncidents(d, ent.Name, answer.IncidentEntries(d, f.Incidents))

	r := c.Responders()
	ans.OnCall, ans.Escalation = r.OnCall, r.Escalation
	ans.Acknowledged, ans.Unacknowledged = c.Acknowledgements()
	for _, r := range f.Responders {
		if r.Value.Note != "" {
			ans.Notes = append(ans.Notes, r.Source+": "+r.Value.Note)
		}
	}
	ans.Changes = pin(c.RankChanges(f.Changes), o.Pinned, f.Changes, c)
	ans.Fixers = []answer.Fixer{}
	if o.OnCallOf != nil {
		ans.Fixers = fixers(d, ent, Suspects(d, ent, ans), o.OnCallOf)
	}
	ans.Next = c.Timeline(r)
	ans.Dependencies = answer.DependenciesOf(d, ent, f)
	ans.RunsOn = ground(d, ent.Name, ans, f, o.GroundOnCall)
	ans.Runbooks = runbooks(d, ent, f.Alerts)
	ans.SLOs = answer.SLOEntries(d, f.SLOs, o.Thresholds)
	for i := range ans.AlertGroups {
		g := &ans.AlertGroups[i]
		g.UserImpact = answer.ImpactText(d, g.Service, g.State, ans.SLOs, f.HasSLOs && g.Relation == answer.RelSelf)
	}
	return ans
}

// placeGroups sets each alert group's relation to self and leaves out those about services
// that are not self or its neighbours (see answer.RelationOf).
func placeGroups(d *directory.Directory, self string, gs []answer.AlertGroup) []answer.AlertGroup {
	out := gs[:0]
	for _, g := range gs {
		if rel, ok := answer.RelationOf(d, self, g.Service); ok {
			g.Relation = rel
			out = append(out, g)
		}
	}
	return out
}

// placeIncidents does placeGroups for incidents; one that names no service was found for
// self.
func placeIncidents(d *directory.Directory, self string, is []answer.IncidentEntry) []answer.IncidentEntry {
	out := is[:0]
	for _, i := range is {
		if i.Service == "" {
			out = append(out, i)
			continue
		}
		if rel, ok := answer.RelationOf(d, self, i.Service); ok {
			i.Relation = rel
			out = append(out, i)
		}
	}
	return out
}

// placeProblems does placeGroups for problems: a problem is self's when self is its root
// cause or impacted (or the source names neither); else it is placed by its root cause,
// then by its impacted services.
func placeProblems(d *directory.Directory, self string, ps []answer.ProblemEntry) []answer.ProblemEntry {
	out := ps[:0]
	for _, p := range ps {
		touches := append([]string{p.RootCause}, p.Impacted...)
		if p.RootCause == "" && len(p.Impacted) == 0 || slices.ContainsFunc(touches, func(x string) bool { return fold(x) == fold(self) }) {
			out = append(out, p)
			continue
		}
		for _, x := range touches {
			if rel, ok := answer.RelationOf(d, self, x); ok && x != "" {
				p.Relation, p.Neighbour = rel, x
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// runbooks returns the target's runbook links first, then its other links, then the
// runbooks of its own alerts, then those of its neighbours' alerts, each titled with the
// neighbour and its relation.
func runbooks(d *directory.Directory, ent *directory.Entity, alerts []model.Alert) []model.Link {
	out := []model.Link{}
	seen := map[string]bool{}
	add := func(l model.Link) {
		if l.URL == "" || seen[l.URL] {
			return
		}
		seen[l.URL] = true
		out = append(out, l)
	}
	isRunbook := func(l model.Link) bool {
		s := strings.ToLower(l.Type + " " + l.Title + " " + l.URL)
		return strings.Contains(s, "runbook") || strings.Contains(s, "playbook")
	}
	for _, pass := range []bool{true, false} {
		for _, r := range ent.Records {
			for _, l := range r.Links {
				if isRunbook(l) == pass {
					add(l)
				}
			}
		}
	}
	for _, own := range []bool{true, false} {
		for _, a := range alerts {
			rel, ok := answer.RelationOf(d, ent.Name, a.Service)
			if a.RunbookURL == "" || !ok || (rel == answer.RelSelf) != own {
				continue
			}
			title := "Runbook for alert " + a.Title
			if rel != answer.RelSelf {
				title += " on " + answer.On(a.Service, rel)
			}
			add(model.Link{Title: title, URL: a.RunbookURL, Type: "runbook"})
		}
	}
	return out
}

// staleSections lists, per source served from an older copy, the sections of a built from
// its data (see the stale rule).
func staleSections(a *answer.IncidentContext, now time.Time) []answer.StaleNote {
	notes := answer.StaleNotes(statusesOf(a.Sources), now)
	if len(notes) == 0 {
		return nil
	}
	mark := func(section string, sources ...string) {
		for _, src := range sources {
			if n, ok := notes[src]; ok && !slices.Contains(n.Sections, section) {
				n.Sections = append(n.Sections, section)
				notes[src] = n
			}
		}
	}
	for _, x := range a.SLOs {
		mark("slos", x.Source)
	}
	for _, x := range a.Problems {
		mark("problems", x.Source)
	}
	for _, x := range a.AlertGroups {
		mark("alert_groups", x.Sources...)
	}
	for _, x := range a.SuppressedAlertGroups {
		mark("suppressed_alert_groups", x.Sources...)
	}
	for _, x := range a.Incidents {
		mark("incidents", x.Source)
	}
	for _, x := range a.Changes {
		mark("changes", x.Source)
	}
	for _, x := range a.OnCall {
		mark("oncall", x.Sources...)
	}
	for _, x := range a.Escalation {
		mark("escalation", x.Source)
	}
	for _, x := range a.RunsOn {
		for _, o := range x.OnCall {
			mark("runs_on", o.Source)
		}
	}
	var out []answer.StaleNote
	for _, s := range a.Sources {
		if n, ok := notes[s.Name]; ok {
			out = append(out, n)
		}
	}
	return out
}
