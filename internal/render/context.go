package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/spread"
)

// IncidentContext renders the incident_context answer.
func IncidentContext(a *answer.IncidentContext) string {
	if a.Detail == answer.DetailBrief {
		return brief(a)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", title(a.Service), a.Headline)
	asOf(&b, a.AsOf, a.StartedAt, a.Horizon)
	resolvedFrom(&b, a.ResolvedFrom)
	if a.Incident != "" {
		fmt.Fprintf(&b, "Incident: %s · window since %s\n\n", a.Incident, ts(a.Since))
	}
	for _, sec := range contextSections {
		sec(&b, a)
	}
	linksAndNotes(&b, a.Runbooks, a.Notes)
	Sources(&b, a.Sources)
	return b.String()
}

// contextSections write the sections of incident_context, in order.
var contextSections = []func(b *strings.Builder, a *answer.IncidentContext){
	slosSection, problemsSection, alertsSection, suppressedSection, incidentsSection, changesSection,
	ownersSection, ackSectionOf, onCallSection, escalationSection, fixersSection, nextSectionOf, runsOnSection, dependenciesSection,
}

func ackSectionOf(b *strings.Builder, a *answer.IncidentContext) {
	ackSection(b, a.Acknowledged, a.Unacknowledged, a.AsOf)
}

func nextSectionOf(b *strings.Builder, a *answer.IncidentContext) {
	nextSection(b, a.Next, a.Omitted.Next, a.AsOf)
}

func slosSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "User impact (SLOs)"+staleHeading(a.Stale, "slos"), len(a.SLOs), a.Omitted.SLOs, func() {
		for _, s := range a.SLOs {
			fmt.Fprintf(b, "- %q %s: objective %.4g%% over %s, %s [%s]\n", s.Name, s.Status, s.Objective, s.Window, sloFigures(s), s.Source)
		}
	})
}

// burnWindows are the burn-rate windows an SLO may report, shortest first.
var burnWindows = []string{"5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"}

// sloFigures states an SLO's budget and burn, or, where the source failed to compute them,
// that they are unknown and why: never a number that was not measured. It shows the burn
// windows and SLI the structured result kept for the detail level.
func sloFigures(s answer.SLOEntry) string {
	if s.Error != "" {
		return "budget left and burn unknown: " + s.Error
	}
	out := "budget left unknown"
	if s.ErrorBudgetRemaining != nil {
		out = fmt.Sprintf("budget left %.0f%%", *s.ErrorBudgetRemaining*100)
		if h := s.HoursToExhaust; h != nil && *h > 0 && *s.ErrorBudgetRemaining > 0 && s.Burning() {
			out += fmt.Sprintf(" (gone in %.1f h at this rate)", *h)
		}
	}
	// The structured result keeps the windows the detail level asks for (answer.ApplyDetail).
	for _, w := range burnWindows {
		if v, ok := s.BurnRates[w]; ok {
			out += fmt.Sprintf(", burn %s %.1fx", w, v)
		} else if w == "1h" {
			out += ", burn 1h unknown (no data)"
		}
	}
	if s.SLI != "" {
		out += fmt.Sprintf(", SLI %q", s.SLI)
	}
	return out
}

// severity is a severity on opsctx's scale with the source's own word beside it.
func severity(scale, vendor string) string {
	if vendor != "" {
		return scale + " (" + vendor + ")"
	}
	return scale
}

func problemsSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Problems"+staleHeading(a.Stale, "problems"), len(a.Problems), a.Omitted.Problems, func() {
		for _, p := range a.Problems {
			fmt.Fprintf(b, "- %s %q — %s, %s, since %s", p.ID, p.Title, severity(p.Severity, p.VendorSeverity), p.Status, ts(p.StartedAt))
			if p.Relation != answer.RelSelf {
				fmt.Fprintf(b, "; on %s", answer.On(p.Neighbour, p.Relation))
			}
			if p.RootCause != "" {
				fmt.Fprintf(b, "; root cause: %s", p.RootCause)
			}
			if len(p.Impacted) > 0 {
				fmt.Fprintf(b, "; impacted: %s", strings.Join(p.Impacted, ", "))
			}
			if p.Impact != "" {
				fmt.Fprintf(b, "; impact: %s", p.Impact)
			}
			fmt.Fprintf(b, " [%s]%s\n", p.Source, link(p.URL))
		}
	})
}

func alertsSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Alerts firing"+staleHeading(a.Stale, "alert_groups"), len(a.AlertGroups), a.Omitted.AlertGroups, func() {
		for _, g := range a.AlertGroups {
			alertGroupLine(b, g, a.Detail)
		}
	})
}

// suppressedSection lists the alert groups nobody is notified of, apart from the firing
// ones, with who holds them back and until when.
func suppressedSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Silenced or inhibited (not firing)"+staleHeading(a.Stale, "suppressed_alert_groups"), len(a.SuppressedAlertGroups),
		a.Omitted.SuppressedAlertGroups, func() {
			for _, g := range a.SuppressedAlertGroups {
				alertGroupLine(b, g, a.Detail)
			}
		})
}

// alertGroupLine writes one alert group: severity, service (with its relation), title,
// distinct count, state when not plainly firing, what holds it back, sources.
func alertGroupLine(b *strings.Builder, g answer.AlertGroup, d answer.Detail) {
	fmt.Fprintf(b, "- %s on %s: %q ×%d since %s", severity(g.Severity, g.VendorSeverity), answer.On(g.Service, g.Relation), g.Alerts[0].Title, g.Count, ts(g.FirstSeen))
	if g.State != "" && g.State != "firing" {
		fmt.Fprintf(b, ", %s%s", g.State, answer.SuppressionText(g))
	}
	fmt.Fprintf(b, " [%s]", strings.Join(g.Sources, ", "))
	if g.ExplainedBy != "" {
		fmt.Fprintf(b, " — explained by %s", g.ExplainedBy)
	}
	if g.UserImpact != "" {
		fmt.Fprintf(b, " — %s", g.UserImpact)
	}
	if len(g.Spread) > 0 {
		fmt.Fprintf(b, " — %s", spread.Text(g.Spread))
	}
	b.WriteString("\n")
	if d == answer.DetailFull {
		for _, r := range g.Alerts {
			fmt.Fprintf(b, "  - %s %q [%s]%s", r.ID, r.Title, r.Source, link(r.URL))
			if r.Description != "" {
				fmt.Fprintf(b, ": %q", r.Description)
			}
			b.WriteString("\n")
		}
	}
}

// staleHeading says, after a section's name, which of its sources are an older copy and
// how old.
func staleHeading(notes []answer.StaleNote, section string) string {
	var parts []string
	for _, n := range answer.StaleIn(notes, section) {
		parts = append(parts, fmt.Sprintf("%s data from %s, %d min old", n.Source, ts(n.AsOf), n.AgeMinutes))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (stale: " + strings.Join(parts, "; ") + ")"
}

func incidentsSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Incidents"+staleHeading(a.Stale, "incidents"), len(a.Incidents), a.Omitted.Incidents, func() {
		for _, i := range a.Incidents {
			fmt.Fprintf(b, "- %s %q %s %s since %s", first(i.Number, i.ID), i.Title, severity(i.Severity, i.Priority), i.Status, ts(i.StartedAt))
			if i.Relation != answer.RelSelf {
				fmt.Fprintf(b, " on %s", answer.On(i.Service, i.Relation))
			}
			if len(i.Assignees) > 0 {
				fmt.Fprintf(b, ", assigned to %s", strings.Join(i.Assignees, ", "))
			}
			fmt.Fprintf(b, " [%s]%s\n", i.Source, link(i.URL))
		}
	})
}

func changesSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Changes (most suspicious first)"+staleHeading(a.Stale, "changes"), len(a.Changes), a.Omitted.Changes, func() {
		for _, c := range a.Changes {
			fmt.Fprintf(b, "- %.2f %s %q (%s on %s, %s", c.Suspicion, c.ID, c.Title, c.Kind, c.Service, ts(c.At))
			if c.Author != "" {
				fmt.Fprintf(b, ", by %s", c.Author)
			}
			fmt.Fprintf(b, ") — %s [%s]%s\n", c.Reason, c.Source, link(c.URL))
			changeNotes(b, "  - ", c, a.AsOf)
		}
	})
}

// ownersSection writes the same team named by several sources as one line listing them.
func ownersSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Owners", len(a.Owners), 0, func() {
		var order []string
		srcs := map[string][]string{}
		for _, o := range a.Owners {
			n := first(o.TeamName, o.Team)
			k := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(n), "team-"), " team"))
			if _, ok := srcs[k]; !ok {
				order = append(order, k)
				srcs[k] = []string{n}
			}
			src := o.Source
			if n != srcs[k][0] { // the same team, spelt otherwise there
				src += fmt.Sprintf(" as %q", n)
			}
			srcs[k] = append(srcs[k], src)
		}
		for _, k := range order {
			fmt.Fprintf(b, "- %s [%s]\n", srcs[k][0], strings.Join(srcs[k][1:], ", "))
		}
	})
}

func onCallSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "On call"+staleHeading(a.Stale, "oncall"), len(a.OnCall), a.Omitted.OnCall, func() { onCallLines(b, a.OnCall, a.AsOf) })
}

func escalationSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Escalation"+timedFrom(a.Escalation)+staleHeading(a.Stale, "escalation"), len(a.Escalation), 0, func() { escalationLines(b, a.Escalation, a.AsOf) })
}

func dependenciesSection(b *strings.Builder, a *answer.IncidentContext) {
	deps := len(a.Dependencies.Upstream) + len(a.Dependencies.Downstream)
	section(b, "Dependencies", deps, a.Omitted.Upstream+a.Omitted.Downstream, func() {
		for _, d := range a.Dependencies.Upstream {
			fmt.Fprintf(b, "- depends on %s (%s, owner %s) [%s]\n", d.Service, d.Health, first(d.OwnerTeam, "unknown"), strings.Join(d.Via, ", "))
		}
		for _, d := range a.Dependencies.Downstream {
			fmt.Fprintf(b, "- used by %s (%s, owner %s) [%s]\n", d.Service, d.Health, first(d.OwnerTeam, "unknown"), strings.Join(d.Via, ", "))
		}
	})
}

// onCallLines writes one line per person on call with who takes over (shared by
// incident_context and who_owns).
func onCallLines(b *strings.Builder, oncall []answer.OnCallEntry, now time.Time) {
	for _, o := range oncall {
		fmt.Fprintf(b, "- L%d %s", o.Level, o.Name)
		if o.Email != "" {
			fmt.Fprintf(b, " <%s>", o.Email)
		}
		if !o.Until.IsZero() {
			fmt.Fprintf(b, " until %s", ts(o.Until))
		}
		b.WriteString(handoverText(o.Handover, now))
		fmt.Fprintf(b, " [%s]\n", strings.Join(o.Sources, ", "))
	}
}
