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
	// How says how the query matched: "exact name", "alias", "normalized name", "similar name".
	How string
	// Exact is false for suggestions.
	Exact bool
}

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
			out = append(out, Candidate{Entity: e, How: d.how(e, q), Exact: named < 0 || i == named})
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Exact && !out[j].Exact })
		return out
	}
	if es := d.byNorm[Normalize(query)]; len(es) > 0 {
		out := make([]Candidate, 0, len(es))
		for _, e := range es {
			out = append(out, Candidate{Entity: e, How: "normalized name (" + Normalize(query) + ")", Exact: true})
		}
		return out
	}
	return d.suggest(ctx, q, 5)
}

// how says which name of e the folded query q is.
func (d *Directory) how(e *Entity, q string) string {
	for _, r := range e.Records {
		switch q {
		case Fold(r.Name):
			return "name in " + r.Source
		case Fold(r.ID):
			return "id in " + r.Source
		case Fold(r.Title):
			return "title in " + r.Source
		}
		for _, a := range r.Aliases {
			if q == Fold(a) {
				return "alias in " + r.Source
			}
		}
	}
	return "configured alias"
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

// suggest returns up to n entities whose names are close to q, closest first: within an
// edit distance of half the query's length (at least 2), or containing it. The cost is
// bounded: names whose length alone puts them out of reach are skipped, each distance stops
// at the best one found so far, and the scan stops when ctx is done.
func (d *Directory) suggest(ctx context.Context, q string, n int) []Candidate {
	type scored struct {
		e *Entity
		s int
	}
	var all []scored
	nq := []rune(Normalize(q))
	limit := max(2, len(nq)/2)
	var rows distanceRows
	for i, names := range d.suggestNames() {
		if i%128 == 0 && ctx.Err() != nil {
			return nil
		}
		best := limit + 1
		for _, k := range names {
			if strings.Contains(k.fold, q) || strings.Contains(q, k.fold) {
				best = min(best, 1)
			}
			if best > 0 {
				best = min(best, rows.within(nq, k.norm, best-1))
			}
		}
		if best <= limit {
			all = append(all, scored{d.Entities[i], best})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].s != all[j].s {
			return all[i].s < all[j].s
		}
		return all[i].e.Name < all[j].e.Name
	})
	var out []Candidate
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, Candidate{Entity: all[i].e, How: fmt.Sprintf("similar name (distance %d)", all[i].s)})
	}
	return out
}
