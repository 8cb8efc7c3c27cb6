package render

import (
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
)

// resolvedFrom writes the one line that says how the service was found when the question
// did not name it (nothing otherwise): the input, its kind, the rule and the record, and
// the other services the input touches with their roles, owners and health.
func resolvedFrom(b *strings.Builder, r *answer.ResolvedFrom) {
	if r == nil {
		return
	}
	fmt.Fprintf(b, "Resolved from %s %q via %s → %s", r.Kind, r.Input, r.Via, r.Matched)
	if len(r.Others) > 0 {
		xs := make([]string, 0, len(r.Others))
		for _, o := range r.Others {
			var facts []string
			for _, f := range []string{o.Role, o.OwnerTeam, string(o.Health)} {
				if f != "" {
					facts = append(facts, f)
				}
			}
			xs = append(xs, fmt.Sprintf("%s (%s)", o.Service, strings.Join(facts, ", ")))
		}
		fmt.Fprintf(b, "; also: %s", strings.Join(xs, "; "))
		if r.OthersOmitted > 0 {
			fmt.Fprintf(b, "; %d more", r.OthersOmitted)
		}
	}
	b.WriteString("\n\n")
}
