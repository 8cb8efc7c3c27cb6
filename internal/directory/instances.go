package directory

import (
	"slices"

	"github.com/opsctx/opsctx/internal/model"
)

// Several instances of one source kind (two Dynatrace tenants, an EU and a US PagerDuty)
// each bring their own records. The same service deployed in several clusters is one
// service; but records in two instances that merely share a name are not merged: they are
// merged by a catalog reference (an identity annotation), or by name into an entity that
// pins their instance (model.InstancesAnnotation). A catalog pin also keeps every other
// instance of the pinned kind away from the entity: its records, alerts and changes.

// Serves reports whether the entity may hold records and signals of source (its records'
// pins allow it).
func (e *Entity) Serves(source string) bool { return model.Serves(e.pins(), source) }

// pins returns the instances the entity's records pin it to.
func (e *Entity) pins() []string {
	var out []string
	for _, r := range e.Records {
		out = append(out, r.Pins()...)
	}
	return out
}

// pinned reports whether the entity's records name source among their pins.
func (e *Entity) pinned(source string) bool { return slices.Contains(e.pins(), source) }

// hasSibling reports whether the entity has a record from another instance of source's kind.
func (e *Entity) hasSibling(source string) bool {
	kind := model.SourceKind(source)
	return slices.ContainsFunc(e.Records, func(r model.Service) bool {
		return r.Source != source && model.SourceKind(r.Source) == kind
	})
}

// contestedNames finds the names (folded, per kind) that records of two or more instances
// of one kind go by: such records are not merged by name alone.
func contestedNames(cats []SourceCatalog) map[string]bool {
	kinds := map[string]int{}
	for _, c := range cats {
		kinds[model.SourceKind(c.Source)]++
	}
	owner := map[string]string{} // kind \x00 folded name -> the first source using it
	out := map[string]bool{}
	for _, c := range cats {
		kind := model.SourceKind(c.Source)
		if kinds[kind] < 2 {
			continue // one instance: nothing to contest
		}
		for _, r := range c.Catalog.Services {
			for _, n := range []string{r.Name, r.Title} {
				if n == "" {
					continue
				}
				k := kind + "\x00" + Fold(n)
				switch first, ok := owner[k]; {
				case !ok:
					owner[k] = c.Source
				case first != c.Source:
					out[k] = true
				}
			}
		}
	}
	return out
}

// contested reports whether r's name or title is used by records of several instances of
// its kind.
func (d *Directory) contested(r model.Service) bool {
	kind := model.SourceKind(r.Source)
	return r.Name != "" && d.contestedNames[kind+"\x00"+Fold(r.Name)] || r.Title != "" && d.contestedNames[kind+"\x00"+Fold(r.Title)]
}

// admit keeps the candidates r may be merged into: entities that serve r's instance and,
// when r matched by name, that do not hold a sibling instance's record and, when r's name is
// contested, that pin r's instance. It also returns the candidates left out for being another
// instance's or a contested name's, so that the refusal can be reported.
func (d *Directory) admit(r model.Service, cands []*Entity, byName bool) (in, refused []*Entity) {
	contested := byName && d.contested(r)
	for _, e := range cands {
		switch {
		case !e.Serves(r.Source):
		case byName && (e.hasSibling(r.Source) || contested) && !e.pinned(r.Source):
			refused = append(refused, e)
		default:
			in = append(in, e)
		}
	}
	return in, refused
}

// choose picks the entity a name means for source among the entities known by it: the one
// whose canonical name it is (if it serves source), else the only one that serves source.
func choose(es []*Entity, name, source string) *Entity {
	if len(es) == 0 {
		return nil
	}
	if len(es) > 1 {
		for _, e := range es {
			if Fold(e.Name) == Fold(name) {
				if e.Serves(source) {
					return e
				}
				return nil
			}
		}
	}
	var out *Entity
	for _, e := range es {
		if e.Serves(source) {
			if out != nil {
				return nil
			}
			out = e
		}
	}
	return out
}
