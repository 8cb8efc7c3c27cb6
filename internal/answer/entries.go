package answer

import (
	"slices"
	"sort"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

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
		} else if h := d.HostForRecord(p.Source, p.RootCause); h != nil && p.RootCause != "" {
			rc = h.Name
		} else if rc == "" {
			rc = p.RootCause
		}
		var imp []string
		for i, x := range p.Impacted {
			n := x
			if e := d.EntityForRecord(p.Source, x); e != nil {
				n = e.Name
			} else if h := d.HostForRecord(p.Source, x); h != nil {
				n = h.Name
			} else if i < len(p.ImpactedNames) && p.ImpactedNames[i] != "" {
				n = p.ImpactedNames[i]
			}
			imp = AppendUnique(imp, n)
		}
		if imp == nil {
			imp = []string{}
		}
		out = append(out, ProblemEntry{ID: id, Title: p.Title, Severity: p.Rank().String(), VendorSeverity: vendorWord(p.Severity, p.Rank()),
			level: p.Rank(), Status: p.Status, Impact: p.Impact,
			StartedAt: p.StartedAt.UTC(), RootCause: rc, Impacted: imp, Source: p.Source, URL: p.URL})
	}
	return out
}

// vendorWord is a source's severity word, kept beside opsctx's when it says something else.
func vendorWord(word string, level model.Severity) string {
	if fold(word) == level.String() {
		return ""
	}
	return word
}

// IncidentEntries lists incidents, oldest first, each on its canonical service.
func IncidentEntries(d *directory.Directory, is []model.Incident) []IncidentEntry {
	out := []IncidentEntry{}
	sort.SliceStable(is, func(i, j int) bool { return is[i].StartedAt.Before(is[j].StartedAt) })
	for _, i := range is {
		out = append(out, IncidentEntry{ID: i.ID, Number: i.Number, Title: i.Title, Priority: i.Priority, level: i.Rank(),
			Severity: i.Rank().String(), Status: i.Status, StartedAt: i.StartedAt.UTC(), Service: d.Canonical(i.Source, i.Service),
			Team: i.Team, Assignees: i.Assignees, Acks: acks(i.Acks), Source: i.Source, URL: i.URL})
	}
	return out
}

// acks copies acknowledgements with the names made safe and the times in UTC.
func acks(as []model.Ack) []model.Ack {
	var out []model.Ack
	for _, a := range as {
		out = append(out, model.Ack{By: a.By, At: a.At.UTC()})
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
