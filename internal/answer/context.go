package answer

import (
	"fmt"
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
	// Now is the answer's clock; Since the start of the window considered.
	Now, Since time.Time
	// Incident is the incident the question named, and IncidentStart when it began (zero
	// when unknown or when the question named a service).
	Incident      string
	IncidentStart time.Time
	Detail        Detail
	Thresholds    slo.Thresholds
	// Sources are the statuses of every source, for `sources` and the headline.
	Sources []model.SourceStatus
}

// Context assembles incident_context for ent: the joined picture with its headline,
// capped for the detail level.
func Context(d *directory.Directory, ent *directory.Entity, f model.Facts, o ContextOptions) *IncidentContext {
	if o.Detail == "" {
		o.Detail = DetailStandard
	}
	ans := assemble(d, ent, Prepare(d, f, ent.Name), o)
	ans.Detail = o.Detail
	ans.Incident = o.Incident
	ans.Sources = SourceEntries(o.Sources)
	ans.Headline = headline(ans, o.Now)
	applyDetail(ans, o.Detail)
	return ans
}

// assemble turns the fetched facts into the answer (without headline and detail caps).
func assemble(d *directory.Directory, ent *directory.Entity, f model.Facts, o ContextOptions) *IncidentContext {
	now := o.Now
	ans := &IncidentContext{Since: o.Since.UTC(), Notes: []string{}, Service: ServiceRefOf(ent)}
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

	// Problems first: they name root causes that explain alerts.
	ans.Problems = ProblemEntries(d, f.Problems)
	ans.AlertGroups = GroupAlerts(d, ent.Name, f.Alerts, f.Problems, o.Sources)
	ans.Incidents = IncidentEntries(f.Incidents)

	start := referenceStart(f, o.IncidentStart)
	ans.OnCall, ans.Escalation = responderEntries(f.Responders, f, start, now)
	for _, r := range f.Responders {
		if r.Value.Note != "" {
			ans.Notes = append(ans.Notes, r.Source+": "+sanitize.Text(r.Value.Note, 200))
		}
	}
	ans.Changes = rankChanges(d, ent, f, start, now)
	ans.Dependencies = dependencies(d, ent, f)
	ans.Runbooks = runbooks(ent, f.Alerts)
	ans.SLOs = SLOEntries(d, f.SLOs, o.Thresholds)
	markImpact(d, ans.AlertGroups, ans.SLOs, f.HasSLOs)
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

// referenceStart is when the trouble started: the incident, else the earliest open problem,
// else the earliest firing alert; zero when nothing is wrong.
func referenceStart(f model.Facts, incidentStart time.Time) time.Time {
	if !incidentStart.IsZero() {
		return incidentStart
	}
	var t time.Time
	earliest := func(x time.Time) {
		if !x.IsZero() && (t.IsZero() || x.Before(t)) {
			t = x
		}
	}
	for _, p := range f.Problems {
		if p.Status != model.ProblemClosed {
			earliest(p.StartedAt)
		}
	}
	if t.IsZero() {
		for _, i := range f.Incidents {
			earliest(i.StartedAt)
		}
		for _, a := range f.Alerts {
			earliest(a.StartedAt)
		}
	}
	return t
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
		out = append(out, ProblemEntry{ID: id, Title: sanitize.Short(p.Title), Severity: p.Severity, level: p.Rank(), Status: p.Status, Impact: sanitize.Short(p.Impact),
			StartedAt: p.StartedAt.UTC(), RootCause: sanitize.Short(rc), Impacted: imp, Source: p.Source, URL: p.URL})
	}
	return out
}

// IncidentEntries lists incidents, oldest first.
func IncidentEntries(is []model.Incident) []IncidentEntry {
	out := []IncidentEntry{}
	sort.SliceStable(is, func(i, j int) bool { return is[i].StartedAt.Before(is[j].StartedAt) })
	for _, i := range is {
		out = append(out, IncidentEntry{ID: i.ID, Number: i.Number, Title: sanitize.Short(i.Title), Priority: i.Priority, level: i.Rank(),
			Status: i.Status, StartedAt: i.StartedAt.UTC(), Service: sanitize.Short(i.Service),
			Team: sanitize.Short(i.Team), Source: i.Source, URL: i.URL})
	}
	return out
}

// runbooks returns the target's runbook links first, then its other links, then alert runbooks.
func runbooks(ent *directory.Entity, alerts []model.Alert) []model.Link {
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
	for _, a := range alerts {
		if a.RunbookURL != "" {
			add(model.Link{Title: "Runbook for alert " + a.Title, URL: a.RunbookURL, Type: "runbook"})
		}
	}
	return out
}
