package servicenow

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/sourcegraph/conc/pool"

	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// DependsOn is the cmdb_rel_type read as dependencies: parent depends on child.
const DependsOn = "Depends on::Used by"

// Annotations set on every service record, as identity hints for the join and other sources.
const (
	AnnotationSysID        = "servicenow.com/sys-id"
	AnnotationCIName       = "servicenow.com/ci-name"
	AnnotationCIClass      = "servicenow.com/ci-class"
	AnnotationSupportGroup = "servicenow.com/support-group-sys-id"
	// AnnotationEntityID is the public Backstage ServiceNow plugins' annotation: a CI's
	// sys_id, its name or a correlation value (its correlation_id).
	AnnotationEntityID = "servicenow.com/entity-id"
)

// discoverySources are the discovery sources (cmdb_ci.discovery_source) whose
// correlation_id is their own id of the CI, by the opsctx source kind they are.
var discoverySources = map[string]string{"dynatrace": "dynatrace", "pagerduty": "pagerduty", "backstage": "backstage"}

// owners are a CI's owner references in order of precedence, with the fields read of the
// record each points to.
var owners = []struct {
	field, table string
	fields       []string
}{
	{"support_group", "sys_user_group", groupFields},
	{"managed_by_group", "sys_user_group", groupFields},
	{"owned_by", "sys_user", userFields},
}

// serviceFields are the CMDB fields read per CI of the configured classes (services), with
// the owners' fields dot-walked (support_group.sys_id, support_group.name, ...): only what
// service and the owners' teams and people read, since a large CMDB sends them 1,000 rows a page.
var serviceFields = func() []string {
	out := []string{"sys_id", "name", "sys_class_name", "short_description", "service_classification", "operational_status",
		"correlation_id", "discovery_source"} // how the system that feeds the CI knows it
	for _, o := range owners {
		out = append(out, o.field)
	}
	for _, o := range owners {
		for _, f := range o.fields {
			out = append(out, o.field+"."+f)
		}
	}
	return out
}()

// ciFields are the fields read per CI that may be a service or a host (a relation's outside
// end, a placement's host): serviceFields and what describes a host.
var ciFields = append(slices.Clip(serviceFields), "fqdn", "ip_address", "host_name")

// Catalog reads, concurrently, the CIs of every configured class, their "Depends on::Used
// by" relations (either end in those classes, so both directions; a second query covers
// subclass rows) and the relations crossing the classes' boundary with the outside CI's
// fields dot-walked (parent.name, child.support_group, ...). The owning groups and users
// come with the CIs as dot-walked fields too (support_group.name, child.owned_by.email, ...),
// so on an instance that honours them the catalog is one round trip. What they do not
// describe is looked up by sys_id, in batches, as a second round trip: an outside CI (an
// instance that drops dot-walked fields, a subclass row's neighbour), then the owners
// whose dot-walked sys_id did not come back (dropped, or a reference to a missing record).
// Owners learnt either way go to the reference memo. A service's Owner is its support
// group's name, else its managed-by group's, else its owner's name. Truncated is set when
// a table had more rows than MaxRows.
func (s *Source) Catalog(ctx context.Context) (model.Catalog, error) {
	var cat model.Catalog
	l, err := s.listCatalog(ctx)
	if err != nil {
		return model.Catalog{}, err
	}
	cis := ciSet{rows: map[string]row{}}
	if sub := cis.addListed(l.lists, s.classes); len(sub) > 0 {
		more, tr, err := s.relations(ctx, sub, nil) // subclass rows: relation filters match exact classes
		if err != nil {
			return model.Catalog{}, err
		}
		l.rels, l.truncated = append(l.rels, more...), append(l.truncated, tr)
	}
	cat.Truncated = slices.Contains(l.truncated, true)
	cis.addCrossing(l.crossing)
	outside := cis.outside(l.rels)
	known := func(id string) bool { _, ok := cis.rows[id]; return ok || slices.Contains(outside, id) }
	g := placements(l.placements, known)
	neighbours, err := s.lookup(ctx, "cmdb_ci", append(slices.Clip(outside), g.missing...), ciFields, memoTTL)
	if err != nil {
		return model.Catalog{}, err
	}
	for _, id := range unique(outside) {
		if r, ok := neighbours[id]; ok {
			cis.add(id, r)
		}
	}
	for _, id := range g.missing {
		if r, ok := neighbours[id]; ok {
			g.hosts.rows[id] = r
		}
	}
	want := s.owners(cis, g.hosts)
	res, err := s.resolve(ctx, want)
	if err != nil {
		return model.Catalog{}, err
	}
	cat.Services = s.services(cis, res)
	for _, id := range g.hosts.ids {
		cat.Hosts = append(cat.Hosts, s.host(g.hosts.rows[id], res))
	}
	cat.Dependencies, cat.RunsOn = dependencies(l.rels, cis.rows), g.edges
	cat.Teams, cat.People = s.teamsAndPeople(want, res)
	return cat, nil
}

// owners returns the owner references of the services and hosts to resolve, and puts the
// owners that came dot-walked in the reference memo, each once, so that resolving reads
// only the others.
func (s *Source) owners(sets ...ciSet) refs {
	want, walked := refs{}, map[string]bool{}
	for _, set := range sets {
		for _, id := range set.ids {
			r := set.rows[id]
			for _, o := range owners {
				ref := r.str(o.field)
				if ref == "" || walked[ref] {
					continue
				}
				want.add(o.table, ref)
				if w, ok := walk(r, o.field, o.fields); ok {
					walked[ref] = true
					s.memo.Put(ref, w)
				}
			}
		}
	}
	return want
}

// services maps the CIs in c, ordered by name then sys_id. A large CMDB's are mapped by
// every CPU at once, a share each: this is the catalog's last step, after the last page.
func (s *Source) services(c ciSet, res map[string]row) []model.Service {
	out := make([]model.Service, len(c.ids))
	var wg sync.WaitGroup
	share := max(len(c.ids)/runtime.GOMAXPROCS(0)+1, 1000)
	for lo := 0; lo < len(c.ids); lo += share {
		wg.Go(func() {
			for i := lo; i < min(lo+share, len(c.ids)); i++ {
				out[i] = s.service(c.rows[c.ids[i]], res)
			}
		})
	}
	wg.Wait()
	order := make([]int, len(out)) // sorted as indexes: a Service is large to move
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(out[a].Name, out[b].Name), cmp.Compare(out[a].ID, out[b].ID))
	})
	sorted := make([]model.Service, len(out))
	for i, k := range order {
		sorted[i] = out[k]
	}
	return sorted
}

// catalogLists are the rows of the catalog's first round trip.
type catalogLists struct {
	lists    [][]row // the CIs of each configured class
	rels     []row   // the relations touching the classes
	crossing []row   // those crossing the classes' boundary, with the outside end dot-walked
	// placements are the "runs on" relations (placementTypes), both ends dot-walked.
	placements []row
	truncated  []bool // per table, whether it had more rows than MaxRows
}

// listCatalog reads the CIs of every class and the relations touching the configured
// classes, concurrently; their pages after the first go out Source.parallel at a time in all.
func (s *Source) listCatalog(ctx context.Context) (catalogLists, error) {
	l := catalogLists{lists: make([][]row, len(s.classes)), truncated: make([]bool, len(s.classes)+2)}
	pace := newPacer(s.parallel, s.testHookPaced) // one bound for the pages after the first of every listing
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError()
	for i, class := range s.classes {
		p.Go(func(ctx context.Context) error {
			var err error
			l.lists[i], l.truncated[i], err = s.list(ctx, list{table: class, query: "ORDERBYsys_id", fields: serviceFields, pace: pace})
			if httpx.StatusOf(err) == 400 {
				return fmt.Errorf("%w: check the CI classes (SERVICENOW_CI_CLASSES / ci_classes)", err)
			}
			return err
		})
	}
	p.Go(func(ctx context.Context) error {
		var err error
		l.rels, l.truncated[len(s.classes)], err = s.relations(ctx, s.classes, pace)
		return err
	})
	p.Go(func(ctx context.Context) error {
		var err error
		l.placements, l.truncated[len(s.classes)+1], err = s.list(ctx, list{table: "cmdb_rel_ci", query: placementQuery(), fields: placementFields,
			display: true, pace: pace})
		return err
	})
	p.Go(func(ctx context.Context) error { // a subset of rels: whatever it misses is looked up later
		var err error
		l.crossing, _, err = s.list(ctx, list{table: "cmdb_rel_ci", fields: crossingFields, query: and(relationQuery(s.classes),
			orGroup([]string{"parent.sys_class_nameNOT IN" + strings.Join(s.classes, ","), "child.sys_class_nameNOT IN" + strings.Join(s.classes, ",")}),
			"ORDERBYsys_id"), pace: pace})
		return err
	})
	return l, p.Wait()
}

// ciSet is the catalog's CIs by sys_id, in the order they were learnt.
type ciSet struct {
	rows map[string]row
	ids  []string
}

// add keeps r under id unless id is empty or already known.
func (c *ciSet) add(id string, r row) {
	if _, dup := c.rows[id]; !dup && id != "" {
		c.rows[id] = r
		c.ids = append(c.ids, id)
	}
}

// addListed keeps the listed CIs and returns the subclasses their rows belong to (outside
// the configured classes), sorted.
func (c *ciSet) addListed(lists [][]row, classes []string) []string {
	var sub []string
	for _, rows := range lists {
		for _, r := range rows {
			c.add(r.str("sys_id"), r)
			if cl := r.str("sys_class_name"); cl != "" && !slices.Contains(classes, cl) && !slices.Contains(sub, cl) {
				sub = append(sub, cl)
			}
		}
	}
	slices.Sort(sub)
	return sub
}

// addCrossing keeps the outside ends of crossing relations whose fields came dot-walked.
func (c *ciSet) addCrossing(crossing []row) {
	for _, r := range crossing {
		for _, end := range []string{"parent", "child"} {
			if id := r.str(end); r.str(end+".name") != "" {
				if _, ok := c.rows[id]; !ok {
					c.add(id, dotWalked(r, end))
				}
			}
		}
	}
}

// outside returns the relation ends that are not known CIs (with repeats).
func (c *ciSet) outside(rels []row) []string {
	var out []string
	for _, r := range rels {
		for _, end := range []string{r.str("parent"), r.str("child")} {
			if _, ok := c.rows[end]; !ok && end != "" {
				out = append(out, end)
			}
		}
	}
	return out
}

// relations reads the "Depends on::Used by" relations with either end in one of classes.
// pace bounds the pages read at once with the catalog's other listings (nil: on their own).
func (s *Source) relations(ctx context.Context, classes []string, pace *pacer) ([]row, bool, error) {
	return s.list(ctx, list{table: "cmdb_rel_ci", query: and(relationQuery(classes), "ORDERBYsys_id"), fields: []string{"parent", "child"}, pace: pace})
}

// relationQuery matches the "Depends on::Used by" relations with either end in one of classes.
func relationQuery(classes []string) string {
	return and("type.name="+DependsOn, orGroup(append(anyOf("parent.sys_class_name", classes), anyOf("child.sys_class_name", classes)...)))
}

// crossingFields are read from relations crossing the classes' boundary: both ends and,
// dot-walked, the CI fields of each end (the Table API returns "child.name" and so on).
var crossingFields = func() []string {
	out := []string{"parent", "child"}
	for _, end := range out[:2] {
		for _, f := range ciFields {
			if f != "sys_id" { // the reference itself
				out = append(out, end+"."+f)
			}
		}
	}
	return out
}()

// dotWalked returns the CI at one end of a crossing relation from its dot-walked fields.
func dotWalked(r row, end string) row {
	ci := row{}
	for _, f := range ciFields {
		if v, ok := r[end+"."+f]; ok {
			ci[f] = v
		}
	}
	ci["sys_id"] = r.str(end)
	return ci
}

// walk returns the record the reference field of r points to, from r's dot-walked fields
// (field.sys_id, field.name, ...). ok is false when the reference is empty or the
// dot-walked sys_id did not come back as the reference (an instance or ACL that drops
// dot-walked fields, a reference to a missing record): it is then looked up.
func walk(r row, field string, fields []string) (ref row, ok bool) {
	id := r.str(field)
	if id == "" || r.str(field+".sys_id") != id {
		return nil, false
	}
	ref = row{}
	for _, f := range fields {
		if v, ok := r[field+"."+f]; ok {
			ref[f] = v
		}
	}
	return ref, true
}

// service maps a CI row.
func (s *Source) service(r row, res map[string]row) model.Service {
	id, class := r.str("sys_id"), r.str("sys_class_name")
	ann := map[string]string{AnnotationSysID: id, AnnotationCIName: r.str("name"), AnnotationCIClass: class}
	if g := r.str("support_group"); g != "" {
		ann[AnnotationSupportGroup] = g
	}
	return model.Service{
		ID:          id,
		Name:        r.str("name"),
		Kind:        class,
		Type:        r.str("service_classification"),
		Description: r.str("short_description"),
		Owner:       cmp.Or(name(res, r.str("support_group")), name(res, r.str("managed_by_group")), name(res, r.str("owned_by"))),
		Lifecycle:   operationalStatus[r.str("operational_status")],
		Annotations: ann,
		Refs:        correlation(r),
		Source:      SourceName,
		URL:         s.recordURL(cmp.Or(class, "cmdb_ci"), id),
	}
}

// correlation is what a CI's correlation_id says about it: the id by which the system that
// feeds the CI knows it. A discovery source opsctx knows (Dynatrace, ...) names that
// system; otherwise the value is a key other systems may use for the service (a catalog
// name or entity ref, a Backstage plugin's correlation value).
func correlation(r row) []model.Ref {
	v := r.str("correlation_id")
	if v == "" {
		return nil
	}
	ref := model.Ref{ID: v, Via: model.CorrelationVia}
	if ds := r.str("discovery_source"); ds != "" {
		for word, kind := range discoverySources {
			if strings.Contains(strings.ToLower(ds), word) {
				ref.In = kind
			}
		}
		ref.Via += " (discovery source " + ds + ")"
	}
	return []model.Ref{ref}
}

// dependencies turns relations between known CIs into parent→child edges, deduplicated.
func dependencies(rels []row, cis map[string]row) []model.Dependency {
	var out []model.Dependency
	seen := map[[2]string]bool{}
	for _, r := range rels {
		k := [2]string{r.str("parent"), r.str("child")}
		_, okP := cis[k[0]]
		_, okC := cis[k[1]]
		if !okP || !okC || k[0] == k[1] || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, model.Dependency{From: k[0], To: k[1], Kind: "depends_on", Source: SourceName})
	}
	return out
}

// teamsAndPeople returns the resolved owner groups and users, sorted by name.
func (s *Source) teamsAndPeople(want refs, res map[string]row) ([]model.Team, []model.Person) {
	var teams []model.Team
	var people []model.Person
	for id := range want["sys_user_group"] {
		if r, ok := res[id]; ok {
			teams = append(teams, model.Team{ID: id, Name: r.str("name"), Email: r.str("email"), Source: SourceName,
				Links: linkTo(s.recordURL("sys_user_group", id), "ServiceNow group")})
		}
	}
	for id := range want["sys_user"] {
		if r, ok := res[id]; ok {
			people = append(people, model.Person{ID: id, Name: r.str("name"), Email: r.str("email")})
		}
	}
	slices.SortFunc(teams, func(a, b model.Team) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	slices.SortFunc(people, func(a, b model.Person) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return teams, people
}

func linkTo(u, title string) []model.Link {
	if u == "" {
		return nil
	}
	return []model.Link{{Title: title, URL: u}}
}

// operationalStatus labels cmdb_ci.operational_status codes (base-system values).
var operationalStatus = map[string]string{
	"1": "operational", "2": "non-operational", "3": "repair in progress", "4": "dr standby",
	"5": "ready", "6": "retired", "7": "pipeline",
}
