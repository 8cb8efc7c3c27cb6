package answer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// headline writes the one-sentence summary: impact, primary contributor, most suspicious
// change, owner and on-call, in that order, leaving out what is unknown.
func headline(a *IncidentContext, now time.Time) string {
	name := a.Service.Title
	if name == "" {
		name = a.Service.Name
	}
	var parts []string
	if len(a.SLOs) > 0 && a.SLOs[0].Burning() {
		parts = append(parts, "User impact: "+a.SLOs[0].Impact())
	}
	switch {
	case len(a.Problems) > 0:
		p := a.Problems[0]
		impact := ""
		if p.Impact != "" {
			impact = ", " + p.Impact
		}
		parts = append(parts, fmt.Sprintf("%s: %s%s (%s %s)%s", name, p.Title, impact, p.Source, p.ID, sinceText(p.StartedAt, now)))
		if p.RootCause != "" {
			parts = append(parts, fmt.Sprintf("primary contributor: %s (%s root cause)", p.RootCause, p.Source))
		}
		if len(a.AlertGroups) > 0 && len(a.AlertGroups[0].Spread) > 0 {
			g := a.AlertGroups[0]
			parts = append(parts, fmt.Sprintf("alert %q firing %s", g.Alerts[0].Title, SpreadText(g.Spread)))
		}
	case len(a.AlertGroups) > 0:
		g := a.AlertGroups[0]
		where := SpreadText(g.Spread)
		if where != "" {
			where = " " + where
		}
		parts = append(parts, fmt.Sprintf("%s: %d alert group(s) firing, worst %q (%s)%s%s", name, len(a.AlertGroups), g.Alerts[0].Title, g.Severity, where, sinceText(g.FirstSeen, now)))
	case len(a.Incidents) > 0:
		i := a.Incidents[0]
		parts = append(parts, fmt.Sprintf("%s: open incident %s %q%s", name, cmp.Or(i.Number, i.ID), i.Title, sinceText(i.StartedAt, now)))
	case slices.ContainsFunc(a.Sources, func(s SourceEntry) bool { return s.Status == model.StateError }):
		// Quiet where the sources answered; where one failed, nothing is known.
		parts = append(parts, name+": no open problems, alerts or incidents reported by the sources that answered; unknown where a source failed")
	default:
		parts = append(parts, name+": no open problems, alerts or incidents reported")
	}
	if len(a.Changes) > 0 && a.Changes[0].Suspicion >= 0.3 {
		c := a.Changes[0]
		s := fmt.Sprintf("most suspicious change: %s %q%s", c.ID, c.Title, agoText(c.At, now))
		if c.Author != "" {
			s += " by " + c.Author
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
		if nx := nextEscalation(a.Escalation, now); nx != "" {
			s += ", " + nx
		}
		parts = append(parts, s)
	}
	var down, partial []string
	for _, s := range a.Sources {
		switch s.Status {
		case model.StateError:
			down = append(down, s.Name)
		case model.StatePartial:
			partial = append(partial, s.Name)
		}
	}
	out := strings.Join(parts, "; ")
	if len(down) > 0 {
		out += " (unavailable: " + strings.Join(down, ", ") + ")"
	}
	if len(partial) > 0 {
		out += " (may be incomplete: " + strings.Join(partial, ", ") + ")"
	}
	return out + "."
}

// nextEscalation names the soonest level of any source that has not fired yet.
func nextEscalation(es []EscalationEntry, now time.Time) string {
	var best *EscalationEntry
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
	return fmt.Sprintf("escalates to %s (L%d) in %d min", strings.Join(best.Targets, ", "), best.Level, int(bestAt.Sub(now).Minutes()+0.5))
}

func sinceText(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(" for %s", humanMinutes(now.Sub(t).Minutes()))
}

func agoText(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmt.Sprintf(", %s ago", humanMinutes(now.Sub(t).Minutes()))
}
