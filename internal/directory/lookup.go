package directory

import (
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
	return d.suggest(q, 5)
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

// suggest returns up to n entities whose names are close to q, closest first.
func (d *Directory) suggest(q string, n int) []Candidate {
	type scored struct {
		e *Entity
		s int
	}
	var all []scored
	nq := Normalize(q)
	for _, e := range d.Entities {
		best := 1 << 30
		for _, k := range append([]string{e.Name, e.Title()}, e.Aliases()...) {
			fk := Fold(k)
			dist := distance(nq, Normalize(k))
			if strings.Contains(fk, q) || strings.Contains(q, fk) {
				dist = min(dist, 1)
			}
			best = min(best, dist)
		}
		if best <= max(2, len([]rune(nq))/2) {
			all = append(all, scored{e, best})
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
