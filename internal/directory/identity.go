package directory

import (
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/directory/graph"
	"github.com/opsctx/opsctx/internal/model"
)

// tagPrefixes are tag/label conventions that name a service.
var tagPrefixes = []string{"service:", "service=", "app:", "app=", "component:", "backstage:"}

// matchLevels are the ways a record is matched to known entities, most trusted first:
// references naming the record, the record's CMDB correlation id, configured aliases, the
// same name or alias, tags, then normalised names. Each returns how it matched and its candidates (see free).
var matchLevels = []func(d *Directory, r model.Service) (string, []*Entity){
	(*Directory).byRefs,
	(*Directory).byCorrelation,
	(*Directory).byConfiguredAlias,
	(*Directory).bySameName,
	(*Directory).byTag,
	(*Directory).byNormalizedName,
}

// candidates finds the entities r could belong to, at the most trusted level that has any.
// Several candidates at that level are an ambiguity (all are returned, none is merged); a
// single candidate that already has a record from r's source is a different service. Only
// entities that admit r's instance are candidates (see admit); refused are those that
// matched by a name another instance of r's kind also uses, or holds.
func (d *Directory) candidates(r model.Service) (method string, cands, refused []*Entity) {
	for i, level := range matchLevels {
		var no []*Entity
		method, cands = level(d, r)
		if cands, no = d.admit(r, cands, i > 0); len(cands) > 0 {
			return method, cands, nil
		}
		if refused == nil {
			refused = no
		}
	}
	return method, nil, refused
}

// free deduplicates the entities a record of source matched, and drops a single one that
// already has a record from source (it is a different service of that source).
func free(source string, es []*Entity) []*Entity {
	var out []*Entity
	seen := map[*Entity]bool{}
	for _, e := range es {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	if len(out) == 1 && out[0].Has(source) {
		return nil
	}
	return out
}

// byRefs matches r to the entities whose records reference it, one way of stating the
// reference at a time, in the order the catalogs first stated them.
func (d *Directory) byRefs(r model.Service) (string, []*Entity) {
	kind := model.SourceKind(r.Source) // a reference names a kind's record, in any instance
	for _, via := range d.refVias[kind] {
		var hits []*Entity
		for _, e := range d.Entities {
			for _, er := range e.Records {
				for _, ref := range er.Refs {
					if ref.In == kind && ref.Via == via && ref.ID != "" && (ref.ID == r.ID || Fold(ref.ID) == Fold(r.Name) || correlates(r, ref.ID)) {
						hits = append(hits, e)
					}
				}
			}
		}
		if c := free(r.Source, hits); len(c) > 0 {
			return via, c
		}
	}
	return "", nil
}

// correlates reports whether a record's CMDB correlation id is id: a reference may name
// a CI by the value its integration stored there (the Backstage ServiceNow plugins'
// servicenow.com/entity-id).
func correlates(r model.Service, id string) bool {
	return slices.ContainsFunc(r.Refs, func(ref model.Ref) bool {
		return strings.HasPrefix(ref.Via, model.CorrelationVia) && Fold(ref.ID) == Fold(id)
	})
}

// byCorrelation matches a CMDB record by its correlation id: the record of the source it
// names (a discovery source's own id, e.g. a Dynatrace entity id), else any entity known
// by that value (a catalog name or entity ref stored by the integration that feeds the CMDB).
func (d *Directory) byCorrelation(r model.Service) (string, []*Entity) {
	for _, ref := range r.Refs {
		if !strings.HasPrefix(ref.Via, model.CorrelationVia) || ref.ID == "" {
			continue
		}
		var hits []*Entity
		if e := d.byRecord[ref.In+"\x00"+ref.ID]; ref.In != "" && e != nil {
			hits = append(hits, e)
		}
		if len(hits) == 0 {
			hits = append(hits, d.byKey[Fold(ref.ID)]...)
		}
		if c := free(r.Source, hits); len(c) > 0 {
			return ref.Via + " " + ref.ID, c
		}
	}
	return "", nil
}

// byConfiguredAlias matches r's name or title to the entity it is a configured alias of.
func (d *Directory) byConfiguredAlias(r model.Service) (string, []*Entity) {
	var hits []*Entity
	for _, n := range []string{r.Name, r.Title} {
		if canon, ok := d.aliasOf[Fold(n)]; ok && n != "" {
			hits = append(hits, d.byKey[canon]...)
		}
	}
	return "configured alias", free(r.Source, hits)
}

// bySameName matches r's name, title or aliases to the entities known by that name.
func (d *Directory) bySameName(r model.Service) (string, []*Entity) {
	var hits []*Entity
	for _, n := range append([]string{r.Name, r.Title}, r.Aliases...) {
		if n != "" {
			hits = append(hits, d.byKey[Fold(n)]...)
		}
	}
	return "same name or alias", free(r.Source, hits)
}

// byTag matches a tag or label of r that names a service ("service:checkout").
func (d *Directory) byTag(r model.Service) (string, []*Entity) {
	for _, t := range r.Tags {
		for _, p := range tagPrefixes {
			if v, ok := strings.CutPrefix(strings.ToLower(t), p); ok {
				if c := free(r.Source, d.byKey[Fold(v)]); len(c) > 0 {
					return "tag " + t, c
				}
			}
		}
	}
	return "", nil
}

// byNormalizedName matches r's normalised name or title.
func (d *Directory) byNormalizedName(r model.Service) (string, []*Entity) {
	var hits []*Entity
	for _, n := range []string{r.Name, r.Title} {
		if k := Normalize(n); k != "" {
			hits = append(hits, d.byNorm[k]...)
		}
	}
	return "normalized name", free(r.Source, hits)
}

// index makes every name of r find e.
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
	// References name this entity's record in another source kind (which may not be a
	// catalog source), so problems and changes from any of its instances resolve here
	// (EntityForRecord looks them up by kind).
	for _, ref := range r.Refs {
		if ref.ID == "" {
			continue
		}
		if _, taken := d.byRecord[ref.In+"\x00"+ref.ID]; !taken {
			d.byRecord[ref.In+"\x00"+ref.ID] = e
		}
		if !slices.Contains(d.refVias[ref.In], ref.Via) {
			d.refVias[ref.In] = append(d.refVias[ref.In], ref.Via)
		}
	}
	d.indexRepos(e, r)
	d.indexWorkloads(e, r)
	for _, n := range append([]string{r.ID, r.Name, r.Title, e.Name}, r.Aliases...) {
		addKey(d.byKey, Fold(n))
	}
	for _, n := range append([]string{r.Name, r.Title}, r.Aliases...) {
		addKey(d.byNorm, Normalize(n))
	}
	// Configured aliases resolve to the entity whose canonical name they name.
	for alias, canon := range d.aliasOf {
		if canon == Fold(e.Name) || canon == Fold(r.Name) {
			addKey(d.byKey, alias)
		}
	}
}

// buildEdges resolves every catalog's dependencies to entity names and builds the graph.
func (d *Directory) buildEdges(cats []SourceCatalog) {
	n := 0
	for _, c := range cats {
		n += len(c.Catalog.Dependencies)
	}
	b := graph.NewBuilder(n)
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
				return b.Node(name(src, id))
			}
			n, ok := ids[id]
			if !ok {
				n = b.Node(name(src, id))
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
				b.Add(from, to, dep, src)
			}
			if dep.Measured && !slices.Contains(d.measuring, src) {
				d.measuring = append(d.measuring, src)
			}
		}
	}
	d.graph = b.Finish()
}

// refName turns "resource:default/orders-db" into "orders-db".
func refName(ref string) string {
	if i := strings.LastIndexAny(ref, ":/"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}
