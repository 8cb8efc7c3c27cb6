package render

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/model"
)

// asOf writes the answer's time, so that "in 6 min" and "26 min ago" can be placed, with
// when the trouble started and how far ahead the answer looks.
func asOf(b *strings.Builder, now, started, horizon time.Time) {
	fmt.Fprintf(b, "As of %s", ts(now))
	if !started.IsZero() {
		fmt.Fprintf(b, "; trouble started %s (%s)", ts(started), rel(started, now))
	}
	if !horizon.IsZero() {
		fmt.Fprintf(b, "; looking ahead to %s", ts(horizon))
	}
	b.WriteString(".\n\n")
}

// rel places t against now in minutes: "in 6 min" (rounded up, so nothing ahead is "in 0
// min"), "26 min ago" (rounded).
func rel(t, now time.Time) string {
	d := t.Sub(now)
	if d > 0 {
		return fmt.Sprintf("in %s", mins(d, math.Ceil(d.Minutes())))
	}
	return fmt.Sprintf("%s ago", mins(-d, math.Round(-d.Minutes())))
}

// mins writes m whole minutes, or d in hours beyond 90 minutes.
func mins(d time.Duration, m float64) string {
	if m < 90 {
		return fmt.Sprintf("%d min", int(m))
	}
	return fmt.Sprintf("%.1f h", d.Hours())
}

// nextSection writes the timeline: "Next: …", one line per moment.
func nextSection(b *strings.Builder, next []answer.NextEntry, omitted int, now time.Time) {
	section(b, "Next", len(next), omitted, func() {
		for _, n := range next {
			fmt.Fprintf(b, "- %s (%s) %s: %s [%s]\n", ts(n.At), rel(n.At, now), n.Kind, n.What, n.Source)
		}
	})
}

// ackSection writes who has taken the service's pages, and what nobody has.
func ackSection(b *strings.Builder, acked []answer.AckEntry, unacked []string, now time.Time) {
	section(b, "Who is on it", len(acked)+len(unacked), 0, func() {
		for _, a := range acked {
			fmt.Fprintf(b, "- %s acknowledged %s", a.By, a.What)
			if !a.At.IsZero() {
				fmt.Fprintf(b, " at %s (%s)", ts(a.At), rel(a.At, now))
			}
			fmt.Fprintf(b, " [%s]\n", a.Source)
		}
		for _, u := range unacked {
			fmt.Fprintf(b, "- not acknowledged: %s\n", u)
		}
	})
}

// handoverText says who takes a level over: ", then Lena Fischer from … (in 6 min)".
func handoverText(h *answer.Handover, now time.Time) string {
	if h == nil {
		return ""
	}
	if h.To == "" {
		return fmt.Sprintf(", no one scheduled after it (%s)", rel(h.At, now))
	}
	s := fmt.Sprintf(", then %s (%s)", h.To, rel(h.At, now))
	if h.Override {
		s += " by override"
	}
	if !h.Until.IsZero() {
		s += " until " + ts(h.Until)
	}
	return s
}

// timedFrom names, for an escalation heading, the page each source's levels are timed from:
// " (timed from pagerduty incident 4711; opsgenie alert "…")"; "" when none is.
func timedFrom(es []answer.EscalationEntry) string {
	var pages []string
	for _, e := range es {
		if e.TimedFrom != "" && !slices.Contains(pages, e.TimedFrom) {
			pages = append(pages, e.TimedFrom)
		}
	}
	if len(pages) == 0 {
		return ""
	}
	return " (timed from " + strings.Join(pages, "; ") + ")"
}

// escalationLines writes one line per level with where it stands for the service's own
// open page (shared by incident_context and who_owns).
func escalationLines(b *strings.Builder, es []answer.EscalationEntry, now time.Time) {
	for _, e := range es {
		fmt.Fprintf(b, "- L%d after %d min: %s", e.Level, e.AfterMinutes, strings.Join(e.Targets, ", "))
		switch {
		case e.State == answer.EscalationPaged && e.Confirmed:
			fmt.Fprintf(b, " (paged %s, %s)", ts(e.FiresAt), rel(e.FiresAt, now))
		case e.State == answer.EscalationPaged:
			fmt.Fprintf(b, " (paged %s, %s, by the policy's timing: %s does not confirm it)", ts(e.FiresAt), rel(e.FiresAt, now), e.Source)
		case e.State == answer.EscalationDue:
			fmt.Fprintf(b, " (fires %s, %s, unless acknowledged)", ts(e.FiresAt), rel(e.FiresAt, now))
		case e.State == answer.EscalationHeld:
			b.WriteString(" (will not fire: acknowledged)")
		}
		fmt.Fprintf(b, " [%s]\n", e.Source)
	}
}

// changeNotes writes, under a change's line (each note starting with indent), its record,
// what its events say it did and any doubt about its backout plan.
func changeNotes(b *strings.Builder, indent string, c answer.ChangeEntry, now time.Time) {
	recordLine(b, indent, c.Record, now)
	if len(c.Values) > 0 {
		var vs []string
		for _, v := range c.Values {
			vs = append(vs, fmt.Sprintf("%s [%s]", v.Text(), v.Source))
		}
		fmt.Fprintf(b, "%sseen by telemetry: %s\n", indent, strings.Join(vs, "; "))
	}
	if c.BackoutDoubt != nil {
		fmt.Fprintf(b, "%swarning: %s\n", indent, c.BackoutDoubt.Text)
	}
}

// recordLine writes a change record's windows, people and backout plan.
func recordLine(b *strings.Builder, indent string, r *model.ChangeRecord, now time.Time) {
	if r == nil {
		return
	}
	var parts []string
	window := func(name string, from, to time.Time) {
		switch {
		case from.IsZero() && to.IsZero():
		case from.After(now): // not begun
			parts = append(parts, fmt.Sprintf("%s %s to %s (not begun, starts %s)", name, ts(from), ts(to), rel(from, now)))
		case to.IsZero():
			parts = append(parts, fmt.Sprintf("%s from %s, not ended (still open)", name, ts(from)))
		case to.After(now):
			parts = append(parts, fmt.Sprintf("%s %s to %s (still open, closes %s)", name, ts(from), ts(to), rel(to, now)))
		default:
			parts = append(parts, fmt.Sprintf("%s %s to %s", name, ts(from), ts(to)))
		}
	}
	window("planned", r.PlannedStart, r.PlannedEnd)
	window("actual", r.WorkStart, r.WorkEnd)
	for _, p := range []struct{ what, who string }{{"state", r.State}, {"requested by", r.RequestedBy}, {"implemented by", r.Implementer},
		{"approved by", r.ApprovedBy}, {"approval", r.Approval}} {
		if p.who != "" {
			parts = append(parts, p.what+" "+p.who)
		}
	}
	if r.BackoutPlan != "" {
		parts = append(parts, fmt.Sprintf("backout plan: %q", r.BackoutPlan))
	} else {
		parts = append(parts, "no backout plan in the record")
	}
	fmt.Fprintf(b, "%srecord: %s\n", indent, strings.Join(parts, "; "))
}
