package incident

import (
	"cmp"
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
	// Headline says in one sentence what the answer found (and what could not be asked).
	Headline string            `json:"headline"`
	Service  answer.ServiceRef `json:"service"`
	// ResolvedFrom says how the service was found when the question did not name it.
	ResolvedFrom *answer.ResolvedFrom `json:"resolved_from,omitempty"`
	// Owners lists the owning team per source; disagreements are kept side by side.
	Owners     []TeamInfo               `json:"owners"`
	OnCall     []answer.OnCallEntry     `json:"oncall"`
	Escalation []answer.EscalationEntry `json:"escalation"`
	// ActiveIncident is the service's own open page the escalation timings are measured
	// from (the earliest, when sources have several), if any.
	ActiveIncident string `json:"active_incident,omitempty"`
	// Acknowledged lists who has taken the service's pages, tickets and alerts.
	Acknowledged []answer.AckEntry `json:"acknowledged"`
	// Unacknowledged names the service's open pages and tickets nobody has taken yet.
	Unacknowledged []string `json:"unacknowledged"`
	// Next is what will happen within the horizon unless someone acts, soonest first.
	Next []answer.NextEntry `json:"next"`
	// OmittedNext counts the timeline entries left out.
	OmittedNext int `json:"omitted_next,omitempty"`
	// AsOf is the answer's time; Horizon the end of the window it looks ahead to.
	AsOf    time.Time `json:"as_of"`
	Horizon time.Time `json:"horizon"`
	// Impact states user impact in the words of the service's burning SLOs, if any.
	Impact   []string             `json:"impact"`
	Runbooks []model.Link         `json:"runbooks"`
	Notes    []string             `json:"notes"`
	Sources  []answer.SourceEntry `json:"sources"`
}

// WhoOwnsOptions are what who_owns is assembled from besides the directory and facts.
type WhoOwnsOptions struct {
	// Now is the answer's clock, Since the start of the window considered, Ahead the end of
	// its horizon (zero: DefaultHorizon from Now).
	Now, Since, Ahead time.Time
	Thresholds        slo.Thresholds
	Sources           []model.SourceStatus
}

// WhoOwns answers who owns ent, who is on call now and who takes over, how it escalates,
// who has acknowledged, and what happens next, from the facts f.
func WhoOwns(d *directory.Directory, ent *directory.Entity, f model.Facts, o WhoOwnsOptions) *WhoOwnsResult {
	if o.Ahead.IsZero() {
		o.Ahead = o.Now.Add(DefaultHorizon)
	}
	f = prepare.Facts(d, f, ent.Name)
	c := clock.New(d, ent, f, o.Now, o.Ahead, o.Since, time.Time{})
	res := &WhoOwnsResult{Service: answer.ServiceRefOf(ent), Owners: []TeamInfo{}, Notes: []string{}, AsOf: o.Now.UTC(), Horizon: c.Ahead().UTC()}
	for _, o := range ent.Owners() {
		ti := TeamInfo{Team: o.Team, TeamName: d.TeamTitle(o.Team), Source: o.Source, Members: []string{}}
		if tm, ok := d.Team(o.Team); ok {
			ti.Email, ti.Channel = tm.Email, tm.Channel
			for _, m := range tm.Members {
				ti.Members = append(ti.Members, m.Name)
			}
		}
		res.Owners = append(res.Owners, ti)
	}
	if teams := answer.DistinctTeams(ent.Owners()); len(teams) > 1 {
		res.Notes = append(res.Notes, "owners disagree between sources: "+strings.Join(teams, " vs "))
	}
	if len(res.Owners) == 0 {
		res.Notes = append(res.Notes, "no source names an owner for this service")
	}
	res.ActiveIncident = c.FirstPage()
	r := c.Responders()
	res.OnCall, res.Escalation = r.OnCall, r.Escalation
	res.Acknowledged, res.Unacknowledged = c.Acknowledgements()
	res.Next, res.OmittedNext = answer.Cap(c.Timeline(r), answer.DetailStandard.Items())
	if len(res.OnCall) == 0 {
		res.Notes = append(res.Notes, "no source reports anyone on call for this service")
	}
	for _, r := range f.Responders {
		if r.Value.Note != "" {
			res.Notes = append(res.Notes, r.Source+": "+r.Value.Note)
		}
	}
	res.Impact = []string{}
	for _, s := range answer.SLOEntries(d, f.SLOs, o.Thresholds) {
		if s.Burning() {
			res.Impact = append(res.Impact, s.Impact())
		}
	}
	res.Runbooks = runbooks(d, ent, f.Alerts)
	res.Sources = answer.SourceEntries(o.Sources)
	res.Headline = ownsHeadline(res)
	return res
}

// ownsHeadline says who owns the service and who is on call.
func ownsHeadline(r *WhoOwnsResult) string {
	var teams []string
	for _, o := range r.Owners {
		if t := cmp.Or(o.TeamName, o.Team); !slices.Contains(teams, t) {
			teams = append(teams, t)
		}
	}
	out := r.Service.Name + ": owner unknown"
	switch {
	case len(teams) == 1:
		out = r.Service.Name + " is owned by " + teams[0]
	case len(teams) > 1:
		out = r.Service.Name + " is owned by " + teams[0] + " (sources disagree: " + strings.Join(teams[1:], ", ") + ")"
	}
	var oc []string
	for _, o := range r.OnCall {
		oc = append(oc, fmt.Sprintf("%s (L%d)", o.Name, o.Level))
	}
	if len(oc) > 0 {
		out += "; on call: " + strings.Join(oc, ", ")
	} else {
		out += "; nobody reported on call"
	}
	if len(r.Impact) > 0 {
		out += "; user impact: " + r.Impact[0]
	}
	return out + answer.SourceCaveat(r.Sources) + "."
}
