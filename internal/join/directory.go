package join

import (
	"fmt"
	"iter"
	"sort"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// Entity is one real-world service as the join resolved it from one or more sources.
type Entity struct {
	// Name is the canonical name: the Name of the most trusted record.
	Name string
	// Records are the per-source records, most trusted first.
	Records []model.Service
	// Matches says how each record was attached to this entity.
	Matches []Match
}

// Match records how one source record was resolved to an entity.
type Match struct {
	Source string `json:"source"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	// Method is how it matched: "primary record", "annotation pagerduty.com/service-id",
	// "configured alias", "alias", "tag service:checkout", "normalized name".
	Method string `json:"method"`
}

// Title is the entity's display title (first record with a title, else its name).
func (e *Entity) Title() string {
	for _, r := range e.Records {
		if r.Title != "" {
			return r.Title
		}
	}
	return e.Name
}

// Owners returns the distinct (team, source) pairs stated by the records.
func (e *Entity) Owners() []Owner {
	var out []Owner
	seen := map[string]bool{}
	for _, r := range e.Records {
		if r.Owner == "" || seen[r.Source+"\x00"+r.Owner] {
			continue
		}
		seen[r.Source+"\x00"+r.Owner] = true
		out = append(out, Owner{Team: r.Owner, Source: r.Source})
	}
	return out
}

// Aliases returns every other name the entity is known by, across sources.
func (e *Entity) Aliases() []string {
	seen := map[string]bool{fold(e.Name): true}
	var out []string
	add := func(s string) {
		if s != "" && !seen[fold(s)] {
			seen[fold(s)] = true
			out = append(out, s)
		}
	}
	for _, r := range e.Records {
		add(r.Name)
		add(r.Title)
		for _, a := range r.Aliases {
			add(a)
		}
	}
	return out
}

// Has reports whether the entity has a record from source.
func (e *Entity) Has(source string) bool {
	for _, r := range e.Records {
		if r.Source == source {
			return true
		}
	}
	return false
}

// Edge is a dependency between two entities: From depends on To.
type Edge struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Kinds    []string `json:"kinds"`
	Sources  []string `json:"sources"`
	Contract string   `json:"contract,omitempty"`
}

// Ambiguity is a record that matched several entities equally well and was not merged.
type Ambiguity struct {
	Source     string   `json:"source"`
	Record     string   `json:"record"`
	Method     string   `json:"method"`
	Candidates []string `json:"candidates"`
}

// Directory is the merged view of every catalog: entities with their per-source records,
// teams, people and dependency edges, indexed for lookup.
type Directory struct {
	Entities    []*Entity
	Teams       []model.Team
	People      []model.Person
	Ambiguities []Ambiguity

	byKey    map[string][]*Entity // fold(id|name|title|alias) -> entities
	byNorm   map[string][]*Entity // Normalize(name|title|alias) -> entities
	byRecord map[string]*Entity   // source \x00 record id -> entity
	byName   map[string]*Entity   // fold(canonical name) -> entity
	teams    map[string]model.Team
	aliasOf  map[string]string // fold(configured alias) -> fold(canonical)
	graph    graph             // the dependency edges
}

// identityAnnotations maps catalog annotations that name a record in another source.
var identityAnnotations = map[string]string{
	"pagerduty.com/service-id":          "pagerduty",
	"dynatrace.com/dynatrace-entity-id": "dynatrace",
	"servicenow.com/ci-name":            "servicenow",
	"servicenow.com/sys-id":             "servicenow",
	"backstage.io/entity-ref":           "backstage",
}

// tagPrefixes are tag/label conventions that name a service.
var tagPrefixes = []string{"service:", "service=", "app:", "app=", "component:", "backstage:"}

// SourceCatalog is one source's catalog, for Build.
type SourceCatalog struct {
	Source  string
	Catalog model.Catalog
}

// Build merges catalogs (most trusted first) into a Directory. aliases maps a canonical
// service name to other names users or systems call it.
func Build(cats []SourceCatalog, aliases map[string][]string) *Directory {
	d := &Directory{
		byKey: map[string][]*Entity{}, byNorm: map[string][]*Entity{}, byRecord: map[string]*Entity{},
		byName: map[string]*Entity{}, teams: map[string]model.Team{}, aliasOf: map[string]string{},
	}
	for canon, names := range aliases {
		for _, n := range names {
			d.aliasOf[fold(n)] = fold(canon)
		}
	}
	for _, c := range cats {
		for _, r := range c.Catalog.Services {
			if r.Source == "" {
				r.Source = c.Source
			}
			d.add(r)
		}
		for _, t := range c.Catalog.Teams {
			if t.Source == "" {
				t.Source = c.Source
			}
			d.Teams = append(d.Teams, t)
			for _, k := range []string{t.ID, t.Name} {
				if _, ok := d.teams[fold(k)]; !ok && k != "" {
					d.teams[fold(k)] = t
				}
			}
		}
		d.People = append(d.People, c.Catalog.People...)
	}
	d.buildEdges(cats)
	return d
}

func (d *Directory) add(r model.Service) {
	method, cands := d.candidates(r)
	switch {
	case len(cands) == 1:
		e := cands[0]
		e.Records = append(e.Records, r)
		e.Matches = append(e.Matches, Match{Source: r.Source, ID: r.ID, Name: r.Name, Method: method})
		d.index(e, r)
		return
	case len(cands) > 1:
		var names []string
		for _, c := range cands {
			names = append(names, c.Name)
		}
		sort.Strings(names)
		d.Ambiguities = append(d.Ambiguities, Ambiguity{Source: r.Source, Record: r.Name, Method: method, Candidates: names})
	}
	name := r.Name
	if _, taken := d.byName[fold(name)]; taken {
		name = r.Source + ":" + r.Name // keep canonical names unique
	}
	e := &Entity{Name: name, Records: []model.Service{r}, Matches: []Match{{Source: r.Source, ID: r.ID, Name: r.Name, Method: "primary record"}}}
	d.Entities = append(d.Entities, e)
	d.byName[fold(name)] = e
	d.index(e, r)
}

// candidates finds the entities r could belong to, at the most trusted level that has any.
// Several candidates at that level are an ambiguity (all are returned, none is merged); a
// single candidate that already has a record from r's source is a different service.
func (d *Directory) candidates(r model.Service) (string, []*Entity) {
	free := func(es []*Entity) []*Entity {
		var out []*Entity
		seen := map[*Entity]bool{}
		for _, e := range es {
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
		if len(out) == 1 && out[0].Has(r.Source) {
			return nil
		}
		return out
	}
	// 1. explicit annotations on already-known records naming this record.
	for key, src := range identityAnnotations {
		if src != r.Source {
			continue
		}
		var hits []*Entity
		for _, e := range d.Entities {
			for _, er := range e.Records {
				if v := er.Annotations[key]; v != "" && (v == r.ID || fold(v) == fold(r.Name)) {
					hits = append(hits, e)
				}
			}
		}
		if c := free(hits); len(c) > 0 {
			return "annotation " + key, c
		}
	}
	// 2. configured aliases and aliases declared by other records.
	var hits []*Entity
	for _, n := range []string{r.Name, r.Title} {
		if n == "" {
			continue
		}
		if canon, ok := d.aliasOf[fold(n)]; ok {
			hits = append(hits, d.byKey[canon]...)
		}
	}
	if c := free(hits); len(c) > 0 {
		return "configured alias", c
	}
	hits = nil
	for _, n := range append([]string{r.Name, r.Title}, r.Aliases...) {
		if n != "" {
			hits = append(hits, d.byKey[fold(n)]...)
		}
	}
	if c := free(hits); len(c) > 0 {
		return "same name or alias", c
	}
	// 3. tags and labels.
	for _, t := range r.Tags {
		for _, p := range tagPrefixes {
			if v, ok := strings.CutPrefix(strings.ToLower(t), p); ok {
				if c := free(d.byKey[fold(v)]); len(c) > 0 {
					return "tag " + t, c
				}
			}
		}
	}
	// 4. normalised names.
	hits = nil
	for _, n := range []string{r.Name, r.Title} {
		if k := Normalize(n); k != "" {
			hits = append(hits, d.byNorm[k]...)
		}
	}
	return "normalized name", free(hits)
}

func (d *Directory) index(e *Entity, r model.Service) {
	addKey := func(m map[string][]*Entity, k string) {
		if k == "" {
			return
		}
		for _, x := range m[k] {
			if x == e {
				return
			}
		}
		m[k] = append(m[k], e)
	}
	d.byRecord[r.Source+"\x00"+r.ID] = e
	// Identity annotations name this entity's record in another source (which may not
	// be a catalog source), so problems and changes from that source resolve here.
	for key, src := range identityAnnotations {
		if v := r.Annotations[key]; v != "" {
			if _, taken := d.byRecord[src+"\x00"+v]; !taken {
				d.byRecord[src+"\x00"+v] = e
			}
		}
	}
	for _, n := range append([]string{r.ID, r.Name, r.Title, e.Name}, r.Aliases...) {
		addKey(d.byKey, fold(n))
	}
	for _, n := range append([]string{r.Name, r.Title}, r.Aliases...) {
		addKey(d.byNorm, Normalize(n))
	}
	// Configured aliases resolve to the entity whose canonical name they name.
	for alias, canon := range d.aliasOf {
		if canon == fold(e.Name) || canon == fold(r.Name) {
			addKey(d.byKey, alias)
		}
	}
}

func (d *Directory) buildEdges(cats []SourceCatalog) {
	n := 0
	for _, c := range cats {
		n += len(c.Catalog.Dependencies)
	}
	b := newGraphBuilder(n)
	name := func(src, id string) string {
		if e := d.byRecord[src+"\x00"+id]; e != nil {
			return e.Name
		}
		return refName(id)
	}
	for _, c := range cats {
		// A catalog's dependencies name its own records over and over: resolve each id once.
		ids := make(map[string]int32, len(c.Catalog.Services))
		node := func(src, id string) int32 {
			if src != c.Source {
				return b.nodeFor(name(src, id))
			}
			n, ok := ids[id]
			if !ok {
				n = b.nodeFor(name(src, id))
				ids[id] = n
			}
			return n
		}
		for _, dep := range c.Catalog.Dependencies {
			src := dep.Source
			if src == "" {
				src = c.Source
			}
			if from, to := node(src, dep.From), node(src, dep.To); from != to {
				b.add(from, to, dep.Kind, src, dep.Contract)
			}
		}
	}
	d.graph = b.finish()
}

// refName turns "resource:default/orders-db" into "orders-db".
func refName(ref string) string {
	if i := strings.LastIndexAny(ref, ":/"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

func appendUnique(xs []string, v string) []string {
	if v == "" {
		return xs
	}
	for _, x := range xs {
		if x == v {
			return xs
		}
	}
	return append(xs, v)
}

// Entity returns the entity with the canonical name, or nil.
func (d *Directory) Entity(name string) *Entity { return d.byName[fold(name)] }

// EntityForRecord returns the entity a source record (or any name the source uses) belongs to.
func (d *Directory) EntityForRecord(source, idOrName string) *Entity {
	if e := d.byRecord[source+"\x00"+idOrName]; e != nil {
		return e
	}
	if es := d.byKey[fold(idOrName)]; len(es) == 1 {
		return es[0]
	}
	if es := d.byNorm[Normalize(idOrName)]; len(es) == 1 {
		return es[0]
	}
	return nil
}

// Team returns the team with the id or name, if any catalog knows it.
func (d *Directory) Team(idOrName string) (model.Team, bool) {
	t, ok := d.teams[fold(idOrName)]
	if !ok {
		t, ok = d.teams[fold(refName(idOrName))]
	}
	return t, ok
}

// TeamTitle returns a team's display name, or the name itself when unknown.
func (d *Directory) TeamTitle(name string) string {
	if t, ok := d.Team(name); ok && t.DisplayName != "" {
		return t.DisplayName
	}
	return name
}

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
	q := fold(query)
	if q == "" {
		return nil
	}
	if es := d.byKey[q]; len(es) > 0 {
		out := make([]Candidate, 0, len(es))
		for _, e := range es {
			out = append(out, Candidate{Entity: e, How: d.how(e, q), Exact: true})
		}
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

func (d *Directory) how(e *Entity, q string) string {
	for _, r := range e.Records {
		switch q {
		case fold(r.Name):
			return "name in " + r.Source
		case fold(r.ID):
			return "id in " + r.Source
		case fold(r.Title):
			return "title in " + r.Source
		}
		for _, a := range r.Aliases {
			if q == fold(a) {
				return "alias in " + r.Source
			}
		}
	}
	return "configured alias"
}

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
			fk := fold(k)
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

// Neighbours returns the edges from name to what it depends on (upstream) and from what
// depends on it (downstream).
// Their slices are shared with the directory: do not modify them.
func (d *Directory) Neighbours(name string) (upstream, downstream []Edge) {
	for _, i := range d.graph.out(name) {
		upstream = append(upstream, d.graph.Edge(i))
	}
	for _, i := range d.graph.in(name) {
		downstream = append(downstream, d.graph.Edge(i))
	}
	return upstream, downstream
}

// Edges yields every dependency edge, in the order the catalogs declared them. Their
// slices are shared with the directory: do not modify them.
func (d *Directory) Edges() iter.Seq[Edge] { return d.graph.all() }

// Names returns every canonical entity name, sorted.
func (d *Directory) Names() []string {
	out := make([]string, 0, len(d.Entities))
	for _, e := range d.Entities {
		out = append(out, e.Name)
	}
	sort.Strings(out)
	return out
}
