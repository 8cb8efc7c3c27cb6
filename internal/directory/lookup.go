package directory

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Candidate is a possible answer to a service lookup.
type Candidate struct {
	Entity *Entity
	// How says how the query matched, by kind: "exact name in catalogfile", "exact id in
	// pagerduty", "alias in backstage", "configured alias", "normalized name (orders)",
	// `prefix: "orders-db" begins with "orders"`, `contains: "shop-orders" contains
	// "orders"`, `edit distance 1 from "checkout"`.
	How string
	// Kind is How's kind: one of the Match kinds.
	Kind string
	// Exact is false for suggestions.
	Exact bool
}

// Kinds of match (Candidate.Kind), closest first. Exact, alias and normalized are answers;
// the others are suggestions.
const (
	MatchExact        = "exact"         // a record's name, id or title
	MatchAlias        = "alias"         // an alias a record or the configuration gives
	MatchNormalized   = "normalized"    // the same name once case, separators and suffixes are set aside
	MatchPrefix       = "prefix"        // the name begins with the query, or the query with the name
	MatchContains     = "contains"      // the name contains the query, or the query the name
	MatchEditDistance = "edit_distance" // a few letters apart
)

// Lookup finds the entities a user's query may mean, best first. Exact and normalised matches
// come back with Exact=true; otherwise up to five similar names are suggested.
func (d *Directory) Lookup(query string) []Candidate {
	return d.LookupContext(context.Background(), query)
}

// LookupContext is Lookup that stops suggesting names (and returns none) once ctx is done.
func (d *Directory) LookupContext(ctx context.Context, query string) []Candidate {
	q := Fold(query)
	if q == "" {
		return nil
	}
	if es := d.byKey[q]; len(es) > 0 {
		// The entity whose canonical name the query is wins over others that merely go by
		// it (another tenant's record of that name, kept apart): those come as suggestions.
		named := slices.IndexFunc(es, func(e *Entity) bool { return Fold(e.Name) == q })
		out := make([]Candidate, 0, len(es))
		for i, e := range es {
			how, kind := d.how(e, q)
			out = append(out, Candidate{Entity: e, How: how, Kind: kind, Exact: named < 0 || i == named})
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Exact && !out[j].Exact })
		return out
	}
	if es := d.byNorm[Normalize(query)]; len(es) > 0 {
		out := make([]Candidate, 0, len(es))
		for _, e := range es {
			out = append(out, Candidate{Entity: e, How: "normalized name (" + Normalize(query) + ")", Kind: MatchNormalized, Exact: true})
		}
		return out
	}
	return d.suggest(ctx, q, 5)
}

// how says which name of e the folded query q is, and its kind of match.
func (d *Directory) how(e *Entity, q string) (string, string) {
	for _, r := range e.Records {
		switch q {
		case Fold(r.Name):
			return "exact name in " + r.Source, MatchExact
		case Fold(r.ID):
			return "exact id in " + r.Source, MatchExact
		case Fold(r.Title):
			return "exact title in " + r.Source, MatchExact
		}
		for _, a := range r.Aliases {
			if q == Fold(a) {
				return "alias in " + r.Source, MatchAlias
			}
		}
	}
	return "configured alias", MatchAlias
}

// suggestName is one name of an entity as suggestions compare it.
type suggestName struct {
	fold string
	norm []rune
}

// suggestNames are the names of every entity (name, title, aliases) folded and normalised
// once, in d.Entities' order.
func (d *Directory) suggestNames() [][]suggestName {
	d.namesOnce.Do(func() {
		d.names = make([][]suggestName, len(d.Entities))
		for i, e := range d.Entities {
			for _, k := range append([]string{e.Name, e.Title()}, e.Aliases()...) {
				d.names[i] = append(d.names[i], suggestName{fold: Fold(k), norm: []rune(Normalize(k))})
			}
		}
	})
	return d.names
}

// closeness is how close one name is to a query: by kind (same normalised name, prefix,
// contains, edit distance), then by n (letters beyond the query for prefix and contains, the
// distance for edit distance); smaller is closer.
type closeness struct {
	kind int
	n    int
	how  string
}

// closeness kinds, closest first.
const (
	closeSame = iota
	closePrefix
	closeContains
	closeEdit
)

func (c closeness) less(o closeness) bool { return c.kind < o.kind || c.kind == o.kind && c.n < o.n }

// matchKind is the Candidate.Kind of a closeness kind.
var matchKind = [...]string{closeSame: MatchNormalized, closePrefix: MatchPrefix, closeContains: MatchContains, closeEdit: MatchEditDistance}

// relation is how name k relates to the folded query q without counting edits: prefix
// (either begins with the other) or containment (either holds the other), closest first.
func relation(k, q string) (closeness, bool) {
	switch {
	case k == "" || q == "":
	case k == q:
		return closeness{closeSame, 0, fmt.Sprintf("same name %q", k)}, true
	case strings.HasPrefix(k, q):
		return closeness{closePrefix, len(k) - len(q), fmt.Sprintf("prefix: %q begins with %q", k, q)}, true
	case strings.HasPrefix(q, k):
		return closeness{closePrefix, len(q) - len(k), fmt.Sprintf("prefix: %q begins with %q", q, k)}, true
	case strings.Contains(k, q):
		return closeness{closeContains, len(k) - len(q), fmt.Sprintf("contains: %q contains %q", k, q)}, true
	case strings.Contains(q, k):
		return closeness{closeContains, len(q) - len(k), fmt.Sprintf("contains: %q contains %q", q, k)}, true
	}
	return closeness{}, false
}

// suggest returns up to n entities whose names are close to q, closest first: a name that
// begins with the query (or the query with it) before one that contains it (or is contained
// in it), then names within an edit distance of half the query's length (at least 2); each
// kind by letters beyond the query or by distance, then by name. The cost is bounded: the
// distance is counted only for names with no prefix or containment, names whose length
// alone puts them out of reach are skipped, each distance stops at the best one found so
// far, and the scan stops when ctx is done.
func (d *Directory) suggest(ctx context.Context, q string, n int) []Candidate {
	type scored struct {
		e *Entity
		c closeness
	}
	var all []scored
	nq := []rune(Normalize(q))
	limit := max(2, len(nq)/2)
	var rows distanceRows
	for i, names := range d.suggestNames() {
		if i%128 == 0 && ctx.Err() != nil {
			return nil
		}
		best := closeness{kind: closeEdit, n: limit + 1}
		for _, k := range names { // the entity's own name first: it explains a tie
			switch c, ok := relation(k.fold, q); {
			case !ok:
			case c.kind < best.kind:
				best = c
			case c.kind == best.kind:
				best.n = min(best.n, c.n)
			}
		}
		if best.kind == closeEdit {
			for _, k := range names {
				if best.kind != closeEdit {
					break
				}
				switch dist := rows.within(nq, k.norm, best.n-1); {
				case dist == 0:
					best = closeness{closeSame, 0, fmt.Sprintf("same normalized name %q", string(k.norm))}
				case dist < best.n:
					best = closeness{closeEdit, dist, fmt.Sprintf("edit distance %d from %q", dist, k.fold)}
				}
			}
		}
		if best.kind < closeEdit || best.n <= limit {
			all = append(all, scored{d.Entities[i], best})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i].c, all[j].c
		if a.less(b) || b.less(a) {
			return a.less(b)
		}
		return all[i].e.Name < all[j].e.Name
	})
	var out []Candidate
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, Candidate{Entity: all[i].e, How: all[i].c.how, Kind: matchKind[all[i].c.kind]})
	}
	return out
}
