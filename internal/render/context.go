package render

import (
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
)

// IncidentContext renders the incident_context answer.
func IncidentContext(a *answer.IncidentContext) string {
	if a.Detail == answer.DetailBrief {
		return brief(a)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", title(a.Service), a.Headline)
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
	slosSection, problemsSection, alertsSection, incidentsSection, changesSection,
	ownersSection, onCallSection, escalationSection, dependenciesSection,
}

func slosSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "User impact (SLOs)", len(a.SLOs), a.Omitted.SLOs, func() {
		for _, s := range a.SLOs {
			fmt.Fprintf(b, "- %q %s: objective %.3g%% over %s, budget left %.0f%%, burn 1h %.1fx [%s]\n",
				s.Name, s.Status, s.Objective, s.Window, s.ErrorBudgetRemaining*100, s.BurnRates["1h"], s.Source)
		}
	})
}

func problemsSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Problems", len(a.Problems), a.Omitted.Problems, func() {
		for _, p := range a.Problems {
			fmt.Fprintf(b, "- %s %q — %s, %s, since %s", p.ID, p.Title, p.Severity, p.Status, ts(p.StartedAt))
			if p.RootCause != "" {
				fmt.Fprintf(b, "; root cause: %s", p.RootCause)
			}
			if len(p.Impacted) > 0 {
				fmt.Fprintf(b, "; impacted: %s", strings.Join(p.Impacted, ", "))
			}
			fmt.Fprintf(b, " [%s]%s\n", p.Source, link(p.URL))
		}
	})
}

func alertsSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Alerts", len(a.AlertGroups), a.Omitted.AlertGroups, func() {
		for _, g := range a.AlertGroups {
			fmt.Fprintf(b, "- %s on %s: %q ×%d since %s [%s]", g.Severity, g.Service, g.Alerts[0].Title, g.Count, ts(g.FirstSeen), strings.Join(g.Sources, ", "))
			if g.ExplainedBy != "" {
				fmt.Fprintf(b, " — explained by %s", g.ExplainedBy)
			}
			if g.UserImpact != "" {
				fmt.Fprintf(b, " — %s", g.UserImpact)
			}
			if len(g.Spread) > 0 {
				fmt.Fprintf(b, " — %s", answer.SpreadText(g.Spread))
			}
			b.WriteString("\n")
		}
	})
}

func incidentsSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Incidents", len(a.Incidents), a.Omitted.Incidents, func() {
		for _, i := range a.Incidents {
			fmt.Fprintf(b, "- %s %q %s %s since %s [%s]%s\n", first(i.Number, i.ID), i.Title, i.Priority, i.Status, ts(i.StartedAt), i.Source, link(i.URL))
		}
	})
}

func changesSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Changes (most suspicious first)", len(a.Changes), a.Omitted.Changes, func() {
		for _, c := range a.Changes {
			fmt.Fprintf(b, "- %.2f %s %q (%s on %s, %s", c.Suspicion, c.ID, c.Title, c.Kind, c.Service, ts(c.At))
			if c.Author != "" {
				fmt.Fprintf(b, ", by %s", c.Author)
			}
			fmt.Fprintf(b, ") — %s [%s]%s\n", c.Reason, c.Source, link(c.URL))
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
			srcs[k] = append(srcs[k], o.Source)
		}
		for _, k := range order {
			fmt.Fprintf(b, "- %s [%s]\n", srcs[k][0], strings.Join(srcs[k][1:], ", "))
		}
	})
}

func onCallSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "On call", len(a.OnCall), a.Omitted.OnCall, func() { onCallLines(b, a.OnCall) })
}

func escalationSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Escalation", len(a.Escalation), 0, func() {
		for _, e := range a.Escalation {
			fmt.Fprintf(b, "- L%d after %d min: %s", e.Level, e.AfterMinutes, strings.Join(e.Targets, ", "))
			if !e.FiresAt.IsZero() {
				fmt.Fprintf(b, " (fires %s)", ts(e.FiresAt))
			}
			fmt.Fprintf(b, " [%s]\n", e.Source)
		}
	})
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

// onCallLines writes one line per person on call (shared by incident_context and who_owns).
func onCallLines(b *strings.Builder, oncall []answer.OnCallEntry) {
	for _, o := range oncall {
		fmt.Fprintf(b, "- L%d %s", o.Level, o.Name)
		if o.Email != "" {
			fmt.Fprintf(b, " <%s>", o.Email)
		}
		if !o.Until.IsZero() {
			fmt.Fprintf(b, " until %s", ts(o.Until))
		}
		fmt.Fprintf(b, " [%s]\n", strings.Join(o.Sources, ", "))
	}
}
