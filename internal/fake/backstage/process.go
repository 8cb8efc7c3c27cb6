package backstage

import (
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/catalogmodel"
)

// entity is one stored entity: its JSON form, its ref and its search index.
type entity struct {
	doc    map[string]any
	ref    string              // kind:namespace/name, lowercase
	search map[string][]string // flattened lowercase key -> lowercase values
}

// specRelations are the relations the backend derives from spec fields: field, default
// kind of its refs, relation on the entity, inverse relation on the target.
var specRelations = []struct{ field, kind, rel, inverse string }{
	{"owner", "group", "ownedBy", "ownerOf"},
	{"system", "system", "partOf", "hasPart"},
	{"domain", "domain", "partOf", "hasPart"},
	{"subcomponentOf", "component", "partOf", "hasPart"},
	{"dependsOn", "component", "dependsOn", "dependencyOf"},
	{"dependencyOf", "component", "dependencyOf", "dependsOn"},
	{"providesApis", "api", "providesApi", "apiProvidedBy"},
	{"consumesApis", "api", "consumesApi", "apiConsumedBy"},
	{"memberOf", "group", "memberOf", "hasMember"},
	{"members", "user", "hasMember", "memberOf"},
	{"parent", "group", "childOf", "parentOf"},
	{"children", "group", "parentOf", "childOf"},
}

// refString renders a ref as the backend does: kind and namespace lowercase.
func refString(kind, ns, name string) string {
	return strings.ToLower(kind) + ":" + strings.ToLower(ns) + "/" + name
}

// process turns catalog-info entities into what the backend serves, sorted by uid.
func process(in []catalogmodel.Entity) []entity {
	rels := map[string]map[catalogmodel.Relation]bool{}
	add := func(from, typ, to string) {
		k := strings.ToLower(from)
		if rels[k] == nil {
			rels[k] = map[catalogmodel.Relation]bool{}
		}
		rels[k][catalogmodel.Relation{Type: typ, TargetRef: to}] = true
	}
	for _, e := range in {
		ns := cmp.Or(e.Metadata.Namespace, catalogmodel.DefaultNamespace)
		self := refString(e.Kind, ns, e.Metadata.Name)
		for _, r := range e.Relations {
			add(self, r.Type, r.TargetRef)
		}
		for _, sr := range specRelations {
			vals := e.SpecStrings(sr.field)
			if v := e.SpecString(sr.field); v != "" {
				vals = append(vals, v)
			}
			for _, v := range vals {
				r, err := catalogmodel.ParseRefIn(v, sr.kind, ns)
				if err != nil {
					continue
				}
				t := refString(r.Kind, r.Namespace, r.Name)
				add(self, sr.rel, t)
				add(t, sr.inverse, self)
			}
		}
	}
	out := make([]entity, 0, len(in))
	for _, e := range in {
		e.Metadata.Namespace = cmp.Or(e.Metadata.Namespace, catalogmodel.DefaultNamespace)
		ref := strings.ToLower(refString(e.Kind, e.Metadata.Namespace, e.Metadata.Name))
		sum := sha1.Sum([]byte(ref))
		h := hex.EncodeToString(sum[:])
		e.Metadata.UID = fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
		e.Relations = nil
		for r := range rels[ref] {
			e.Relations = append(e.Relations, r)
		}
		slices.SortFunc(e.Relations, func(a, b catalogmodel.Relation) int {
			return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.TargetRef, b.TargetRef))
		})
		b, _ := json.Marshal(e)
		var doc map[string]any
		_ = json.Unmarshal(b, &doc)
		md := doc["metadata"].(map[string]any)
		md["etag"] = h[32:]
		out = append(out, entity{doc: doc, ref: ref, search: flatten(doc)})
	}
	slices.SortFunc(out, func(a, b entity) int {
		return cmp.Compare(a.doc["metadata"].(map[string]any)["uid"].(string), b.doc["metadata"].(map[string]any)["uid"].(string))
	})
	return out
}

// flatten builds the backend's search index: every leaf path with its value, string array
// items also as "<path>.<item>" = "true", and relations as "relations.<type>" = targetRef.
func flatten(doc map[string]any) map[string][]string {
	idx := map[string][]string{}
	put := func(k, v string) { idx[strings.ToLower(k)] = append(idx[strings.ToLower(k)], strings.ToLower(v)) }
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(strings.TrimPrefix(path+"."+k, "."), c)
			}
		case []any:
			for _, it := range x {
				if s, ok := it.(string); ok {
					put(path, s)
					put(path+"."+s, "true")
					continue
				}
				walk(path, it)
			}
		case nil:
		default:
			put(path, fmt.Sprint(x))
		}
	}
	for k, v := range doc {
		if k != "relations" {
			walk(k, v)
		}
	}
	rs, _ := doc["relations"].([]any)
	for _, r := range rs {
		m, _ := r.(map[string]any)
		t, _ := m["type"].(string)
		ref, _ := m["targetRef"].(string)
		put("relations."+t, ref)
	}
	return idx
}
