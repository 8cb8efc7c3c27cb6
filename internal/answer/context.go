package answer

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
	"github.com/opsctx/opsctx/internal/slo"
)

// ContextOptions are what incident_context is assembled from besides the directory and facts.
type ContextOptions struct {
	// Now is the answer's clock; Since the start of the window considered; Ahead the end of
	// the horizon it looks ahead to (zero: DefaultHorizon from Now).
	Now, Since, Ahead time.Time
	// Incident is the incident the question named, and IncidentStart when it began (zero
	// when unknown or when the question named a service).
	Incident      string
	IncidentStart time.Time
	Detail        Detail
	Thresholds    slo.Thresholds
	// Sources are the statuses of every source, for `sources` and the headline.
	Sources []model.SourceStatus
	// Pinned is the change the question named, listed first among the changes.
	Pinned *model.Change
	// ResolvedFrom says how the service was found when the question did not name it.
	ResolvedFrom *ResolvedFrom
}

// Context assembles incident_context for ent: the joined picture with its headline,
// capped for the detail level.
func Context(d *directory.Directory, ent *directory.Entity, f model.Facts, o ContextOptions) *IncidentContext {
	if o.Detail == "" {
		o.Detail = DetailStandard
	}
	if o.Ahead.IsZero() {
		o.Ahead = o.Now.Add(DefaultHorizon)
	}
	ans := assemble(d, ent, Prepare(d, f, ent.Name), o)
	ans.Detail = o.Detail
	ans.Incident = o.Incident
	ans.ResolvedFrom = o.ResolvedFrom.Capped(o.Detail.Items())
	ans.Sources = SourceEntries(o.Sources)
	ans.Stale = staleSections(ans, o.Now)
	ans.Headline = headline(ans, o.Now)
	applyDetail(ans, o.Detail)
	return ans
}

// assemble turns the fetched facts into the answer (without headline and detail caps).
func assemble(d *directory.Directory, ent *directory.Entity, f model.Facts, o ContextOptions) *IncidentContext {
	f.Changes = withPinned(f.Changes, o.Pinned)
	c := newClock(d, ent, f, o.Now, o.Ahead, o.Since, o.IncidentStart)
	ans := &IncidentContext{Since: o.Since.UTC(), AsOf: o.Now.UTC(), Horizon: c.ahead.UTC(), StartedAt: c.start.UTC(),
		Notes: []string{}, Service: ServiceRefOf(ent)}
	for _, ow := range ent.Owners() {
		ans.Owners = append(ans.Owners, Owner{Team: ow.Team, TeamName: d.TeamTitle(ow.Team), Source: ow.Source})
	}
	if teams := DistinctTeams(ent.Owners()); len(teams) > 1 {
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
	// its service with that service's relation to ent (see relationOf).
	ans.Problems = placeProblems(d, ent.Name, ProblemEntries(d, f.Problems))
	open, suppressed := GroupAlerts(d, f.Alerts, f.Mutes, f.Problems, o.Sources)
	ans.AlertGroups, ans.SuppressedAlertGroups = placeGroups(d, ent.Name, open), placeGroups(d, ent.Name, suppressed)
	ans.Incidents = placeIncidents(d, ent.Name, IncidentEntries(d, f.Incidents))

	r := c.responders()
	ans.OnCall, ans.Escalation = r.OnCall, r.Escalation
	ans.Acknowledged, ans.Unacknowledged = c.acknowledgements()
	for _, r := range f.Responders {
		if r.Value.Note != "" {
			ans.Notes = append(ans.Notes, r.Source+": "+sanitize.Text(r.Value.Note, 200))
		}
	}
	ans.Changes = pin(c.rankChanges(), o.Pinned)
	ans.Next = c.timeline(r)
	ans.Dependencies = dependencies(d, ent, f)
	ans.Runbooks = runbooks(d, ent, f.Alerts)
	ans.SLOs = SLOEntries(d, f.SLOs, o.Thresholds)
	for i := range ans.AlertGroups {
		g := &ans.AlertGroups[i]
		g.UserImpact = impactText(d, g.Service, g.State, ans.SLOs, f.HasSLOs && g.Relation == RelSelf)
	}
	return ans
}

// DistinctTeams returns the owners that name different teams (by directory.TeamKey), the
// first name of each kept.
func DistinctTeams(os []directory.Owner) []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range os {
		if k := directory.TeamKey(o.Team); !seen[k] {
			seen[k] = true
			out = append(out, o.Team)
		}
	}
	return out
}

// ProblemEntries lists open and closed problems, oldest first, with root causes and impacted
// services named as the directory knows them.
func ProblemEntries(d *directory.Directory, ps []model.Problem) []ProblemEntry {
	out := []ProblemEntry{}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].StartedAt.Before(ps[j].StartedAt) })
	for _, p := range ps {
		id := p.ID
		if p.DisplayID != "" {
			id = p.DisplayID
		}
		rc := p.RootCauseName
		if e := d.EntityForRecord(p.Source, p.RootCause); e != nil {
			rc = e.Name
		} else if rc == "" {
			rc = p.RootCause
		}
		var imp []string
		for i, x := range p.Impacted {
			n := x
			if e := d.EntityForRecord(p.Source, x); e != nil {
				n = e.Name
			} else if i < len(p.ImpactedNames) && p.ImpactedNames[i] != "" {
				n = p.ImpactedNames[i]
			}
			imp = appendUnique(imp, sanitize.Short(n))
		}
		if imp == nil {
			imp = []string{}
		}
		out = append(out, ProblemEntry{ID: id, Title: sanitize.Short(p.Title), Severity: p.Rank().String(), VendorSeverity: vendorWord(p.Severity, p.Rank()),
			level: p.Rank(), Status: p.Status, Impact: sanitize.Short(p.Impact),
			StartedAt: p.StartedAt.UTC(), RootCause: sanitize.Short(rc), Impacted: imp, Source: p.Source, URL: p.URL})
	}
	return out
}

// vendorWord is a source's severity word, kept beside opsctx's when it says something else.
func vendorWord(word string, level model.Severity) string {
	if fold(word) == level.String() {
		return ""
	}
	return sanitize.Short(word)
}

// IncidentEntries lists incidents, oldest first, each on its canonical service.
func IncidentEntries(d *directory.Directory, is []model.Incident) []IncidentEntry {
	out := []IncidentEntry{}
	sort.SliceStable(is, func(i, j int) bool { return is[i].StartedAt.Before(is[j].StartedAt) })
	for _, i := range is {
		out = append(out, IncidentEntry{ID: i.ID, Number: i.Number, Title: sanitize.Short(i.Title), Priority: i.Priority, level: i.Rank(),
			Severity: i.Rank().String(), Status: i.Status, StartedAt: i.StartedAt.UTC(), Service: sanitize.Short(d.Canonical(i.Source, i.Service)),
			Team: sanitize.Short(i.Team), Assignees: mapped(i.Assignees, sanitize.Short), Acks: acks(i.Acks), Source: i.Source, URL: i.URL})
	}
	return out
}

// acks copies acknowledgements with the names made safe and the times in UTC.
func acks(as []model.Ack) []model.Ack {
	var out []model.Ack
	for _, a := range as {
		out = append(out, model.Ack{By: sanitize.Short(a.By), At: a.At.UTC()})
	}
	return out
}

// placeGroups sets each alert group's relation to self and leaves out those about services
// that are not self or its neighbours (see relationOf).
func placeGroups(d *directory.Directory, self string, gs []AlertGroup) []AlertGroup {
	out := gs[:0]
	for _, g := range gs {
		if rel, ok := relationOf(d, self, g.Service); ok {
			g.Relation = rel
			out = append(out, g)
		}
	}
	return out
}

// placeIncidents does placeGroups for incidents; one that names no service was found for
// self.
func placeIncidents(d *directory.Directory, self string, is []IncidentEntry) []IncidentEntry {
	out := is[:0]
	for _, i := range is {
		if i.Service == "" {
			out = append(out, i)
			continue
		}
		if rel, ok := relationOf(d, self, i.Service); ok {
			i.Relation = rel
			out = append(out, i)
		}
	}
	return out
}

// placeProblems does placeGroups for problems: a problem is self's when self is its root
// cause or impacted (or the source names neither); else it is placed by its root cause,
// then by its impacted services.
func placeProblems(d *directory.Directory, self string, ps []ProblemEntry) []ProblemEntry {
	out := ps[:0]
	for _, p := range ps {
		touches := append([]string{p.RootCause}, p.Impacted...)
		if p.RootCause == "" && len(p.Impacted) == 0 || slices.ContainsFunc(touches, func(x string) bool { return fold(x) == fold(self) }) {
			out = append(out, p)
			continue
		}
		for _, x := range touches {
			if rel, ok := relationOf(d, self, x); ok && x != "" {
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
		l.Title = sanitize.Short(l.Title)
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
			rel, ok := relationOf(d, ent.Name, a.Service)
			if a.RunbookURL == "" || !ok || (rel == RelSelf) != own {
				continue
			}
			title := "Runbook for alert " + a.Title
			if rel != RelSelf {
				title += " on " + On(a.Service, rel)
			}
			add(model.Link{Title: title, URL: a.RunbookURL, Type: "runbook"})
		}
	}
	return out
}

// staleSections lists, per source served from an older copy, the sections of a built from
// its data (see the stale rule).
func staleSections(a *IncidentContext, now time.Time) []StaleNote {
	notes := staleNotes(statusesOf(a.Sources), now)
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
	var out []StaleNote
	for _, s := range a.Sources {
		if n, ok := notes[s.Name]; ok {
			out = append(out, n)
		}
	}
	return out
}

// StaleIn returns the stale notes of the sources a section was built from.
func StaleIn(notes []StaleNote, section string) []StaleNote {
	var out []StaleNote
	for _, n := range notes {
		if slices.Contains(n.Sections, section) {
			out = append(out, n)
		}
	}
	return out
}
