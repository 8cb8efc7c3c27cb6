package render

import (
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/spread"
)

// brief renders incident_context at detail=brief: the headline and one line per kind of fact,
// no URLs but the first runbook, and sources spelled out only when they failed. It is meant
// to fit in about 500 tokens.
func brief(a *answer.IncidentContext) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", title(a.Service), a.Headline)
	fmt.Fprintf(&b, "As of %s.\n", ts(a.AsOf))
	resolvedFrom(&b, a.ResolvedFrom)
	if len(a.SLOs) > 0 {
		var xs []string
		for _, s := range a.SLOs {
			xs = append(xs, fmt.Sprintf("%q %s (%s)", s.Name, s.Status, briefSLOFigures(s)))
		}
		line(&b, "SLOs", len(a.SLOs)+a.Omitted.SLOs, xs)
	}
	var xs []string
	for _, c := range a.Changes {
		title := fmt.Sprintf(" %q", c.Title)
		if strings.Contains(a.Headline, c.ID+title) { // the headline names it with its title
			title = ""
		}
		xs = append(xs, fmt.Sprintf("%s%s %.2f (%s)", c.ID, title, c.Suspicion, c.Reason)) // two reasons in a brief answer
	}
	line(&b, "Changes", len(a.Changes)+a.Omitted.Changes, xs)
	xs = nil
	for _, g := range a.AlertGroups {
		s := fmt.Sprintf("%s %q ×%d on %s", g.Severity, g.Alerts[0].Title, g.Count, answer.On(g.Service, g.Relation))
		if len(g.Spread) > 0 {
			s += " " + spread.Text(g.Spread)
		}
		if g.ExplainedBy != "" {
			s += " (explained by " + g.ExplainedBy + ")"
		}
		xs = append(xs, s)
	}
	line(&b, "Alerts", len(a.AlertGroups)+a.Omitted.AlertGroups, xs)
	xs = nil
	for _, g := range a.SuppressedAlertGroups {
		xs = append(xs, fmt.Sprintf("%q ×%d on %s %s%s", g.Alerts[0].Title, g.Count, answer.On(g.Service, g.Relation), g.State, answer.SuppressionText(g)))
	}
	line(&b, "Not firing (silenced or inhibited)", len(a.SuppressedAlertGroups)+a.Omitted.SuppressedAlertGroups, xs)
	xs = nil
	for _, i := range a.Incidents {
		xs = append(xs, fmt.Sprintf("%s %s %s [%s]", first(i.Number, i.ID), i.Priority, i.Status, i.Source))
	}
	line(&b, "Incidents", len(a.Incidents)+a.Omitted.Incidents, xs)
	xs = nil
	for _, o := range a.OnCall {
		xs = append(xs, fmt.Sprintf("L%d %s", o.Level, o.Name))
	}
	line(&b, "On call", len(a.OnCall)+a.Omitted.OnCall, xs)
	xs = nil
	for _, n := range a.Next {
		xs = append(xs, fmt.Sprintf("%s %s: %s", rel(n.At, a.AsOf), n.Kind, n.Subject))
	}
	line(&b, "Next", len(a.Next)+a.Omitted.Next, xs)
	briefRunsOn(&b, a)
	if len(a.Runbooks) > 0 {
		fmt.Fprintf(&b, "Runbook: %s\n", a.Runbooks[0].URL)
	}
	var bad []string
	for _, s := range a.Sources {
		bad = append(bad, fmt.Sprintf("%s %s (%s)", s.Name, s.Status, cut(s.Error, 80)))
	}
	fmt.Fprintf(&b, "Sources: %d ok", a.Omitted.Sources)
	if len(bad) > 0 {
		fmt.Fprintf(&b, "; %s", strings.Join(bad, "; "))
	}
	b.WriteString(". Ask with detail=standard for more.\n")
	return b.String()
}

// line writes "Name (n): a; b; …" when there is anything to say.
func line(b *strings.Builder, name string, total int, items []string) {
	if total == 0 {
		return
	}
	fmt.Fprintf(b, "%s (%d): %s", name, total, strings.Join(items, "; "))
	if total > len(items) {
		b.WriteString("; …")
	}
	b.WriteString("\n")
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// briefSLOFigures is an SLO's 1h burn and budget left, or unknown where not computed.
func briefSLOFigures(s answer.SLOEntry) string {
	if s.Error != "" {
		return "figures unknown: " + cut(s.Error, 80)
	}
	burn, budget := "1h burn unknown", "budget left unknown"
	if v, ok := s.BurnRates["1h"]; ok {
		burn = fmt.Sprintf("1h burn %.1fx", v)
	}
	if s.ErrorBudgetRemaining != nil {
		budget = fmt.Sprintf("%.0f%% budget left", *s.ErrorBudgetRemaining*100)
	}
	return burn + ", " + budget
}
