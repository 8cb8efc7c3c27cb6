package render

import (
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
)

// fixersSection names who can act on the cause when it sits on another team's service:
// the team, its on-call and the level after them.
func fixersSection(b *strings.Builder, a *answer.IncidentContext) {
	section(b, "Who can act on the cause", len(a.Fixers), 0, func() {
		for _, f := range a.Fixers {
			fmt.Fprintf(b, "- %s %s (%s), owner %s: ", f.Relation, f.Service, strings.Join(f.Why, "; "), first(f.TeamName, f.Team))
			if len(f.OnCall) == 0 {
				fmt.Fprintf(b, "nobody reported on call (%s)\n", f.Unknown)
				continue
			}
			var oc []string
			for _, o := range f.OnCall {
				oc = append(oc, fmt.Sprintf("L%d %s [%s]", o.Level, o.Name, o.Source))
			}
			b.WriteString("on call " + strings.Join(oc, ", "))
			if n := f.Next; n != nil {
				fmt.Fprintf(b, "; next L%d after %d min: %s [%s]", n.Level, n.AfterMinutes, strings.Join(n.Targets, ", "), n.Source)
			}
			b.WriteString("\n")
		}
	})
}
