// Package render turns structured answers into compact markdown for the text content of
// tool results and for `opsctx context`. Upstream text is always quoted, never bare.
package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/timeutil"
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
	section(&b, "User impact (SLOs)", len(a.SLOs), a.Omitted.SLOs, func() {
		for _, s := range a.SLOs {
			fmt.Fprintf(&b, "- %q %s: objective %.3g%% over %s, budget left %.0f%%, burn 1h %.1fx [%s]\n",
				s.Name, s.Status, s.Objective, s.Window, s.ErrorBudgetRemaining*100, s.BurnRates["1h"], s.Source)
		}
	})
	section(&b, "Problems", len(a.Problems), a.Omitted.Problems, func() {
		for _, p := range a.Problems {
			fmt.Fprintf(&b, "- %s %q — %s, %s, since %s", p.ID, p.Title, p.Severity, p.Status, ts(p.StartedAt))
			if p.RootCause != "" {
				fmt.Fprintf(&b, "; root cause: %s", p.RootCause)
			}
			if len(p.Impacted) > 0 {
				fmt.Fprintf(&b, "; impacted: %s", strings.Join(p.Impacted, ", "))
			}
			fmt.Fprintf(&b, " [%s]%s\n", p.Source, link(p.URL))
		}
	})
	section(&b, "Alerts", len(a.AlertGroups), a.Omitted.AlertGroups, func() {
		for _, g := range a.AlertGroups {
			fmt.Fprintf(&b, "- %s on %s: %q ×%d since %s [%s]", g.Severity, g.Service, g.Alerts[0].Title, g.Count, ts(g.FirstSeen), strings.Join(g.Sources, ", "))
			if g.ExplainedBy != "" {
				fmt.Fprintf(&b, " — explained by %s", g.ExplainedBy)
			}
			if g.UserImpact != "" {
				fmt.Fprintf(&b, " — %s", g.UserImpact)
			}
			b.WriteString("\n")
		}
	})
	section(&b, "Incidents", len(a.Incidents), a.Omitted.Incidents, func() {
		for _, i := range a.Incidents {
			fmt.Fprintf(&b, "- %s %q %s %s since %s [%s]%s\n", first(i.Number, i.ID), i.Title, i.Priority, i.Status, ts(i.StartedAt), i.Source, link(i.URL))
		}
	})
	section(&b, "Changes (most suspicious first)", len(a.Changes), a.Omitted.Changes, func() {
		for _, c := range a.Changes {
			fmt.Fprintf(&b, "- %.2f %s %q (%s on %s, %s", c.Suspicion, c.ID, c.Title, c.Kind, c.Service, ts(c.At))
			if c.Author != "" {
				fmt.Fprintf(&b, ", by %s", c.Author)
			}
			fmt.Fprintf(&b, ") — %s [%s]%s\n", c.Reason, c.Source, link(c.URL))
		}
	})
	section(&b, "Owners", len(a.Owners), 0, func() {
		// The same team named by several sources is one line listing them.
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
			fmt.Fprintf(&b, "- %s [%s]\n", srcs[k][0], strings.Join(srcs[k][1:], ", "))
		}
	})
	section(&b, "On call", len(a.OnCall), a.Omitted.OnCall, func() {
		for _, o := range a.OnCall {
			fmt.Fprintf(&b, "- L%d %s", o.Level, o.Name)
			if o.Email != "" {
				fmt.Fprintf(&b, " <%s>", o.Email)
			}
			if !o.Until.IsZero() {
				fmt.Fprintf(&b, " until %s", ts(o.Until))
			}
			fmt.Fprintf(&b, " [%s]\n", strings.Join(o.Sources, ", "))
		}
	})
	section(&b, "Escalation", len(a.Escalation), 0, func() {
		for _, e := range a.Escalation {
			fmt.Fprintf(&b, "- L%d after %d min: %s", e.Level, e.AfterMinutes, strings.Join(e.Targets, ", "))
			if !e.FiresAt.IsZero() {
				fmt.Fprintf(&b, " (fires %s)", ts(e.FiresAt))
			}
			fmt.Fprintf(&b, " [%s]\n", e.Source)
		}
	})
	deps := len(a.Dependencies.Upstream) + len(a.Dependencies.Downstream)
	section(&b, "Dependencies", deps, a.Omitted.Upstream+a.Omitted.Downstream, func() {
		for _, d := range a.Dependencies.Upstream {
			fmt.Fprintf(&b, "- depends on %s (%s, owner %s) [%s]\n", d.Service, d.Health, first(d.OwnerTeam, "unknown"), strings.Join(d.Via, ", "))
		}
		for _, d := range a.Dependencies.Downstream {
			fmt.Fprintf(&b, "- used by %s (%s, owner %s) [%s]\n", d.Service, d.Health, first(d.OwnerTeam, "unknown"), strings.Join(d.Via, ", "))
		}
	})
	linksAndNotes(&b, a.Runbooks, a.Notes)
	Sources(&b, a.Sources)
	return b.String()
}

// linksAndNotes appends the runbook and note sections shared by several answers.
func linksAndNotes(b *strings.Builder, links []model.Link, notes []string) {
	section(b, "Runbooks and links", len(links), 0, func() {
		for _, l := range links {
			fmt.Fprintf(b, "- %q %s\n", first(l.Title, l.URL), l.URL)
		}
	})
	section(b, "Notes", len(notes), 0, func() {
		for _, n := range notes {
			fmt.Fprintf(b, "- %s\n", n)
		}
	})
}

// Sources appends the per-source status line.
func Sources(b *strings.Builder, st []answer.SourceEntry) {
	b.WriteString("Sources: ")
	for i, s := range st {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%s %s", s.Name, s.Status)
		if s.Status != model.StateDisabled {
			fmt.Fprintf(b, " %dms", s.LatencyMS)
		}
		if s.Error != "" {
			fmt.Fprintf(b, " (%s)", s.Error)
		}
	}
	b.WriteString("\n")
}

// FindService renders find_service.
func FindService(r *answer.FindResult) string {
	var b strings.Builder
	switch {
	case len(r.Candidates) == 0:
		fmt.Fprintf(&b, "No service matches %q.\n", r.Query)
	case r.Ambiguous:
		fmt.Fprintf(&b, "%q is ambiguous; it matches %d services:\n", r.Query, len(r.Candidates))
	case !r.Candidates[0].Exact:
		fmt.Fprintf(&b, "No exact match for %q; similar names:\n", r.Query)
	default:
		fmt.Fprintf(&b, "%q resolves to:\n", r.Query)
	}
	for _, c := range r.Candidates {
		fmt.Fprintf(&b, "- %s", c.Name)
		if c.Title != "" && c.Title != c.Name {
			fmt.Fprintf(&b, " (%q)", c.Title)
		}
		fmt.Fprintf(&b, " owner %s — matched by %s", first(c.OwnerTeam, "unknown"), c.MatchedBy)
		var recs []string
		for _, m := range c.Records {
			recs = append(recs, fmt.Sprintf("%s %q via %s", m.Source, m.Name, m.Method))
		}
		if len(recs) > 0 {
			fmt.Fprintf(&b, "; records: %s", strings.Join(recs, "; "))
		}
		b.WriteString("\n")
	}
	for _, u := range r.Unmerged {
		fmt.Fprintf(&b, "- not merged: %s record %q matches %s by %s\n", u.Source, u.Record, strings.Join(u.Candidates, ", "), u.Method)
	}
	Sources(&b, r.Sources)
	return b.String()
}

func section(b *strings.Builder, name string, n, omitted int, body func()) {
	if n == 0 {
		return
	}
	fmt.Fprintf(b, "## %s\n", name)
	body()
	if omitted > 0 {
		fmt.Fprintf(b, "- … %d more not shown (use detail=full)\n", omitted)
	}
	b.WriteString("\n")
}

func title(s answer.ServiceRef) string {
	if s.Title != "" && s.Title != s.Name {
		return fmt.Sprintf("%s (%s)", s.Title, s.Name)
	}
	return s.Name
}

// ts writes a time as RFC 3339 in UTC, or nothing for an unknown time.
func ts(t time.Time) string { return timeutil.RFC3339(t) }

func link(u string) string {
	if u == "" {
		return ""
	}
	return " " + u
}

func first(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}
