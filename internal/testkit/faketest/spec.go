// Package faketest holds what the fakes' tests share: reading a vendor's spec document
// (an OpenAPI or Swagger file, or a file of definitions), compiling its schemas with
// santhosh-tekuri/jsonschema, validating responses against them, regenerating a spec subset,
// and sending a request. Only tests import it.
package faketest

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Options says how LoadSpec reads a document.
type Options struct {
	// Draft4 reads the schemas as Swagger 2.0 and OpenAPI 3.0 define them: JSON Schema
	// draft 4, with `nullable: true` meaning the type or null. Without it the library's
	// default draft applies and nullable is left alone.
	Draft4 bool
	// Edit, if set, changes the decoded document before it is compiled, such as to relax
	// a constraint the vendor's own servers do not meet.
	Edit func(doc map[string]any)
}

// Spec is a spec document ready to compile schemas from. It is not safe for concurrent use.
type Spec struct {
	doc  map[string]any
	base string
	c    *jsonschema.Compiler
}

// LoadSpec reads the JSON document in file; an error ends the test.
func LoadSpec(t testing.TB, file string, o Options) *Spec {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is not a JSON object", file)
	}
	c := jsonschema.NewCompiler()
	if o.Draft4 {
		nullableToUnion(doc)
		c.DefaultDraft(jsonschema.Draft4)
	}
	if o.Edit != nil {
		o.Edit(doc)
	}
	s := &Spec{doc: doc, base: "file:///" + filepath.ToSlash(file), c: c}
	if err := c.AddResource(s.base, doc); err != nil {
		t.Fatal(err)
	}
	return s
}

// nullableToUnion rewrites each `nullable: true` beside a single type as a union with "null".
func nullableToUnion(v any) {
	switch x := v.(type) {
	case map[string]any:
		if n, _ := x["nullable"].(bool); n {
			if typ, ok := x["type"].(string); ok {
				x["type"] = []any{typ, "null"}
			}
		}
		for _, e := range x {
			nullableToUnion(e)
		}
	case []any:
		for _, e := range x {
			nullableToUnion(e)
		}
	}
}

// Schema compiles the named schema: one of components/schemas in an OpenAPI 3 document,
// else one of definitions. An unknown name ends the test.
func (s *Spec) Schema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	if _, ok := s.doc["components"]; ok {
		return s.compile(t, "#/components/schemas/"+pointerEscape(name))
	}
	return s.compile(t, "#/definitions/"+pointerEscape(name))
}

// Response compiles the schema of the GET operation's response for status, such as "200",
// following the response's $ref if it is a shared one; in an OpenAPI 3 document that is the
// application/json content's schema. An operation without that response ends the test.
func (s *Spec) Response(t testing.TB, path, status string) *jsonschema.Schema {
	t.Helper()
	resp, ok := lookup(s.doc, "paths", path, "get", "responses", status).(map[string]any)
	if !ok {
		t.Fatalf("the spec has no %s response for GET %s", status, path)
	}
	loc := "#/paths/" + url.PathEscape(pointerEscape(path)) + "/get/responses/" + status
	if ref, isRef := resp["$ref"].(string); isRef {
		loc = ref
	}
	if _, openAPI3 := s.doc["openapi"]; openAPI3 {
		return s.compile(t, loc+"/content/application~1json/schema")
	}
	return s.compile(t, loc+"/schema")
}

func (s *Spec) compile(t testing.TB, ptr string) *jsonschema.Schema {
	t.Helper()
	sch, err := s.c.Compile(s.base + ptr)
	if err != nil {
		t.Fatalf("compile %s: %v", ptr, err)
	}
	return sch
}

// Validate checks that body is JSON that follows schema s: a body that is not JSON ends the
// test, one that does not follow s fails it.
func Validate(t testing.TB, s *jsonschema.Schema, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("response is not JSON: %v\n%.600s", err, body)
	}
	check(t, s, v, string(body))
}

// ValidateValue checks that the decoded JSON value v follows schema s, failing the test if not.
func ValidateValue(t testing.TB, s *jsonschema.Schema, v any) {
	t.Helper()
	check(t, s, v, v)
}

func check(t testing.TB, s *jsonschema.Schema, v, shown any) {
	t.Helper()
	if s == nil {
		t.Fatal("no schema")
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("does not follow the spec: %v\n%.600v", err, shown)
	}
}

// lookup returns the value at keys inside nested objects, or nil.
func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
