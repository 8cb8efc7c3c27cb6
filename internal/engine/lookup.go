package engine

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/fetch"
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
	// Advice replaces the closing advice of an ambiguity.
	Advice string
}

func (e *LookupError) Error() string {
	var b strings.Builder
	if e.Ambiguous {
		advice := cmp.Or(e.Advice, "Ask again with one of these names.")
		fmt.Fprintf(&b, "%s %q is ambiguous: it matches %s. %s", e.What, e.Query, strings.Join(quoteAll(e.Suggestions), ", "), advice)
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

// resolve turns a user's service name into one entity, or a LookupError naming the
// statuses of the sources asked so far.
func resolve(d *directory.Directory, r *fetch.Round, query string) (*directory.Entity, error) {
	cands := d.Lookup(query)
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
	return nil, &LookupError{Query: query, What: "service", Suggestions: sugg, Sources: r.Asked()}
}

// oneIncident picks the incident a reference means among the sources' hits: the first, unless
// another instance of its kind knows the reference too (accounts number incidents apart), which
// only the environment can settle.
func oneIncident(ref string, hits []*connectors.IncidentRef, r *fetch.Round) (*connectors.IncidentRef, error) {
	if len(hits) == 0 {
		return nil, &LookupError{Query: ref, What: "incident", Sources: r.Asked()}
	}
	var same []string
	for _, h := range hits {
		if model.SourceKind(h.Source) == model.SourceKind(hits[0].Source) {
			same = append(same, fmt.Sprintf("%s in %s", cmp.Or(h.Title, h.ID), h.Source))
		}
	}
	if len(same) > 1 {
		return nil, &LookupError{Query: ref, What: "incident", Ambiguous: true, Suggestions: same, Sources: r.Asked(),
			Advice: "Ask again with environment set to the instance you mean."}
	}
	return hits[0], nil
}

// entityForIncident maps an incident's services to one entity.
func entityForIncident(d *directory.Directory, r *fetch.Round, ref *connectors.IncidentRef) (*directory.Entity, error) {
	for _, s := range ref.Services {
		if e := d.EntityForRecord(ref.Source, s); e != nil {
			return e, nil
		}
	}
	name := ref.ID
	if len(ref.Services) > 0 {
		name = ref.Services[0]
	}
	var sugg []string
	for _, c := range d.Lookup(name) {
		sugg = append(sugg, c.Entity.Name)
	}
	return nil, &LookupError{Query: name, What: "service", Sources: r.Asked(), Suggestions: sugg}
}
