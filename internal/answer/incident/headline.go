package incident

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/clock"
	"github.com/opsctx/opsctx/internal/answer/spread"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/timeutil"
)

// headline writes the one-sentence summary: impact, what is wrong on the service itself,
// then on its neighbours (under their own names), the most suspicious change, owner and
// on-call, in that order, leaving out what is unknown. Figures from a source served from an
// older copy say how old they are; silenced or inhibited alerts are named apart, never as
// firing.
func headline(a *answer.IncidentContext, now time.Time) string {
	name := a.Service.Title
	if name == "" {
		name = a.Service.Name
	}
	if !answer.Configured(a.Sources) {
		return name + ": " + answer.NoSourceConfigured + "."
	}
	stale := answer.StaleNotes(statusesOf(a.Sources), now)
	var parts []string
	hosts := groundNamer{a: a, named: map[string]bool{}}
	if len(a.SLOs) > 0 && a.SLOs[0].Burning() {
		parts = append(parts, "User impact: "+a.SLOs[0].Impact()+staleText(stale, a.SLOs[0].Source))
	}
	problems, neighbourProblems := splitOwn(a.Problems, func(p answer.ProblemEntry) answer.Relation { return p.Relation })
	groups, neighbourGroups := splitOwn(a.AlertGroups, func(g answer.AlertGroup) answer.Relation { return g.Relation })
	incidents, _ := splitOwn(a.Incidents, func(i answer.IncidentEntry) answer.Relation { return i.Relation })
	switch {
	case len(problems) > 0:
		p := problems[0]
		what, contributor := problemText(name, a.Service.Name, p, hosts)
		parts = append(parts, what+troubleText(a.StartedAt, p.StartedAt, now)+staleText(stale, p.Source))
		if contributor != "" {
			parts = append(parts, contributor)
		}
		if len(groups) > 0 && len(groups[0].Spread) > 0 {
			g := groups[0]
			parts = append(parts, fmt.Sprintf("alert %q firing %s", g.Alerts[0].Title, spread.Text(g.Spread)))
		}
	case len(groups) > 0:
		parts = append(parts, name+": "+groupsText(groups, a.StartedAt, now, stale))
	case len(incidents) > 0:
		i := incidents[0]
		parts = append(parts, fmt.Sprintf("%s: open incident %s %q%s%s", name, cmp.Or(i.Number, i.ID), i.Title, troubleText(a.StartedAt, i.StartedAt, now), staleText(stale, i.Source)))
	case slices.ContainsFunc(a.Sources, func(s answer.SourceEntry) bool { return s.Status == model.StateError }):
		// Quiet where the sources answered; where one failed, nothing is known.
		parts = append(parts, name+": no open problems, alerts or incidents reported by the sources that answered; unknown where a source failed")
	default:
		parts = append(parts, name+": no open problems, alerts or incidents reported")
	}
	if len(problems) == 0 {
		if s := neighbourText(hosts, neighbourProblems, neighbourGroups, now, stale); s != "" {
			parts = append(parts, s)
		}
	}
	if own, _ := splitOwn(a.SuppressedAlertGroups, func(g answer.AlertGroup) answer.Relation { return g.Relation }); len(own) > 0 {
		parts = append(parts, fmt.Sprintf("%d alert group(s) on %s %s, not firing", len(own), name, suppressedWord(own)))
	}
	if c := topSuspect(a.Changes); c != nil {
		s := fmt.Sprintf("most suspicious change: %s %q%s", c.ID, c.Title, agoText(c.At, now))
		if c.Author != "" {
			s += " by " + c.Author
		}
		if _, ok := hosts.entry(c.Service); ok {
			s += " on " + hosts.name(c.Service)
		}
		if d := c.BackoutDoubt; d != nil {
			s += fmt.Sprintf(" (backout plan may restore %q, not %q)", d.New, d.Old)
		}
		parts = append(parts, s)
	}
	if len(a.Owners) > 0 {
		o := a.Owners[0]
		parts = append(parts, "owner: "+cmp.Or(o.TeamName, o.Team))
	}
	if len(a.OnCall) > 0 {
		o := a.OnCall[0]
		s := fmt.Sprintf("on call: %s (L%d)", o.Name, o.Level)
		if h := o.Handover; h != nil && h.At.Sub(now) <= HandoverSoon {
			s += ", " + handoverText(*h, now)
		}
		if len(a.Acknowledged) > 0 && !a.Acknowledged[0].At.IsZero() { // a page taken, and when (a ticket's assignee is in the answer)
			k := a.Acknowledged[0]
			s += fmt.Sprintf(", %s acknowledged by %s%s", k.What, k.By, atText(k.At, now))
		}
		if nx := nextEscalation(a.Escalation, now); nx != "" {
			s += ", " + nx
		}
		parts = append(parts, s)
	}
	for _, f := range a.Fixers {
		parts = append(parts, fixerText(f))
	}
	return strings.Join(parts, "; ") + answer.SourceCaveat(a.Sources) + "."
}

// neighbourText names the trouble on a neighbour, under its own name, when the service has
// no problem of its own: the first neighbour's problem, else its alert groups ("" for none).
func neighbourText(hosts groundNamer, problems []answer.ProblemEntry, groups []answer.AlertGroup, now time.Time, stale map[string]answer.StaleNote) string {
	switch {
	case len(problems) > 0:
		p := problems[0]
		return fmt.Sprintf("%s: %s (%s %s)%s", hosts.on(p.Neighbour, p.Relation), p.Title, p.Source, p.ID, sinceText(p.StartedAt, now))
	case len(groups) > 0:
		g := groups[0]
		n := 0
		for _, x := range groups {
			if x.Service == g.Service {
				n++
			}
		}
		return hosts.on(g.Service, g.Relation) + ": " + groupsText(groups[:n], time.Time{}, now, stale)
	}
	return ""
}

// groupsText says how many alert groups fire and the worst, with where and for how long:
// since started (the trouble's first symptom) when known, else since the worst first fired.
func groupsText(gs []answer.AlertGroup, started, now time.Time, stale map[string]answer.StaleNote) string {
	g := gs[0]
	where := spread.Text(g.Spread)
	if where != "" {
		where = " " + where
	}
	age := ""
	for _, s := range g.Sources {
		if age = staleText(stale, s); age != "" {
			break
		}
	}
	return fmt.Sprintf("%d alert group(s) firing, worst %q (%s)%s%s%s", len(gs), g.Alerts[0].Title, g.Severity, where, sinceText(cmp.Or(started, g.FirstSeen), now), age)
}

// suppressedWord says how groups are held back: silenced, inhibited, or both.
func suppressedWord(gs []answer.AlertGroup) string {
	var ws []string
	for _, g := range gs {
		if w := string(g.State); !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
	}
	return strings.Join(ws, " or ")
}

// splitOwn splits entries into those about the service asked about and its neighbours'.
func splitOwn[T any](xs []T, rel func(T) answer.Relation) (own, neighbours []T) {
	for _, x := range xs {
		if rel(x) == answer.RelSelf {
			own = append(own, x)
		} else {
			neighbours = append(neighbours, x)
		}
	}
	return own, neighbours
}

// staleText says how old a source's figures are when it was served from an older copy.
func staleText(stale map[string]answer.StaleNote, source string) string {
	if n, ok := stale[source]; ok {
		return fmt.Sprintf(" (%s data from %s ago, a refresh failed)", source, answer.HumanMinutes(float64(n.AgeMinutes)))
	}
	return ""
}

// statusesOf turns an answer's sources back into statuses.
func statusesOf(ss []answer.SourceEntry) []model.SourceStatus {
	out := make([]model.SourceStatus, len(ss))
	for i, s := range ss {
		out[i] = model.SourceStatus{Name: s.Name, Status: s.Status, AsOf: s.AsOf, LatencyMS: s.LatencyMS, Error: s.Error}
	}
	return out
}

// nextEscalation names the soonest level of any source that has not fired yet.
func nextEscalation(es []answer.EscalationEntry, now time.Time) string {
	var best *answer.EscalationEntry
	var bestAt time.Time
	for i, e := range es {
		t := e.FiresAt
		if !t.After(now) || len(e.Targets) == 0 {
			continue
		}
		if best == nil || t.Before(bestAt) {
			best, bestAt = &es[i], t
		}
	}
	if best == nil {
		return ""
	}
	return fmt.Sprintf("escalates to %s (L%d) via %s at %s, in %d min", strings.Join(best.Targets, ", "), best.Level, best.Source,
		timeutil.RFC3339(bestAt), clock.MinutesUntil(now, bestAt))
}

// HandoverSoon is how close a handover must be for the headline to say it.
const HandoverSoon = 30 * time.Minute

// handoverText says who takes over and when: "hands over to Lena Fischer at …, in 6 min".
func handoverText(h answer.Handover, now time.Time) string {
	if h.To == "" {
		return fmt.Sprintf("shift ends at %s, in %d min, with no one scheduled after", timeutil.RFC3339(h.At), clock.MinutesUntil(now, h.At))
	}
	return fmt.Sprintf("hands over to %s at %s, in %d min", h.To, timeutil.RFC3339(h.At), clock.MinutesUntil(now, h.At))
}

// atText places a past moment: " at …, N min ago"; nothing when unknown.
func atText(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(" at %s, %s ago", timeutil.RFC3339(t), answer.HumanMinutes(now.Sub(t).Minutes()))
}

// troubleText says how long the trouble has lasted, counted from its first symptom when
// that came before the problem or incident named (whose own age would read as the
// trouble's): ", trouble for 29 min"; else as sinceText.
func troubleText(first, opened, now time.Time) string {
	if !first.IsZero() && (opened.IsZero() || first.Before(opened)) {
		return ", trouble for " + answer.HumanMinutes(now.Sub(first).Minutes())
	}
	return sinceText(cmp.Or(opened, first), now)
}

func sinceText(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(" for %s", answer.HumanMinutes(now.Sub(t).Minutes()))
}

func agoText(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(", %s ago", answer.HumanMinutes(now.Sub(t).Minutes()))
}

// problemText says what the service's first problem is — its title and impact — and its
// primary contributor. When the service is the problem's root cause and not among what it
// impacts, the trouble and its users are the impacted services', and it says so ("root
// cause of … on checkout, about 1520 affected users there"; no contributor apart).
func problemText(name, svc string, p answer.ProblemEntry, hosts groundNamer) (what, contributor string) {
	impact := ""
	if p.Impact != "" {
		impact = ", " + p.Impact
	}
	if fold(p.RootCause) == fold(svc) && len(p.Impacted) > 0 && !slices.ContainsFunc(p.Impacted, func(x string) bool { return fold(x) == fold(svc) }) {
		if impact != "" {
			impact += " there"
		}
		return fmt.Sprintf("%s: root cause of %s on %s%s (%s %s)", name, p.Title, strings.Join(p.Impacted, ", "), impact, p.Source, p.ID), ""
	}
	if p.RootCause != "" {
		contributor = fmt.Sprintf("primary contributor: %s (%s root cause)", hosts.name(p.RootCause), p.Source)
	}
	return fmt.Sprintf("%s: %s%s (%s %s)", name, p.Title, impact, p.Source, p.ID), contributor
}
