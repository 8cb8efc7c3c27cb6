// Package directory merges the catalogs of every source into one directory of services:
// it resolves which records describe the same service (identity), indexes every name they
// go by (lookup and suggestions), and keeps the dependency graph between them. It is pure:
// it sees only internal/model values, never a source or the network.
package directory

import (
	"iter"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/opsctx/opsctx/internal/directory/graph"
	"github.com/opsctx/opsctx/internal/directory/hosts"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// Entity is one real-world service as the directory resolved it from one or more sources.
type Entity struct {
	// Name is the canonical name: the Name of the most trusted record.
	Name string
	// Records are the per-source records, most trusted first.
	Records []model.Service
	// Matches says how each record was attached to this entity.
	Matches []Match
}

// Match records how one source record was resolved to an entity (or a host). It is
// defined with the hosts, the package beneath, so that entities and hosts share it.
type Match = hosts.Match

// Owner is an owning team as one source states it (of an entity or a host).
type Owner = hosts.Owner

// Title is the entity's display title (first record with a title, else its name).
func (e *Entity) Title() string {
	for _, r := range e.Records {
		if r.Title != "" {
			return r.Title
		}
	}
	return e.Name
}

// Owners returns the distinct (team, source) pairs stated by the records, most trusted first.
func (e *Entity) Owners() []Owner {
	return hosts.OwnersOf(e.Records, func(r model.Service) Owner { return Owner{Team: r.Owner, Source: r.Source} })
}

// Owner returns the most trusted owning team, or "".
func (e *Entity) Owner() string {
	for _, r := range e.Records {
		if r.Owner != "" {
			return r.Owner
		}
	}
	return ""
}

// Aliases returns every other name the entity is known by, across sources.
func (e *Entity) Aliases() []string {
	seen := map[string]bool{Fold(e.Name): true}
	var out []string
	add := func(s string) {
		if s != "" && !seen[Fold(s)] {
			seen[Fold(s)] = true
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

// RecordText names the entity's record from source as answers quote it (resolved_from's
// matched): "source name (id)", or what the source called it when the entity has no record
// there (it matched by reference).
func (e *Entity) RecordText(source, called string) string {
	for _, r := range e.Records {
		if r.Source == source {
			if r.ID != "" && r.ID != r.Name {
				return source + " " + r.Name + " (" + r.ID + ")"
			}
			return source + " " + r.Name
		}
	}
	return source + " " + called
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

// Edge is a dependency between two entities: From depends on To (see package graph).
type Edge = graph.Edge

// Ambiguity is a record that was not merged: it matched several entities equally well, or
// an entity by a name another instance of its kind also uses.
type Ambiguity struct {
	Source     string   `json:"source"`
	Record     string   `json:"record"`
	Method     string   `json:"method"`
	Candidates []string `json:"candidates"`
	// Host is set when the record is a host record and the candidates are hosts.
	Host bool `json:"host,omitempty"`
}

// Concerns reports whether the ambiguity is about e: e is one of the candidates, or e has
// the record that was kept apart.
func (a Ambiguity) Concerns(e *Entity) bool {
	if a.Host {
		return false
	}
	for _, c := range a.Candidates {
		if c == e.Name {
			return true
		}
	}
	for _, r := range e.Records {
		if r.Source == a.Source && r.Name == a.Record {
			return true
		}
	}
	return false
}

// Directory is the merged view of every catalog: entities with their per-source records,
// teams, people and dependency edges, and the hosts they run on, indexed for lookup.
type Directory struct {
	Entities []*Entity
	// Hosts are the hosts, nodes, clusters and namespaces services run on (see RunsOn).
	Hosts       []*hosts.Host
	Teams       []model.Team
	People      []model.Person
	Ambiguities []Ambiguity

	byKey    map[string][]*Entity // Fold(id|name|title|alias) -> entities
	byNorm   map[string][]*Entity // Normalize(name|title|alias) -> entities
	byRecord map[string]*Entity   // source \x00 record id -> entity
	byName   map[string]*Entity   // Fold(canonical name) -> entity
	teams    map[string]model.Team
	aliasOf  map[string]string   // Fold(configured alias) -> Fold(canonical)
	refVias  map[string][]string // source -> how references into it were stated, first seen first
	// contestedNames are the names records of several instances of one kind go by (kind \x00 Fold).
	contestedNames map[string]bool
	graph          graph.Graph  // the dependency edges
	hosts          *hosts.Index // hosts by record, name and short name, and what runs on what
	// repos are the stated code locations by repository path; localRepos the local folders.
	repos      map[string][]repoEntry
	localRepos []repoEntry
	// workloads are the catalogs' Kubernetes workloads by Fold(kubernetes-id).
	workloads map[string][]Workload
	// measuring are the sources that saw dependencies in traffic.
	measuring []string
	// cataloguing are the sources whose catalogs the directory was built from.
	cataloguing []string
	// names are each entity's names prepared for suggestions, built on the first miss.
	names     [][]suggestName
	namesOnce sync.Once
}

// SourceCatalog is one source's catalog, for Build.
type SourceCatalog struct {
	Source  string
	Catalog model.Catalog
}

// Build merges catalogs (most trusted first) into a Directory, after cleaning every string
// of them (sanitize.Record: catalogs enter opsctx here; fetch cleans every other record).
// aliases maps a canonical service name to other names users or systems call it.
func Build(cats []SourceCatalog, aliases map[string][]string) *Directory {
	cats = slices.Clone(cats)
	for i := range cats {
		cats[i].Catalog = sanitize.Record(cats[i].Catalog)
	}
	d := &Directory{
		byKey: map[string][]*Entity{}, byNorm: map[string][]*Entity{}, byRecord: map[string]*Entity{},
		byName: map[string]*Entity{}, teams: map[string]model.Team{}, aliasOf: map[string]string{},
		refVias: map[string][]string{}, contestedNames: contestedNames(cats),
		repos: map[string][]repoEntry{}, workloads: map[string][]Workload{},
	}
	for canon, names := range aliases {
		for _, n := range names {
			d.aliasOf[Fold(n)] = Fold(canon)
		}
	}
	for _, c := range cats {
		d.cataloguing = append(d.cataloguing, c.Source)
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
				if _, ok := d.teams[Fold(k)]; !ok && k != "" {
					d.teams[Fold(k)] = t
				}
			}
		}
		d.People = append(d.People, c.Catalog.People...)
	}
	d.buildEdges(cats)
	d.buildHosts(cats)
	return d
}

// add attaches r to the entity it describes, or makes it a new entity.
func (d *Directory) add(r model.Service) {
	method, cands, refused := d.candidates(r)
	switch {
	case len(cands) == 1:
		e := cands[0]
		e.Records = append(e.Records, r)
		e.Matches = append(e.Matches, Match{Source: r.Source, ID: r.ID, Name: r.Name, Method: method})
		d.index(e, r)
		return
	case len(cands) > 1:
		d.Ambiguities = append(d.Ambiguities, ambiguity(r.Source, r.Name, method, cands, entityName))
	case len(refused) > 0:
		d.Ambiguities = append(d.Ambiguities, ambiguity(r.Source, r.Name, "a name another "+model.SourceKind(r.Source)+
			" instance also uses (link it with a catalog reference, or pin it with "+model.InstancesAnnotation+")", refused, entityName))
	}
	name := r.Name
	if _, taken := d.byName[Fold(name)]; taken || d.contested(r) {
		name = r.Source + ":" + r.Name // keep canonical names unique, and tenants' apart
	}
	e := &Entity{Name: name, Records: []model.Service{r}, Matches: []Match{{Source: r.Source, ID: r.ID, Name: r.Name, Method: "primary record"}}}
	d.Entities = append(d.Entities, e)
	d.byName[Fold(name)] = e
	d.index(e, r)
}

func entityName(e *Entity) string { return e.Name }

// ambiguity records that a record matched several candidates equally well (by name, sorted).
func ambiguity[T any](source, record, method string, cands []T, name func(T) string) Ambiguity {
	names := make([]string, 0, len(cands))
	for _, c := range cands {
		names = append(names, name(c))
	}
	sort.Strings(names)
	return Ambiguity{Source: source, Record: record, Method: method, Candidates: names}
}

// Entity returns the entity with the canonical name, or nil.
func (d *Directory) Entity(name string) *Entity { return d.byName[Fold(name)] }

// EntityForRecord returns the entity a source record (or any name the source uses) belongs
// to: its own record, a catalog reference to it (by kind), else the entity the name means
// for that source (see choose); nil when none, or when the one it means is pinned to other
// instances of the source's kind.
func (d *Directory) EntityForRecord(source, idOrName string) *Entity {
	if e := d.byRecord[source+"\x00"+idOrName]; e != nil {
		return e
	}
	if kind := model.SourceKind(source); kind != source {
		if e := d.byRecord[kind+"\x00"+idOrName]; e != nil && e.Serves(source) { // named by a catalog reference
			return e
		}
	}
	if e := choose(d.byKey[Fold(idOrName)], idOrName, source); e != nil {
		return e
	}
	if len(d.byKey[Fold(idOrName)]) > 0 {
		return nil // the name means another instance's service, or is ambiguous
	}
	return choose(d.byNorm[Normalize(idOrName)], idOrName, source)
}

// Canonical maps a service name or id as a source states it to the canonical entity name
// when the directory knows it, a host's id or name (a CI sys_id, HOST-…, "app-01:9100") to
// the canonical host name, else returns it unchanged, or qualified by the source
// (alertmanager/us-east-1:checkout) when the entity of that name is pinned to other
// instances: a neighbour's checkout is never ours.
func (d *Directory) Canonical(source, svc string) string {
	if svc == "" {
		return ""
	}
	if e := d.EntityForRecord(source, svc); e != nil {
		return e.Name
	}
	if e := d.byName[Fold(svc)]; e != nil && !e.Serves(source) {
		return source + ":" + svc
	}
	if h := d.HostForRecord(source, svc); h != nil {
		return h.Name
	}
	return svc
}

// OwnerOf returns the most trusted owner of the service with the canonical name, or "".
func (d *Directory) OwnerOf(name string) string {
	if e := d.Entity(name); e != nil {
		return e.Owner()
	}
	return ""
}

// Team returns the team with the id or name, if any catalog knows it.
func (d *Directory) Team(idOrName string) (model.Team, bool) {
	t, ok := d.teams[Fold(idOrName)]
	if !ok {
		t, ok = d.teams[Fold(refName(idOrName))]
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

// Neighbours returns the edges from name to what it depends on (upstream) and from what
// depends on it (downstream).
// Their slices are shared with the directory: do not modify them.
func (d *Directory) Neighbours(name string) (upstream, downstream []Edge) {
	for _, i := range d.graph.Out(name) {
		upstream = append(upstream, d.graph.Edge(i))
	}
	for _, i := range d.graph.In(name) {
		downstream = append(downstream, d.graph.Edge(i))
	}
	return upstream, downstream
}

// DependsOn reports whether from depends on to, directly or through others, within depth hops.
func (d *Directory) DependsOn(from, to string, depth int) bool {
	return d.graph.Reaches(from, to, depth)
}

// MeasuringSources are the sources that saw dependencies in traffic (telemetry), in the
// order the catalogs came.
func (d *Directory) MeasuringSources() []string { return d.measuring }

// CatalogSources are the sources whose catalogs the directory was built from, in order: each
// of their instances holds its own records (a PagerDuty account's services), unlike sources
// that only label their signals with service names (a cluster's Alertmanager).
func (d *Directory) CatalogSources() []string { return d.cataloguing }

// Edges yields every dependency edge, in the order the catalogs declared them. Their
// slices are shared with the directory: do not modify them.
func (d *Directory) Edges() iter.Seq[Edge] { return d.graph.All() }

// Names returns every canonical entity name, sorted.
func (d *Directory) Names() []string {
	out := make([]string, 0, len(d.Entities))
	for _, e := range d.Entities {
		out = append(out, e.Name)
	}
	sort.Strings(out)
	return out
}

// OwnedBy reports whether any source names team as the owner of the service with the
// canonical name, by the team's id, name or title ("team-checkout", "Checkout team" and
// "checkout" all name one team).
func (d *Directory) OwnedBy(service, team string) bool {
	e := d.Entity(service)
	if e == nil {
		return false
	}
	for _, o := range e.Owners() {
		if d.NamesTeam(o.Team, team) {
			return true
		}
	}
	return false
}

// NamesTeam reports whether owner (a team id, name or title as a source states it) is team.
func (d *Directory) NamesTeam(owner, team string) bool {
	return Fold(owner) == Fold(team) || Fold(d.TeamTitle(owner)) == Fold(team) || Normalize(owner) == Normalize(team) ||
		strings.TrimPrefix(Fold(owner), "team-") == Fold(team)
}
