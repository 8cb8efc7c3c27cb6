package join

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/model"
)

// LookupError is returned when a service or incident cannot be resolved; it is the user's
// (or model's) to fix, so its message says what to try.
type LookupError struct {
	Query       string
	What        string // "service" or "incident"
	Ambiguous   bool
	Suggestions []string
	// Sources are the statuses of the sources asked, so a failing catalog is visible.
	Sources []model.SourceStatus
}

func (e *LookupError) Error() string {
	var b strings.Builder
	if e.Ambiguous {
		fmt.Fprintf(&b, "%s %q is ambiguous: it matches %s. Ask again with one of these names.", e.What, e.Query, strings.Join(quoteAll(e.Suggestions), ", "))
	} else {
		fmt.Fprintf(&b, "unknown %s %q.", e.What, e.Query)
		if len(e.Suggestions) > 0 {
			fmt.Fprintf(&b, " Did you mean %s?", strings.Join(quoteAll(e.Suggestions), ", "))
		} else if e.What == "service" {
			b.WriteString(" Use find_service to search the catalog.")
		}
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

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// resolveService turns a user's service name into one entity, or a LookupError.
func resolveService(d *Directory, query string, sources []model.SourceStatus) (*Entity, error) {
	cands := d.Lookup(query)
	var exact []*Entity
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
		return nil, &LookupError{Query: query, What: "service", Ambiguous: true, Suggestions: names, Sources: sources}
	}
	return nil, &LookupError{Query: query, What: "service", Suggestions: sugg, Sources: sources}
}

// findIncident asks every IncidentFinder for ref and returns the first hit (in source order).
func (e *Engine) findIncident(ctx context.Context, b *book, ref string) (*connectors.IncidentRef, error) {
	hits := fetchAll(ctx, e, b, capable[connectors.IncidentFinder](e.o.Sources), cache.KindIncidents, "find|"+ref, "incident lookup",
		func(ctx context.Context, f connectors.IncidentFinder) (*connectors.IncidentRef, error) {
			r, err := f.FindIncident(ctx, ref)
			if errors.Is(err, connectors.ErrNotFound) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			return &r, nil
		})
	for _, h := range hits {
		if h.Value != nil {
			return h.Value, nil
		}
	}
	return nil, &LookupError{Query: ref, What: "incident", Sources: b.statuses(e.o.Sources, nil)}
}

// target builds the connector-facing target for an entity with its direct neighbours.
func (d *Directory) target(e *Entity, since, until time.Time) model.Target {
	t := model.Target{Name: e.Name, Records: e.Records, Since: since, Until: until}
	up, down := d.Neighbours(e.Name)
	seen := map[string]bool{fold(e.Name): true}
	for _, ed := range append(up, down...) {
		n := ed.To
		if fold(n) == fold(e.Name) {
			n = ed.From
		}
		if seen[fold(n)] {
			continue
		}
		seen[fold(n)] = true
		rt := model.Target{Name: n, Since: since, Until: until}
		if ne := d.Entity(n); ne != nil {
			rt.Records = ne.Records
		}
		t.Related = append(t.Related, rt)
	}
	return t
}
