package sanitize

import (
	"reflect"
	"strings"
	"sync"
)

// Caps per kind of field, in characters: what Record keeps of an upstream string.
const (
	NameMax  = 160  // names, titles, people, teams (Short)
	NoteMax  = 200  // notes, comments, errors
	TextMax  = 1000 // descriptions, backout plans
	QueryMax = 4096 // SLI queries, label and annotation values, matchers
	URLMax   = 2048 // links
)

// field is how Record treats one string field: its cap, whether markdown is neutralised
// (not in queries and matchers, whose text is evaluated as it stands), and whether it is a
// link (kept only when http or https, with the characters markdown reads percent-encoded).
type field struct {
	max    int
	inline bool
	url    bool
}

// fieldKind picks the treatment of a field by its name.
func fieldKind(name string) field {
	switch {
	case strings.HasSuffix(name, "URL") || name == "Link" || name == "Href":
		return field{max: URLMax, url: true}
	case name == "SLI" || name == "Query" || name == "Expr" || name == "Value" || name == "Matchers" || name == "Selector":
		return field{max: QueryMax}
	case strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "IDs") || name == "Labels" || name == "Annotations" ||
		name == "DedupKey" || name == "Fingerprint":
		return field{max: QueryMax, inline: true}
	case name == "Description" || name == "BackoutPlan" || name == "Details" || name == "Body":
		return field{max: TextMax, inline: true}
	case name == "Note" || name == "Comment" || name == "Error" || name == "Reason":
		return field{max: NoteMax, inline: true}
	}
	return field{max: NameMax, inline: true}
}

// Record cleans every string in v once, where upstream records enter opsctx: each string
// field, slice element and map key or value of v's structs (exported fields, any depth) is
// passed through Text with its field's cap (names and titles NameMax, notes NoteMax,
// descriptions TextMax, queries, ids and labels QueryMax, links URLMax), links through Link,
// and everything else but queries and matchers through Inline. v is not modified: what changes is copied (slices, maps, structs
// behind pointers), so a connector's own data stays as it was; clean records come back as
// they are, without a copy.
func Record[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	if out, changed := cleanValue(rv, field{max: NameMax, inline: true}); changed {
		rv.Set(out)
	}
	return v
}

// cleanValue returns v cleaned, and whether anything changed (when not, out is v itself).
func cleanValue(v reflect.Value, f field) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.String:
		return cleanString(v, f)
	case reflect.Slice, reflect.Array:
		return cleanList(v, f)
	case reflect.Map:
		return cleanMap(v, f)
	case reflect.Pointer:
		if v.IsNil() {
			return v, false
		}
		if e, changed := cleanValue(v.Elem(), f); changed {
			out := reflect.New(v.Type().Elem())
			out.Elem().Set(e)
			return out, true
		}
	case reflect.Struct:
		return cleanStruct(v)
	}
	return v, false
}

func cleanString(v reflect.Value, f field) (reflect.Value, bool) {
	s := v.String()
	if plain(s, f) {
		return v, false
	}
	c := Text(s, f.max)
	switch {
	case f.url:
		c = Link(c)
	case f.inline:
		c = Inline(c)
	}
	if c == s {
		return v, false
	}
	out := reflect.New(v.Type()).Elem()
	out.SetString(c)
	return out, true
}

// cleanList cleans a slice or an array, copying it at the first element that changes.
func cleanList(v reflect.Value, f field) (reflect.Value, bool) {
	var out reflect.Value
	clean := func(e reflect.Value) (reflect.Value, bool) { return cleanValue(e, f) }
	if et := v.Type().Elem(); et.Kind() == reflect.Struct { // one plan for every element
		p := planOf(et)
		clean = func(e reflect.Value) (reflect.Value, bool) { return cleanFields(e, p) }
	}
	for i := range v.Len() {
		e, changed := clean(v.Index(i))
		if !changed {
			continue
		}
		if !out.IsValid() {
			if v.Kind() == reflect.Slice {
				out = reflect.MakeSlice(v.Type(), v.Len(), v.Len())
				reflect.Copy(out, v)
			} else {
				out = reflect.New(v.Type()).Elem()
				out.Set(v)
			}
		}
		out.Index(i).Set(e)
	}
	return made(out, v)
}

// cleanMap cleans keys and values, copying the map at the first entry that changes.
func cleanMap(v reflect.Value, f field) (reflect.Value, bool) {
	if v.IsNil() || !hasStrings(v.Type()) {
		return v, false
	}
	var out reflect.Value
	for iter := v.MapRange(); iter.Next(); {
		k, kc := cleanValue(iter.Key(), f)
		e, ec := cleanValue(iter.Value(), f)
		if !kc && !ec {
			continue
		}
		if !out.IsValid() {
			out = reflect.MakeMapWithSize(v.Type(), v.Len())
			for it := v.MapRange(); it.Next(); {
				out.SetMapIndex(it.Key(), it.Value())
			}
		}
		out.SetMapIndex(iter.Key(), reflect.Value{})
		out.SetMapIndex(k, e)
	}
	return made(out, v)
}

// cleanStruct cleans the fields in v's plan, each by its kind, copying v at the first change.
func cleanStruct(v reflect.Value) (reflect.Value, bool) { return cleanFields(v, planOf(v.Type())) }

func cleanFields(v reflect.Value, p []planField) (reflect.Value, bool) {
	var out reflect.Value
	for _, pf := range p {
		e, changed := cleanValue(v.Field(pf.index), pf.field)
		if !changed {
			continue
		}
		if !out.IsValid() {
			out = reflect.New(v.Type()).Elem()
			out.Set(v)
		}
		out.Field(pf.index).Set(e)
	}
	return made(out, v)
}

// made is (out, true) when out was made, else (v, false).
func made(out, v reflect.Value) (reflect.Value, bool) {
	if out.IsValid() {
		return out, true
	}
	return v, false
}

// planField is one exported field of a struct that holds strings somewhere.
type planField struct {
	index int
	field
}

var plans sync.Map // reflect.Type -> []planField

// planOf lists the fields of struct type t that Record must look into.
func planOf(t reflect.Type) []planField {
	if p, ok := plans.Load(t); ok {
		return p.([]planField)
	}
	var p []planField
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || !hasStrings(sf.Type) {
			continue
		}
		p = append(p, planField{index: i, field: fieldKind(sf.Name)})
	}
	plans.Store(t, p)
	return p
}

var stringy sync.Map // reflect.Type -> bool

// hasStrings reports whether a value of type t can hold a string Record cleans (time.Time
// and other structs of only unexported fields or numbers cannot).
func hasStrings(t reflect.Type) bool {
	if b, ok := stringy.Load(t); ok {
		return b.(bool)
	}
	stringy.Store(t, false) // a recursive type holds strings only through its other fields
	var b bool
	switch t.Kind() {
	case reflect.String:
		b = true
	case reflect.Slice, reflect.Array, reflect.Pointer:
		b = hasStrings(t.Elem())
	case reflect.Map:
		b = hasStrings(t.Key()) || hasStrings(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if sf := t.Field(i); sf.IsExported() && hasStrings(sf.Type) {
				b = true
				break
			}
		}
	}
	stringy.Store(t, b)
	return b
}

// special marks the bytes plain must look closer at: controls and non-ASCII (Text) and the
// markdown Inline changes anywhere.
var special = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c < ' ' || c > '~' || strings.IndexByte("<]!`", byte(c)) >= 0
	}
	return t
}()

// plain reports, in one pass, a string that Text, Inline and Link leave as it is: printable
// ASCII within the cap, single inner spaces, no block marker at its start and none of the
// characters they change. Most upstream strings are.
func plain(s string, f field) bool {
	if s == "" {
		return true
	}
	if len(s) > f.max || s[0] == ' ' || s[len(s)-1] == ' ' || f.url || f.inline && blockStart(s) {
		return false // links are checked for their scheme by Link
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if special[c] || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}
