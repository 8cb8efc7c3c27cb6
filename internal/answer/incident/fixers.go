package incident

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/prepare"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// suspicious is the suspicion from which a change is named as the likely cause (in the
// headline, and as a reason to name its team's on-call).
const suspicious = 0.3

// Suspect is a service another team owns that an answer points at as the cause.
type Suspect struct {
	Service string
	Why     []string
}

// Suspects returns the services that an answer names as the cause of the service's own
// trouble and that a team other than the service's own owns: the root cause of its own
// problems and the service of its most suspicious change (before the trouble began). Rule: the people who can fix it are named.
// An answer that names only the symptom's on-call sends the reader to a team that can only
// wait; the cause's owner is who can act.
func Suspects(d *directory.Directory, ent *directory.Entity, a *answer.IncidentContext) []Suspect {
	own := directory.TeamKey(ent.Owner())
	var out []Suspect
	add := func(svc, why string) {
		e := d.Entity(svc)
		if e == nil || e == ent || e.Owner() == "" || directory.TeamKey(e.Owner()) == own {
			return
		}
		if i := slices.IndexFunc(out, func(s Suspect) bool { return s.Service == e.Name }); i >= 0 {
			if !slices.Contains(out[i].Why, why) {
				out[i].Why = append(out[i].Why, why)
			}
			return
		}
		out = append(out, Suspect{Service: e.Name, Why: []string{why}})
	}
	for _, p := range a.Problems {
		if p.RootCause != "" && p.Relation == answer.RelSelf {
			add(p.RootCause, fmt.Sprintf("root cause, %s %s", p.Source, p.ID))
		}
	}
	if c := topSuspect(a.Changes); !a.StartedAt.IsZero() && c != nil {
		add(c.Service, "most suspicious change "+c.ID)
	}
	return out
}

// fixers names, per suspect, its team, who is on call for it now (lowest level first, each
// person once, named through the people directory) and the escalation level after them.
func fixers(d *directory.Directory, ent *directory.Entity, sus []Suspect, on map[string][]model.Sourced[model.Responders]) []answer.Fixer {
	out := []answer.Fixer{}
	for _, s := range sus {
		rs := on[s.Service]
		ppl := prepare.NewPeople(d, rs)
		team := d.OwnerOf(s.Service)
		rel, _ := answer.RelationOf(d, ent.Name, s.Service)
		f := answer.Fixer{Service: s.Service, Relation: rel, Why: s.Why, Team: team, TeamName: d.TeamTitle(team), OnCall: []answer.OnCallEntry{}}
		for _, r := range rs {
			for _, o := range r.Value.OnCall {
				name := ppl.Name(cmp.Or(o.Name, o.Email))
				if !slices.ContainsFunc(f.OnCall, func(x answer.OnCallEntry) bool { return x.Name == name && x.Level == o.Level }) {
					f.OnCall = append(f.OnCall, answer.OnCallEntry{Name: name, Level: o.Level, Source: r.Source})
				}
			}
		}
		slices.SortStableFunc(f.OnCall, func(a, b answer.OnCallEntry) int { return a.Level - b.Level })
		if len(f.OnCall) == 0 {
			f.Unknown = "no on-call source names anyone for " + s.Service
			out = append(out, f)
			continue
		}
		for _, r := range rs {
			for _, st := range r.Value.Escalation {
				if st.Level > f.OnCall[0].Level && (f.Next == nil || st.Level < f.Next.Level) {
					f.Next = &answer.EscalationEntry{Level: st.Level, AfterMinutes: st.AfterMinutes, Targets: prepare.Mapped(st.Targets, ppl.Name), Source: r.Source}
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// fixerText is a fixer in a few words, after the answer has named the cause: "orders-db
// on call: Priya Nair (L1, Platform team), then Dana Lee (L2)".
func fixerText(f answer.Fixer) string {
	team := cmp.Or(f.TeamName, f.Team)
	if len(f.OnCall) == 0 {
		return fmt.Sprintf("%s (%s): nobody reported on call", f.Service, team)
	}
	s := fmt.Sprintf("%s on call: %s (L%d, %s)", f.Service, f.OnCall[0].Name, f.OnCall[0].Level, team)
	if n := f.Next; n != nil && len(n.Targets) > 0 {
		s += fmt.Sprintf(", then %s (L%d)", n.Targets[0], n.Level)
	}
	return s
}
