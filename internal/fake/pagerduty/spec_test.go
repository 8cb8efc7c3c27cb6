package pagerduty_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The fake's responses are validated against the response schemas of the official
// OpenAPI document (PagerDuty/api-schema reference/REST/openapiv3.json, file commit
// 2326e6b9f473). testdata/openapi-subset.json holds the operations below with every
// component they reference, unchanged; regenerate it with
//
//	go test ./internal/fake/pagerduty -run TestSpecSubset -pd-spec /path/to/openapiv3.json
var pdSpec = flag.String("pd-spec", "", "full PagerDuty OpenAPI file to regenerate testdata/openapi-subset.json from")

const subsetFile = "testdata/openapi-subset.json"

// specOps are the GET operations the fake serves.
var specOps = []string{
	"/abilities", "/services", "/services/{id}", "/services/{id}/change_events",
	"/incidents", "/incidents/{id}", "/incidents/{id}/alerts", "/incidents/{id}/related_change_events",
	"/oncalls", "/escalation_policies", "/escalation_policies/{id}", "/change_events",
	"/service_dependencies/technical_services/{id}",
}

func TestSpecSubset(t *testing.T) {
	if *pdSpec == "" {
		t.Skip("no -pd-spec given; using the checked-in subset")
	}
	b, err := os.ReadFile(*pdSpec)
	if err != nil {
		t.Fatal(err)
	}
	var full map[string]any
	if err := json.Unmarshal(b, &full); err != nil {
		t.Fatal(err)
	}
	paths := full["paths"].(map[string]any)
	comps := full["components"].(map[string]any)
	sub := map[string]any{
		"openapi":    full["openapi"],
		"info":       map[string]any{"title": "PagerDuty REST API v2 (subset for opsctx fake validation)", "source": "PagerDuty/api-schema reference/REST/openapiv3.json"},
		"paths":      map[string]any{},
		"components": map[string]any{},
	}
	ref := regexp.MustCompile(`^#/components/([^/]+)/([^/]+)`)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				if m := ref.FindStringSubmatch(r); m != nil {
					kind, name := m[1], strings.ReplaceAll(strings.ReplaceAll(m[2], "~1", "/"), "~0", "~")
					dst, _ := sub["components"].(map[string]any)[kind].(map[string]any)
					if dst == nil {
						dst = map[string]any{}
						sub["components"].(map[string]any)[kind] = dst
					}
					if _, done := dst[name]; !done {
						dst[name] = comps[kind].(map[string]any)[name]
						walk(dst[name])
					}
				}
			}
			for k, e := range x {
				if k != "examples" {
					walk(e)
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	for _, p := range specOps {
		get := paths[p].(map[string]any)["get"].(map[string]any)
		resp := get["responses"].(map[string]any)
		for _, r := range resp {
			if c, ok := r.(map[string]any)["content"].(map[string]any); ok {
				for _, mt := range c {
					delete(mt.(map[string]any), "examples")
				}
			}
		}
		sub["paths"].(map[string]any)[p] = map[string]any{"get": map[string]any{"operationId": get["operationId"], "responses": resp}}
		walk(resp)
	}
	out, err := json.MarshalIndent(sub, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(subsetFile, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// openAPI30ToDraft4 rewrites OpenAPI 3.0 `nullable: true` as a JSON Schema type union.
func openAPI30ToDraft4(v any) {
	switch x := v.(type) {
	case map[string]any:
		if n, _ := x["nullable"].(bool); n {
			if typ, ok := x["type"].(string); ok {
				x["type"] = []any{typ, "null"}
			}
		}
		for _, e := range x {
			openAPI30ToDraft4(e)
		}
	case []any:
		for _, e := range x {
			openAPI30ToDraft4(e)
		}
	}
}

// responseSchemas compiles the response schema of each operation for the given status.
func responseSchemas(t *testing.T, status string) map[string]*jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(subsetFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	openAPI30ToDraft4(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	const base = "https://api.pagerduty.com/openapi.json"
	if err := c.AddResource(base, doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	ptr := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1") }
	paths := doc.(map[string]any)["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for p := range paths {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		resp := paths[p].(map[string]any)["get"].(map[string]any)["responses"].(map[string]any)
		if _, ok := resp[status]; !ok {
			continue
		}
		loc := base + "#/paths/" + url.PathEscape(ptr(p)) + "/get/responses/" + status
		r := resp[status].(map[string]any)
		if _, isRef := r["$ref"]; !isRef {
			loc += "/content/application~1json/schema"
		} else {
			// A shared response: compile its schema through the reference.
			name := strings.TrimPrefix(r["$ref"].(string), "#/components/responses/")
			loc = base + "#/components/responses/" + name + "/content/application~1json/schema"
		}
		s, err := c.Compile(loc)
		if err != nil {
			t.Fatalf("compile %s %s: %v", p, status, err)
		}
		out[p] = s
	}
	return out
}
