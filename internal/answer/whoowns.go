package answer

import (
	"cmp"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
	"github.com/opsctx/opsctx/internal/slo"
)

// TeamInfo is an owning team with its contacts, as one source states it.
type TeamInfo struct {
	Team     string   `json:"team"`
	TeamName string   `json:"team_name,omitempty"`
	Source   string   `json:"source"`
	Email    string   `json:"email,omitempty"`
	Channel  string   `json:"channel,omitempty"`
	Members  []string `json:"members"`
}

// WhoOwnsResult is the result of who_owns.
type WhoOwnsResult struct {
	Service ServiceRef `json:"service"`
	// Owners lists the owning team per source; disagreements are kept side by side.
	Owners     []TeamInfo        `json:"owners"`
	OnCall     []OnCallEntry     `json:"oncall"`
	Escalation []EscalationEntry `json:"escalation"`
	// ActiveIncident is the open incident the escalation timings are measured from, if any.
	ActiveIncident string `json:"active_incident,omitempty"`
	// Impact states user impact in the words of the service's burning SLOs, if any.
	Impact   []string      `json:"impact"`
	Runbooks []model.Link  `json:"runbooks"`
	Notes    []string      `json:"notes"`
	Sources  []SourceEntry `json:"sources"`
}

// WhoOwns answers who owns ent, who is on call now, and how it escalates, from the facts f.
func WhoOwns(d *directory.Directory, ent *directory.Entity, f model.Facts, now time.Time, th slo.Thresholds, sources []model.SourceStatus) *WhoOwnsResult {
	f = Prepare(d, f, ent.Name)
	res := &WhoOwnsResult{Service: ServiceRefOf(ent), Owners: []TeamInfo{}, Notes: []string{}}
	for _, o := range ent.Owners() {
		ti := TeamInfo{Team: o.Team, TeamName: d.TeamTitle(o.Team), Source: o.Source, Members: []string{}}
		if tm, ok := d.Team(o.Team); ok {
			ti.Email, ti.Channel = tm.Email, sanitize.Short(tm.Channel)
			for _, m := range tm.Members {
				ti.Members = append(ti.Members, sanitize.Short(m.Name))
			}
		}
		res.Owners = append(res.Owners, ti)
	}
	if teams := DistinctTeams(ent.Owners()); len(teams) > 1 {
		res.Notes = append(res.Notes, "owners disagree between sources: "+strings.Join(teams, " vs "))
	}
	if len(res.Owners) == 0 {
		res.Notes = append(res.Notes, "no source names an owner for this service")
	}
	own := Own(f, ent.Name) // escalation is timed from the service's own incident
	start := time.Time{}
	for _, i := range own.Incidents {
		if i.Status != model.IncidentResolved && (start.IsZero() || i.StartedAt.Before(start)) {
			start, res.ActiveIncident = i.StartedAt, cmp.Or(i.Number, i.ID)
		}
	}
	res.OnCall, res.Escalation = responderEntries(f.Responders, own, start, now)
	if len(res.OnCall) == 0 {
		res.Notes = append(res.Notes, "no source reports anyone on call for this service")
	}
	for _, r := range f.Responders {
		if r.Value.Note != "" {
			res.Notes = append(res.Notes, r.Source+": "+sanitize.Text(r.Value.Note, 200))
		}
	}
	res.Impact = []string{}
	for _, s := range SLOEntries(d, f.SLOs, th) {
		if s.Burning() {
			res.Impact = append(res.Impact, s.Impact())
		}
	}
	res.Runbooks = runbooks(d, ent, f.Alerts)
	res.Sources = SourceEntries(sources)
	return res
}
