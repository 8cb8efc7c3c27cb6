package render

import (
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/blast"
)

// runsOnSection lists the hosts, clusters and namespaces the service runs on, worst first,
// each with its health, owner and that owner's on-call, and what is wrong or changed on it.
func runsOnSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Runs on"+staleHeading(a.Stale, "runs_on"), len(a.RunsOn), a.Omitted.RunsOn, func() {
		for _, e := range a.RunsOn {
			fmt.Fprintf(b, "- %s %s (%s", e.Kind, e.Name, e.Health)
			if e.Through != "" {
				fmt.Fprintf(b, ", through %s", e.Through)
			}
			fmt.Fprintf(b, "): %s", groundPeople(e))
			if len(e.Problems) > 0 {
				fmt.Fprintf(b, "; problems %s", strings.Join(e.Problems, ", "))
			}
			if len(e.Alerts) > 0 {
				fmt.Fprintf(b, "; alerts %s", quoted(e.Alerts))
			}
			if len(e.Changes) > 0 {
				fmt.Fprintf(b, "; changes %s (suspicion %.2f)", strings.Join(e.Changes, ", "), e.Suspicion)
			}
			if others := len(e.Services) - 1; others > 0 && a.Detail != answer.DetailFull {
				fmt.Fprintf(b, "; %d other service(s) run here", others)
			} else if others > 0 {
				fmt.Fprintf(b, "; services here: %s", strings.Join(e.Services, ", "))
			}
			fmt.Fprintf(b, " [%s]%s\n", strings.Join(e.Sources, ", "), link(e.URL))
		}
	})
}

// groundPeople says who owns a host and who is on call for that owner, or that it is unknown.
func groundPeople(e answer.GroundEntry) string {
	if e.Owner == "" {
		return "owner unknown"
	}
	s := "owner " + first(e.OwnerName, e.Owner)
	if len(e.OnCall) == 0 {
		return s + ", on-call unknown"
	}
	var xs []string
	for _, o := range e.OnCall {
		xs = append(xs, fmt.Sprintf("L%d %s [%s]", o.Level, o.Name, o.Source))
	}
	return s + ", on call " + strings.Join(xs, ", ")
}

// briefRunsOn is the brief line of runs_on: each host where something is wrong or changed,
// with health, owner and on-call (the quiet ones are only counted in omitted).
func briefRunsOn(b *strings.Builder, a *answer.IncidentContext) {
	if len(a.RunsOn) == 0 {
		return
	}
	var xs []string
	for _, e := range a.RunsOn {
		s := fmt.Sprintf("%s %s %s, %s", e.Kind, e.Name, e.Health, groundPeople(e))
		if len(e.Changes) > 0 {
			s += ", changes " + strings.Join(e.Changes, ", ")
		}
		xs = append(xs, s)
	}
	line(b, "Runs on", len(a.RunsOn)+a.Omitted.RunsOn, xs)
}

func quoted(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(out, ", ")
}

// hostBlastRadius renders blast_radius asked about a host: who owns it, every service that
// runs there with its owner, and what depends on those.
func hostBlastRadius(r *blast.Result) string {
	var b strings.Builder
	h := r.Host
	fmt.Fprintf(&b, "# Blast radius of %s %s (%s), depth %d\n\n", h.Kind, h.Name, r.Health, r.Depth)
	fmt.Fprintf(&b, "Owner: %s. Known as %s [%s].\n", first(h.Owner, "unknown"), strings.Join(h.Names, ", "), strings.Join(h.Sources, ", "))
	if len(r.Teams) > 0 {
		fmt.Fprintf(&b, "Teams whose services run here or depend on them: %s. Team boundaries crossed: %d.\n", strings.Join(r.Teams, ", "), r.Crossings)
	}
	b.WriteString("\n")
	hop := func(ns []blast.Neighbour, verb func(blast.Neighbour) string) {
		for _, n := range ns {
			fmt.Fprintf(&b, "- %s%s %s (%s, owner %s)", strings.Repeat("  ", n.Depth-1), verb(n), n.Service, n.Health, first(n.OwnerTeam, "unknown"))
			if n.CrossesTeams {
				b.WriteString(" ⟂ crosses team boundary")
			}
			b.WriteString("\n")
		}
	}
	section(&b, "Runs on", len(r.Upstream), 0, func() { hop(r.Upstream, func(blast.Neighbour) string { return "" }) })
	section(&b, "Runs here, and what depends on it", len(r.Downstream), 0, func() {
		hop(r.Downstream, func(n blast.Neighbour) string {
			if n.Depth == 1 {
				return "runs here:"
			}
			return "used by " + n.Via + ":"
		})
	})
	Sources(&b, r.Sources)
	return b.String()
}
