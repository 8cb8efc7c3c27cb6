package incident

import (
	"cmp"
	"slices"
	"sort"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// ground assembles runs_on: every host self runs on, with what the answer's other sections
// say about it, ranked: failing first, then degraded, then by its most suspicious change,
// direct placements before those reached through another host. oncall holds the on-call
// answers per owner team (Fold of the team name).
func ground(d *directory.Directory, self string, ans *answer.IncidentContext, f model.Facts, oncall map[string][]model.Sourced[model.Responders]) []answer.GroundEntry {
	ps := d.RunsOn(self)
	out := make([]answer.GroundEntry, 0, len(ps))
	rcs := answer.RootCauses(d, f.Problems)
	for _, p := range ps {
		h := p.Host
		e := answer.GroundEntry{Name: sanitize.Short(h.Name), Kind: h.Kind, Through: sanitize.Short(p.Through), Via: p.Via,
			Sources: p.Sources, Owner: sanitize.Short(h.Owner()), OnCall: []answer.GroundOnCall{}, Services: d.RunsHere(h)}
		if e.Owner != "" {
			if t := d.TeamTitle(e.Owner); t != e.Owner {
				e.OwnerName = sanitize.Short(t)
			}
			e.OnCall = groundOnCall(oncall[directory.Fold(e.Owner)])
		}
		for _, r := range h.Records {
			if r.URL != "" {
				e.URL = r.URL
				break
			}
		}
		for _, pr := range ans.Problems {
			if fold(pr.RootCause) == fold(h.Name) || slices.ContainsFunc(pr.Impacted, func(x string) bool { return fold(x) == fold(h.Name) }) {
				e.Problems = append(e.Problems, pr.ID)
			}
		}
		for _, g := range ans.AlertGroups {
			if fold(g.Service) == fold(h.Name) {
				e.Alerts = append(e.Alerts, g.Alerts[0].Title)
			}
		}
		for _, c := range ans.Changes {
			if fold(c.Service) == fold(h.Name) && !c.AfterStart {
				e.Changes = append(e.Changes, c.ID)
				e.Suspicion = max(e.Suspicion, c.Suspicion)
			}
		}
		switch {
		case rcs[fold(h.Name)].ID != "":
			e.Health = answer.HealthFailing
		case len(e.Alerts) > 0 || len(e.Problems) > 0:
			e.Health = answer.HealthDegraded
		case f.HasAlerts && h.Kind == model.HostKindHost: // alerts are matched to hosts only
			e.Health = answer.HealthOK
		default:
			e.Health = answer.HealthUnknown
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := healthRank(out[i].Health), healthRank(out[j].Health); a != b {
			return a > b
		}
		if out[i].Suspicion != out[j].Suspicion {
			return out[i].Suspicion > out[j].Suspicion
		}
		return out[i].Through == "" && out[j].Through != ""
	})
	return out
}

// healthRank orders health from worst to best for ranking.
func healthRank(h answer.Health) int {
	switch h {
	case answer.HealthFailing:
		return 3
	case answer.HealthDegraded:
		return 2
	case answer.HealthUnknown:
		return 1
	}
	return 0
}

// groundOnCall lists who is on call now for a host's owner, lowest level first, each person
// once per level.
func groundOnCall(rs []model.Sourced[model.Responders]) []answer.GroundOnCall {
	out := []answer.GroundOnCall{}
	for _, r := range rs {
		for _, o := range r.Value.OnCall {
			name := sanitize.Short(cmp.Or(o.Name, o.Email))
			if name == "" || slices.ContainsFunc(out, func(x answer.GroundOnCall) bool { return x.Name == name && x.Level == o.Level }) {
				continue
			}
			out = append(out, answer.GroundOnCall{Name: name, Email: sanitize.Short(o.Email), Level: max(o.Level, 1), Source: r.Source})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Level < out[j].Level })
	return out
}

// groundNamer names the hosts a headline mentions: the first time with their kind, owner
// and on-call (answer.GroundText), after that by name.
type groundNamer struct {
	a     *answer.IncidentContext
	named map[string]bool
}

// entry returns the runs_on entry of the host with the name.
func (n groundNamer) entry(name string) (answer.GroundEntry, bool) {
	i := slices.IndexFunc(n.a.RunsOn, func(e answer.GroundEntry) bool { return name != "" && fold(e.Name) == fold(name) })
	if i < 0 {
		return answer.GroundEntry{}, false
	}
	return n.a.RunsOn[i], true
}

// name names a host the service runs on as answer.GroundText the first time, by name after; any
// other name is returned unchanged.
func (n groundNamer) name(name string) string {
	e, ok := n.entry(name)
	if !ok || n.named[fold(name)] {
		return name
	}
	n.named[fold(name)] = true
	return answer.GroundText(e)
}

// on is answer.On, naming a host the service runs on as name does.
func (n groundNamer) on(svc string, rel answer.Relation) string {
	if rel == answer.RelRunsOn {
		return "runs on " + n.name(svc)
	}
	return answer.On(svc, rel)
}

// placedOn reports whether service runs on the host with the canonical name.
func placedOn(d *directory.Directory, service, host string) bool {
	_, ok := d.Placed(service, host)
	return ok
}

// eventful keeps the ground entries where something is wrong or changed (ranked first, so
// order is kept) and counts the rest.
func eventful(es []answer.GroundEntry) ([]answer.GroundEntry, int) {
	out := es[:0:0]
	for _, e := range es {
		if e.Health == answer.HealthFailing || e.Health == answer.HealthDegraded || len(e.Changes) > 0 {
			out = append(out, e)
		}
	}
	return out, len(es) - len(out)
}
