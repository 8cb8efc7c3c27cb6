package catalogmodel

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// Dependency kinds produced by ToCatalog.
const (
	DepDependsOn = "depends_on" // spec.dependsOn / dependencyOf, relations dependsOn / dependencyOf
	DepAPI       = "api"        // consumer component → component providing the consumed API
)

// ToCatalog maps entities to the shared model for the named source ("catalogfile", "backstage").
//
//   - Component, Resource, System and API become Services with ID = lowercase ref
//     ("component:default/checkout"), Owner = the owner ref's name, aliases from
//     AnnotationAliases and URL from AnnotationViewURL; all annotations are kept.
//   - Groups become Teams; members are Users whose spec.memberOf names the group plus the
//     group's spec.members (and memberOf / hasMember relations), deduplicated.
//   - Users become People.
//   - Edges: spec.dependsOn (default kind component) and dependsOn relations give
//     From→To "depends_on"; dependencyOf gives the reversed edge. A component consuming
//     API X gets an "api" edge to every entity providing X, with the API's
//     AnnotationContract as Contract; with no known provider the edge goes to the API itself.
//     Edges to entities absent from the input are kept (audits report them).
//   - Resources of a host type (host, server, vm, cluster, kubernetes-cluster, namespace,
//     ...) become Hosts, and spec.dependsOn on them RunsOn edges (see placements), as does a
//     component's backstage.io/kubernetes-namespace annotation.
//
// Output is sorted: services, teams and people by ID, edges by From, To, Kind.
// Entities with a ref seen before are ignored; invalid refs are skipped.
func ToCatalog(entities []Entity, source string) model.Catalog {
	m := mapper{
		source:    source,
		edges:     map[[3]string]model.Dependency{},
		people:    map[string]model.Person{},
		members:   map[string]map[string]bool{},
		providers: map[string]map[string]bool{},
		consumes:  map[string]map[string]bool{},
		apis:      map[string]*Entity{},
	}
	seen, hostIDs := map[string]bool{}, map[string]bool{}
	var groups []*Entity
	var cat model.Catalog
	for i := range entities {
		e := &entities[i]
		id := e.Ref().String()
		if seen[id] {
			continue
		}
		seen[id] = true
		switch kind := strings.ToLower(e.Kind); {
		case hostKind(e) != "":
			cat.Hosts = append(cat.Hosts, m.host(e, id, hostKind(e)))
			hostIDs[id] = true
		case kind == "component" || kind == "resource" || kind == "system" || kind == "api":
			cat.Services = append(cat.Services, m.service(e, id))
			if e.kindIs("api") {
				m.apis[id] = e
			}
		case kind == "group":
			groups = append(groups, e)
		case kind == "user":
			m.user(e, id)
		}
		m.specEdges(e, id)
		m.relations(e, id)
	}
	for _, g := range groups {
		cat.Teams = append(cat.Teams, m.team(g))
	}
	m.apiEdges()
	cat.People = slices.Collect(maps.Values(m.people))
	cat.Dependencies = slices.Collect(maps.Values(m.edges))
	placements(&cat, entities, hostIDs, m.source)
	slices.SortFunc(cat.Services, func(a, b model.Service) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(cat.Teams, func(a, b model.Team) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(cat.People, func(a, b model.Person) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(cat.Dependencies, func(a, b model.Dependency) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Kind, b.Kind))
	})
	return cat
}

type mapper struct {
	source    string
	edges     map[[3]string]model.Dependency
	people    map[string]model.Person
	members   map[string]map[string]bool // group ref → user refs
	providers map[string]map[string]bool // API ref → provider refs
	consumes  map[string]map[string]bool // consumer ref → API refs
	apis      map[string]*Entity         // API ref → entity
}

// refName returns the name part of ref s, or "" when s is empty or invalid.
func refName(s, kind, ns string) string {
	r, err := ParseRefIn(s, kind, ns)
	if err != nil {
		return ""
	}
	return r.Name
}

// refID returns the canonical lowercase ref string of s, or "" when s is invalid.
func refID(s, kind, ns string) string {
	r, err := ParseRefIn(s, kind, ns)
	if err != nil {
		return ""
	}
	return r.String()
}

func (m *mapper) service(e *Entity, id string) model.Service {
	ns := e.Metadata.Namespace
	ann := e.Metadata.Annotations
	s := model.Service{
		ID:          id,
		Name:        e.Metadata.Name,
		Title:       e.Metadata.Title,
		Kind:        e.Kind,
		Type:        e.SpecString("type"),
		Description: e.Metadata.Description,
		Aliases:     splitAliases(ann[AnnotationAliases]),
		Owner:       refName(e.SpecString("owner"), "group", ns),
		System:      refName(e.SpecString("system"), "system", ns),
		Lifecycle:   e.SpecString("lifecycle"),
		Tags:        slices.Clone(e.Metadata.Tags),
		Links:       links(e.Metadata.Links),
		Source:      m.source,
		URL:         ann[AnnotationViewURL],
	}
	if len(ann) > 0 {
		s.Annotations = maps.Clone(ann)
		s.Refs = Refs(ann)
		s.Repos = Repos(ann)
		s.SLODeclared = ann[AnnotationSLOObjective] != ""
	}
	return s
}

// splitAliases splits a comma-separated AnnotationAliases value, trimmed and deduplicated.
func splitAliases(v string) []string {
	var out []string
	for _, a := range strings.Split(v, ",") {
		if a = strings.TrimSpace(a); a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

func links(ls []Link) []model.Link {
	var out []model.Link
	for _, l := range ls {
		out = append(out, model.Link{Title: l.Title, URL: l.URL, Type: l.Type})
	}
	return out
}

func (m *mapper) user(e *Entity, id string) {
	name, email := e.SpecProfile()
	m.people[id] = model.Person{ID: id, Name: cmp.Or(name, e.Metadata.Name), Email: email}
	for _, g := range e.SpecStrings("memberOf") {
		m.addMember(refID(g, "group", e.Metadata.Namespace), id)
	}
}

func (m *mapper) addMember(group, user string) {
	if group != "" && user != "" {
		add(m.members, group, user)
	}
}

func (m *mapper) team(e *Entity) model.Team {
	id := e.Ref().String()
	ns := e.Metadata.Namespace
	for _, u := range e.SpecStrings("members") {
		m.addMember(id, refID(u, "user", ns))
	}
	name, email := e.SpecProfile()
	t := model.Team{
		ID:          id,
		Name:        e.Metadata.Name,
		DisplayName: name,
		Email:       email,
		Channel:     e.Metadata.Annotations[AnnotationChatChannel],
		Parent:      refName(e.SpecString("parent"), "group", ns),
		Links:       links(e.Metadata.Links),
		Source:      m.source,
	}
	for _, u := range slices.Sorted(maps.Keys(m.members[id])) {
		p, ok := m.people[u]
		if !ok {
			r, _ := ParseRef(u, "user")
			p = model.Person{ID: u, Name: r.Name}
		}
		t.Members = append(t.Members, p)
	}
	return t
}
