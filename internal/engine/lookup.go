package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/args"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
)

// LookupError is returned when a service or incident cannot be resolved; it is the user's
// (or model's) to fix, so its message says what to try.
type LookupError struct {
	Query string
	// What is what Query was taken for: "service", "incident", "repository", "path", "host".
	What      string
	Ambiguous bool
	// Suggestions are names to try; Candidates, when set, are the equally good answers
	// with their owners and the evidence for each (never one picked among them).
	Suggestions []string
	Candidates  []Candidate
	// Hint says what else to try.
	Hint string
	// Sources are the statuses of the sources asked, so a failing catalog is visible.
	Sources []model.SourceStatus
	// Unconfigured is set when no source is configured: nothing can be found.
	Unconfigured bool
}

func (e *LookupError) Error() string {
	if e.Unconfigured {
		return fmt.Sprintf("unknown %s %s: %s.", e.What, args.Quote(e.Query), answer.NoSourceConfigured)
	}
	var b strings.Builder
	switch {
	case len(e.Candidates) > 0:
		fmt.Fprintf(&b, "%s %s matches %d equally well; none is picked:", e.What, args.Quote(e.Query), len(e.Candidates))
		for _, c := range e.Candidates {
			fmt.Fprintf(&b, "\n- %s", c.Name)
			var facts []string
			for _, f := range []string{c.OwnerTeam, c.Health, c.Evidence} {
				if f != "" {
					facts = append(facts, f)
				}
			}
			if len(facts) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(facts, "; "))
			}
		}
		b.WriteString("\nAsk again with one of these.")
	case e.Ambiguous:
		fmt.Fprintf(&b, "%s %s is ambiguous: it matches %s. Ask again with one of these names.", e.What, args.Quote(e.Query), strings.Join(quoteAll(e.Suggestions), ", "))
	default:
		fmt.Fprintf(&b, "unknown %s %s.", e.What, args.Quote(e.Query))
		if len(e.Suggestions) > 0 {
			fmt.Fprintf(&b, " Did you mean %s?", strings.Join(quoteAll(e.Suggestions), ", "))
		} else if e.What == "service" && e.Hint == "" {
			b.WriteString(" Use find_service to search the catalog.")
		}
	}
	if e.Hint != "" {
		b.WriteString(" " + e.Hint)
	}
	var failing []string
	for _, s := range e.Sources {
		if s.Status == model.StateError {
			failing = append(failing, s.Name+" ("+s.Error+")")
		}
	}
	if len(failing) > 0 {
		fmt.Fprintf(&b, " Note: these sources failed, so the answer may be incomplete: %s.", strings.Join(failing, "; "))
	}
	return b.String()
}

// Candidate is one of several equally good answers to a lookup.
type Candidate struct {
	Name      string
	OwnerTeam string
	Health    string
	// Evidence says why it is a candidate.
	Evidence string
}

// short is the start of an input, for messages that must not echo a long one.
func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// resolve turns a user's service name into one entity, or a LookupError naming the
// statuses of the sources asked so far.
func resolve(ctx context.Context, d *directory.Directory, r *fetch.Round, query string) (*directory.Entity, error) {
	cands := d.LookupContext(ctx, query)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var exact []*directory.Entity
	var sugg []string
	for _, c := range cands {
		if c.Exact {
			exact = append(exact, c.Entity)
		} else {
			sugg = append(sugg, c.Entity.Name)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(exact) > 1:
		var names []string
		for _, e := range exact {
			names = append(names, e.Name)
		}
		return nil, &LookupError{Query: query, What: "service", Ambiguous: true, Suggestions: names, Sources: r.Asked()}
	}
	return nil, &LookupError{Query: query, What: "service", Suggestions: sugg, Sources: r.Asked(), Unconfigured: unconfigured(r)}
}

// unconfigured reports whether the round has no configured source at all.
func unconfigured(r *fetch.Round) bool {
	return !answer.Configured(answer.SourceEntries(r.Statuses()))
}
