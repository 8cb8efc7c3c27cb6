package answer

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// headline writes the one-sentence summary: impact, primary contributor, most suspicious
// change, owner and on-call, in that order, leaving out what is unknown.
func headline(a *IncidentContext, now time.Time) string {
	name := a.Service.Title
	if name == "" {
		name = a.Service.Name
	}
	var parts []string
	if len(a.SLOs) > 0 && burning(a.SLOs[0]) {
		parts = append(parts, "User impact: "+impactText(a.SLOs[0]))
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
	case len(a.AlertGroups) > 0:
		g := a.AlertGroups[0]
		parts = append(parts, fmt.Sprintf("%s: %d alert group(s) firing, worst %q (%s)%s", name, len(a.AlertGroups), g.Alerts[0].Title, g.Severity, sinceText(g.FirstSeen, now)))
	case len(a.Incidents) > 0:
		i := a.Incidents[0]
		parts = append(parts, fmt.Sprintf("%s: open incident %s %q%s", name, cmp.Or(i.Number, i.ID), i.Title, sinceText(i.StartedAt, now)))
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
	var down []string
	for _, s := range a.Sources {
		if s.Status == "error" {
			down = append(down, s.Name)
		}
	}
	out := strings.Join(parts, "; ")
	if len(down) > 0 {
		out += " (unavailable: " + strings.Join(down, ", ") + ")"
	}
	return out + "."
}

// nextEscalation names the soonest level of any source that has not fired yet.
func nextEscalation(es []EscalationEntry, now time.Time) string {
	var best *EscalationEntry
	var bestAt time.Time
	for i, e := range es {
		t, err := time.Parse(time.RFC3339, e.FiresAt)
		if err != nil || !t.After(now) || len(e.Targets) == 0 {
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

func sinceText(ts string, now time.Time) string {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" for %s", humanMinutes(now.Sub(t).Minutes()))
}

func agoText(ts string, now time.Time) string {
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(", %s ago", humanMinutes(now.Sub(t).Minutes()))
}

// caps per detail level; full keeps up to 200 items per list.
var caps = map[string]int{DetailBrief: 3, DetailStandard: 10, DetailFull: 200}

// applyDetail caps every list for the detail level and records what was left out.
func applyDetail(a *IncidentContext, detail string) {
	n, ok := caps[detail]
	if !ok {
		n = caps[DetailStandard]
	}
	a.Problems, a.Omitted.Problems = capList(a.Problems, n)
	a.AlertGroups, a.Omitted.AlertGroups = capList(a.AlertGroups, n)
	a.Changes, a.Omitted.Changes = capList(a.Changes, n)
	a.Incidents, a.Omitted.Incidents = capList(a.Incidents, n)
	a.Dependencies.Upstream, a.Omitted.Upstream = capList(a.Dependencies.Upstream, max(n, 5))
	a.Dependencies.Downstream, a.Omitted.Downstream = capList(a.Dependencies.Downstream, max(n, 5))
	if detail == DetailBrief {
		for i := range a.AlertGroups {
			if len(a.AlertGroups[i].Alerts) > 1 {
				a.AlertGroups[i].Alerts = a.AlertGroups[i].Alerts[:1]
			}
		}
	}
}
