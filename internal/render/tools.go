package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/audit"
	"github.com/opsctx/opsctx/internal/answer/blast"
	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/answer/issues"
	"github.com/opsctx/opsctx/internal/answer/spread"
)

// WhatChanged renders what_changed.
func WhatChanged(r *incident.WhatChangedResult) string {
	var b strings.Builder
	against := "now"
	if !r.Reference.IsZero() {
		against = ts(r.Reference)
	}
	fmt.Fprintf(&b, "# Changes for %s since %s\n\n%s\n\n", title(r.Service), ts(r.Since), r.Headline)
	resolvedFrom(&b, r.ResolvedFrom)
	fmt.Fprintf(&b, "Measured against: %s\n\n", against)
	if len(r.Changes) == 0 {
		b.WriteString("No changes found in this window.\n\n")
	}
	for i, c := range r.Changes {
		fmt.Fprintf(&b, "%d. %.2f %s %q — %s on %s at %s", i+1, c.Suspicion, c.ID, c.Title, c.Kind, c.Service, ts(c.At))
		if c.Author != "" {
			fmt.Fprintf(&b, " by %s", c.Author)
		}
		fmt.Fprintf(&b, " [%s]%s\n   why: %s\n", c.Source, link(c.URL), c.Reason)
		changeNotes(&b, "   ", c, r.AsOf)
	}
	if r.Omitted > 0 {
		fmt.Fprintf(&b, "… %d more not shown (raise limit)\n", r.Omitted)
	}
	b.WriteString("\n")
	Sources(&b, r.Sources)
	return b.String()
}

// WhoOwns renders who_owns.
func WhoOwns(r *incident.WhoOwnsResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Who owns %s\n\n%s\n\n", title(r.Service), r.Headline)
	asOf(&b, r.AsOf, time.Time{}, r.Horizon)
	resolvedFrom(&b, r.ResolvedFrom)
	for _, i := range r.Impact {
		fmt.Fprintf(&b, "User impact: %s\n\n", i)
	}
	section(&b, "Owners", len(r.Owners), 0, func() {
		for _, o := range r.Owners {
			fmt.Fprintf(&b, "- %s [%s]", first(o.TeamName, o.Team), o.Source)
			if o.Email != "" {
				fmt.Fprintf(&b, " <%s>", o.Email)
			}
			if o.Channel != "" {
				fmt.Fprintf(&b, " %s", o.Channel)
			}
			if len(o.Members) > 0 {
				fmt.Fprintf(&b, "; members: %s", strings.Join(o.Members, ", "))
			}
			b.WriteString("\n")
		}
	})
	section(&b, "On call now", len(r.OnCall), 0, func() { onCallLines(&b, r.OnCall, r.AsOf) })
	section(&b, "Escalation"+timedFrom(r.Escalation), len(r.Escalation), 0, func() { escalationLines(&b, r.Escalation, r.AsOf) })
	ackSection(&b, r.Acknowledged, r.Unacknowledged, r.AsOf)
	nextSection(&b, r.Next, r.OmittedNext, r.AsOf)
	linksAndNotes(&b, r.Runbooks, r.Notes)
	Sources(&b, r.Sources)
	return b.String()
}

// BlastRadius renders blast_radius.
func BlastRadius(r *blast.Result) string {
	var b strings.Builder
	if r.Host != nil {
		return hostBlastRadius(r)
	}
	fmt.Fprintf(&b, "# Blast radius of %s (%s), depth %d\n\n%s\n\n", title(r.Service), r.Health, r.Depth, r.Headline)
	resolvedFrom(&b, r.ResolvedFrom)
	if len(r.Teams) > 0 {
		fmt.Fprintf(&b, "Downstream teams to tell: %s. Team boundaries crossed: %d.\n\n", strings.Join(r.Teams, ", "), r.Crossings)
	}
	hop := func(ns []blast.Neighbour, verb string) {
		for _, n := range ns {
			fmt.Fprintf(&b, "- %s%s %s (%s, owner %s, via %s)", strings.Repeat("  ", n.Depth-1), verb, n.Service, n.Health, first(n.OwnerTeam, "unknown"), n.Via)
			if n.CrossesTeams {
				b.WriteString(" ⟂ crosses team boundary")
			}
			b.WriteString("\n")
		}
	}
	section(&b, "Depends on (upstream)", len(r.Upstream), 0, func() { hop(r.Upstream, "") })
	section(&b, "Used by (downstream)", len(r.Downstream), 0, func() { hop(r.Downstream, "") })
	Sources(&b, r.Sources)
	return b.String()
}

// ActiveIssues renders active_issues.
func ActiveIssues(r *issues.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Active issues\n\n%s\n\n", r.Headline)
	for _, g := range r.Groups {
		if g.RootCause != "" {
			fmt.Fprintf(&b, "## %s: root cause %s (%s) since %s\n", g.Severity, g.RootCause, g.Key, ts(g.Since))
		} else {
			fmt.Fprintf(&b, "## %s: on %s since %s\n", g.Severity, g.Service, ts(g.Since))
		}
		if g.OwnerTeam != "" {
			fmt.Fprintf(&b, "Owner: %s. Seen by: %s\n", g.OwnerTeam, strings.Join(g.Sources, ", "))
		}
		if g.UserImpact != "" {
			fmt.Fprintf(&b, "User impact: %s\n", g.UserImpact)
		}
		for _, p := range g.Problems {
			fmt.Fprintf(&b, "- problem %s %q %s impacted %s [%s]\n", p.ID, p.Title, severity(p.Severity, p.VendorSeverity), strings.Join(p.Impacted, ", "), p.Source)
		}
		for _, a := range g.Alerts {
			fmt.Fprintf(&b, "- alert %q %s on %s ×%d", a.Alerts[0].Title, severity(a.Severity, a.VendorSeverity), a.Service, a.Count)
			if a.State != "" && a.State != "firing" {
				fmt.Fprintf(&b, ", %s", a.State)
			}
			fmt.Fprintf(&b, " [%s]", strings.Join(a.Sources, ", "))
			if len(a.Spread) > 0 {
				fmt.Fprintf(&b, " %s", spread.Text(a.Spread))
			}
			b.WriteString("\n")
		}
		for _, i := range g.Incidents {
			fmt.Fprintf(&b, "- incident %s %q %s %s on %s [%s]\n", first(i.Number, i.ID), i.Title, severity(i.Severity, i.Priority), i.Status, i.Service, i.Source)
		}
		b.WriteString("\n")
	}
	if r.Omitted > 0 {
		fmt.Fprintf(&b, "… %d more groups not shown (raise limit)\n\n", r.Omitted)
	}
	section(&b, "Silenced or inhibited (not firing, not counted above)", len(r.Suppressed), 0, func() {
		for _, a := range r.Suppressed {
			fmt.Fprintf(&b, "- alert %q %s on %s ×%d, %s%s [%s]\n", a.Alerts[0].Title, severity(a.Severity, a.VendorSeverity), a.Service, a.Count,
				a.State, answer.SuppressionText(a), strings.Join(a.Sources, ", "))
		}
	})
	Sources(&b, r.Sources)
	return b.String()
}

// Audit renders boundary_audit.
func Audit(r *audit.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Boundary audit of %s\n\n%s\n\n", r.Scope, r.Headline)
	for _, f := range r.Findings {
		where := f.Service
		if f.Target != "" {
			where += " → " + f.Target
		}
		fmt.Fprintf(&b, "- [%s] %s on %s: %s\n", f.Severity, f.Kind, where, f.Detail)
	}
	if r.Omitted > 0 {
		fmt.Fprintf(&b, "… %d more not shown (raise limit)\n", r.Omitted)
	}
	b.WriteString("\n")
	Sources(&b, r.Sources)
	return b.String()
}
