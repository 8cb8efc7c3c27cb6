package incident

import (
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/model"
)

// applyDetail cuts the answer for the detail level and records what was left out. It is
// the one place an answer is cut, for both channels: the text renders what the structured
// result keeps, so each is complete on its own and neither says more than the level asks.
//
//   - brief: the headline and the top items of each kind (3), one alert per group, two
//     reasons per change (no event values; a backout doubt keeps its values), the first owner and
//     runbook, and only the sources that did not answer fine; no URLs (but the runbook's),
//     no escalation, dependencies or notes (counted in Omitted);
//   - standard: 10 items per list, 3 alerts per group, the 1h burn and budget of each SLO;
//   - full: 200 items per list, every alert of a group with its description, every burn
//     window and the SLI.
func applyDetail(a *answer.IncidentContext, detail answer.Detail) {
	n := detail.Items()
	a.Problems, a.Omitted.Problems = answer.Cap(a.Problems, n)
	a.AlertGroups, a.Omitted.AlertGroups = answer.Cap(a.AlertGroups, n)
	a.SuppressedAlertGroups, a.Omitted.SuppressedAlertGroups = answer.Cap(a.SuppressedAlertGroups, n)
	a.Changes, a.Omitted.Changes = answer.Cap(a.Changes, n)
	a.Incidents, a.Omitted.Incidents = answer.Cap(a.Incidents, n)
	a.SLOs, a.Omitted.SLOs = answer.Cap(a.SLOs, n)
	a.OnCall, a.Omitted.OnCall = answer.Cap(a.OnCall, n)
	a.Next, a.Omitted.Next = answer.Cap(a.Next, n)
	var quiet int
	if detail == answer.DetailBrief { // brief names only the ground where something is wrong or changed
		a.RunsOn, quiet = eventful(a.RunsOn)
	}
	a.RunsOn, a.Omitted.RunsOn = answer.Cap(a.RunsOn, n)
	a.Omitted.RunsOn += quiet
	a.Dependencies.Upstream, a.Omitted.Upstream = answer.Cap(a.Dependencies.Upstream, max(n, 5))
	a.Dependencies.Downstream, a.Omitted.Downstream = answer.Cap(a.Dependencies.Downstream, max(n, 5))
	perGroup := map[answer.Detail]int{answer.DetailBrief: 1, answer.DetailStandard: 3, answer.DetailFull: n}[detail]
	for _, gs := range [][]answer.AlertGroup{a.AlertGroups, a.SuppressedAlertGroups} {
		for i := range gs {
			gs[i].Alerts, _ = answer.Cap(gs[i].Alerts, perGroup)
			if detail != answer.DetailFull {
				gs[i].Alerts = slices.Clone(gs[i].Alerts)
				for j := range gs[i].Alerts {
					gs[i].Alerts[j].Description = ""
				}
			}
		}
	}
	if detail != answer.DetailFull {
		for i := range a.SLOs {
			s := &a.SLOs[i]
			one := map[string]float64{}
			if b, ok := s.BurnRates["1h"]; ok {
				one["1h"] = b
			}
			s.SLI, s.BurnRates = "", one
		}
	}
	if detail == answer.DetailBrief {
		brief(a)
	}
}

// briefReasons is how many reasons a change keeps in a brief answer (timing and location).
const briefReasons = 2

// brief cuts what a brief answer leaves out beyond the list caps (see applyDetail).
func brief(a *answer.IncidentContext) {
	for _, gs := range [][]answer.AlertGroup{a.AlertGroups, a.SuppressedAlertGroups} {
		for i := range gs {
			gs[i].FirstSeen = time.Time{}
			gs[i].Alerts[0].URL, gs[i].Alerts[0].Source = "", "" // the group names its sources
		}
	}
	for i := range a.OnCall {
		o := &a.OnCall[i]
		o.Email, o.Schedule, o.Until, o.Sources = "", "", time.Time{}, nil
	}
	for i := range a.Problems {
		a.Problems[i].URL = ""
	}
	for i := range a.Incidents {
		in := &a.Incidents[i]
		in.URL, in.Team, in.Assignees = "", "", nil
	}
	for i := range a.Changes {
		c := &a.Changes[i]
		reasons, _ := answer.Cap(c.Reasons, briefReasons)
		c.URL, c.Reason, c.Reasons = "", strings.Join(reasons, "; "), nil // the reason says them
		c.Values = nil
		if d := c.BackoutDoubt; d != nil { // the headline says it: the new and old values stay
			c.BackoutDoubt = &answer.BackoutDoubt{New: d.New, Old: d.Old}
		}
	}
	for i := range a.Fixers { // the headline names the first on call; the rest is for standard
		f := &a.Fixers[i]
		f.Why, _ = answer.Cap(f.Why, 1)
		f.OnCall, _ = answer.Cap(f.OnCall, 1)
	}
	a.Owners, a.Omitted.Owners = answer.Cap(a.Owners, 1)
	a.Runbooks, a.Omitted.Runbooks = answer.Cap(a.Runbooks, 1)
	a.Omitted.Escalation, a.Escalation = len(a.Escalation), []answer.EscalationEntry{}
	a.Omitted.Notes, a.Notes = len(a.Notes), []string{}
	a.Omitted.Upstream += len(a.Dependencies.Upstream)
	a.Omitted.Downstream += len(a.Dependencies.Downstream)
	a.Dependencies = answer.Dependencies{Upstream: []answer.DependencyEntry{}, Downstream: []answer.DependencyEntry{}}
	var kept []answer.SourceEntry
	for _, s := range a.Sources {
		switch s.Status {
		case model.StateOK:
			a.Omitted.Sources++
			continue
		case model.StateDisabled, model.StateSkipped:
			continue
		}
		kept = append(kept, s)
	}
	a.Sources = append([]answer.SourceEntry{}, kept...)
}
