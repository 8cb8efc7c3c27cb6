package catalogmodel

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Decode builds an Entity from a generic decoded JSON or YAML document (map[string]any
// or map[any]any). It checks field types, not catalog rules (see Validate); errors are
// *FieldError values, joined, naming each field. Spec values are normalised to JSON-like
// values: nested maps become map[string]any and YAML timestamps become strings.
func Decode(doc any) (Entity, error) {
	m, ok := normalise(doc).(map[string]any)
	if !ok {
		return Entity{}, fmt.Errorf("document is %s, want a mapping", describe(doc))
	}
	d := decoder{}
	e := Entity{
		APIVersion: d.str(m, "apiVersion", "apiVersion"),
		Kind:       d.str(m, "kind", "kind"),
	}
	if md, ok := d.obj(m, "metadata", "metadata"); ok {
		e.Metadata = d.metadata(md)
	}
	if spec, ok := d.obj(m, "spec", "spec"); ok {
		e.Spec = spec
	}
	for i, it := range d.list(m, "relations", "relations") {
		path := fmt.Sprintf("relations[%d]", i)
		if r, ok := d.obj(map[string]any{"r": it}, "r", path); ok {
			e.Relations = append(e.Relations, Relation{
				Type:      d.str(r, "type", path+".type"),
				TargetRef: d.str(r, "targetRef", path+".targetRef"),
			})
		}
	}
	return e, errors.Join(d.errs...)
}

type decoder struct{ errs []error }

func (d *decoder) fail(field, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) str(m map[string]any, key, path string) string {
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		d.fail(path, "must be a string, got %s", describe(v))
	}
	return s
}

func (d *decoder) obj(m map[string]any, key, path string) (map[string]any, bool) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, false
	}
	o, ok := v.(map[string]any)
	if !ok {
		d.fail(path, "must be a mapping, got %s", describe(v))
	}
	return o, ok
}

func (d *decoder) list(m map[string]any, key, path string) []any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		d.fail(path, "must be a list, got %s", describe(v))
	}
	return l
}

func (d *decoder) strMap(m map[string]any, key, path string) map[string]string {
	o, _ := d.obj(m, key, path)
	if len(o) == 0 {
		return nil
	}
	out := make(map[string]string, len(o))
	for _, k := range slices.Sorted(maps.Keys(o)) {
		out[k] = d.str(o, k, fmt.Sprintf("%s[%q]", path, k))
	}
	return out
}

func (d *decoder) metadata(m map[string]any) Metadata {
	md := Metadata{
		Name:        d.str(m, "name", "metadata.name"),
		Namespace:   d.str(m, "namespace", "metadata.namespace"),
		Title:       d.str(m, "title", "metadata.title"),
		Description: d.str(m, "description", "metadata.description"),
		UID:         d.str(m, "uid", "metadata.uid"),
		Labels:      d.strMap(m, "labels", "metadata.labels"),
		Annotations: d.strMap(m, "annotations", "metadata.annotations"),
	}
	for i, it := range d.list(m, "tags", "metadata.tags") {
		md.Tags = append(md.Tags, d.str(map[string]any{"t": it}, "t", fmt.Sprintf("metadata.tags[%d]", i)))
	}
	for i, it := range d.list(m, "links", "metadata.links") {
		path := fmt.Sprintf("metadata.links[%d]", i)
		if l, ok := d.obj(map[string]any{"l": it}, "l", path); ok {
			md.Links = append(md.Links, Link{
				URL:   d.str(l, "url", path+".url"),
				Title: d.str(l, "title", path+".title"),
				Icon:  d.str(l, "icon", path+".icon"),
				Type:  d.str(l, "type", path+".type"),
			})
		}
	}
	return md
}

// normalise turns decoder output into JSON-like values: string-keyed maps, []any,
// and strings for YAML timestamps (which YAML 1.2, as Backstage parses it, keeps as strings).
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			out[k] = normalise(v)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			out[fmt.Sprint(normalise(k))] = normalise(v)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = normalise(v)
		}
		return out
	case time.Time:
		if x.Equal(x.Truncate(24*time.Hour)) && x.Location() == time.UTC {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	}
	return v
}

// describe names the type of a decoded value in user terms.
func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any, map[any]any:
		return "a mapping"
	case []any:
		return "a list"
	case int, int64, uint64, float64, float32, int32, uint, uint32:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}
