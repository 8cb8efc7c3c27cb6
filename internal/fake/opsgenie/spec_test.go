package opsgenie_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The fake's responses are validated against the official Swagger 2.0 document
// (opsgenie/opsgenie-oas swagger.json, regenerated 26f0eda93b31). testdata/swagger-subset.json
// holds the operations below with every definition and response they reference, unchanged;
// regenerate it with
//
//	go test ./internal/fake/opsgenie -run TestSpecSubset -og-spec /path/to/swagger.json
var ogSpec = flag.String("og-spec", "", "full Opsgenie swagger.json to regenerate testdata/swagger-subset.json from")

const subsetFile = "testdata/swagger-subset.json"

var specOps = []string{
	"/v2/alerts", "/v2/alerts/count", "/v2/alerts/{identifier}", "/v2/teams", "/v2/teams/{identifier}",
	"/v2/schedules", "/v2/schedules/{identifier}/on-calls", "/v2/escalations", "/v2/escalations/{identifier}", "/v2/users",
}

func TestSpecSubset(t *testing.T) {
	if *ogSpec == "" {
		t.Skip("no -og-spec given; using the checked-in subset")
	}
	b, err := os.ReadFile(*ogSpec)
	if err != nil {
		t.Fatal(err)
	}
	var full map[string]any
	if err := json.Unmarshal(b, &full); err != nil {
		t.Fatal(err)
	}
	sub := map[string]any{
		"swagger": full["swagger"], "host": full["host"],
		"info":  map[string]any{"title": "Opsgenie REST API v2 (subset for opsctx fake validation)", "source": "opsgenie/opsgenie-oas swagger.json"},
		"paths": map[string]any{},
	}
	ref := regexp.MustCompile(`^#/(definitions|responses|parameters)/([^/]+)`)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				if m := ref.FindStringSubmatch(r); m != nil {
					dst, _ := sub[m[1]].(map[string]any)
					if dst == nil {
						dst = map[string]any{}
						sub[m[1]] = dst
					}
					if _, done := dst[m[2]]; !done {
						dst[m[2]] = full[m[1]].(map[string]any)[m[2]]
						walk(dst[m[2]])
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	// Recipient and Participant subtypes are chosen by discriminator: keep them all.
	for name := range full["definitions"].(map[string]any) {
		if strings.HasSuffix(name, "Recipient") && !strings.HasPrefix(name, "ListAlert") {
			walk(map[string]any{"$ref": "#/definitions/" + name})
		}
	}
	for _, p := range specOps {
		get := full["paths"].(map[string]any)[p].(map[string]any)["get"].(map[string]any)
		sub["paths"].(map[string]any)[p] = map[string]any{"get": map[string]any{"operationId": get["operationId"], "responses": get["responses"]}}
		walk(get["responses"])
	}
	out, err := json.MarshalIndent(sub, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(subsetFile, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// nullableToUnion rewrites the `nullable: true` extension as a JSON Schema type union.
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

// schemas compiles the response schema of each operation for a status, and named definitions.
func schemas(t *testing.T, status string, defs ...string) map[string]*jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(subsetFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	nullableToUnion(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	const base = "https://api.opsgenie.com/swagger.json"
	if err := c.AddResource(base, doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	ptr := func(s string) string { return strings.ReplaceAll(s, "/", "~1") }
	for p, item := range doc.(map[string]any)["paths"].(map[string]any) {
		r, ok := item.(map[string]any)["get"].(map[string]any)["responses"].(map[string]any)[status].(map[string]any)
		if !ok {
			continue
		}
		loc := base + "#/paths/" + url.PathEscape(ptr(p)) + "/get/responses/" + status + "/schema"
		if ref, isRef := r["$ref"].(string); isRef {
			loc = base + ref + "/schema"
		}
		s, err := c.Compile(loc)
		if err != nil {
			t.Fatalf("compile %s %s: %v", p, status, err)
		}
		out[p] = s
	}
	for _, d := range defs {
		s, err := c.Compile(base + "#/definitions/" + d)
		if err != nil {
			t.Fatalf("compile %s: %v", d, err)
		}
		out[d] = s
	}
	return out
}
