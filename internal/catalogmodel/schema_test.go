package catalogmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	democatalog "github.com/opsctx/opsctx/internal/demo/catalog"
	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"
)

// The official catalog-model JSON Schemas (testdata/schema, copied from
// @backstage/catalog-model) cross-check Validate. Validate intentionally differs where
// the brief asks: User spec is optional, Component spec.dependencyOf is allowed, and
// name/namespace formats are checked (the schemas only require non-empty strings).

const schemaBase = "https://backstage.io/schema/"

func compileSchemas(t testing.TB) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	var ids []string
	err := filepath.WalkDir("testdata/schema", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return err
		}
		id := doc.(map[string]any)["$id"].(string)
		ids = append(ids, id)
		return c.AddResource(schemaBase+id, doc)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*jsonschema.Schema{}
	for _, id := range ids {
		s, err := c.Compile(schemaBase + id)
		if err != nil {
			t.Fatalf("compile %s: %v", id, err)
		}
		out[id] = s
	}
	return out
}

// schemaValidate validates a decoded document against its kind's schema (or Entity).
func schemaValidate(t testing.TB, schemas map[string]*jsonschema.Schema, doc any) error {
	t.Helper()
	b, err := json.Marshal(normalise(doc))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	kind, _ := inst.(map[string]any)["kind"].(string)
	for id, s := range schemas {
		if strings.EqualFold(id, kind+"V1alpha1") {
			return s.Validate(inst)
		}
	}
	return schemas["Entity"].Validate(inst)
}

func TestValidateAgreesWithSchemas(t *testing.T) {
	schemas := compileSchemas(t)
	tests := []struct {
		name  string
		doc   string
		valid bool
	}{
		{"component", validComponent, true},
		{"component without owner", strings.Replace(validComponent, "owner: team-checkout", "", 1), false},
		{"component dependsOn string", strings.Replace(validComponent, "dependsOn: [component:payments, resource:orders-db]", "dependsOn: component:payments", 1), false},
		{"link without url", strings.Replace(validComponent, `url: "https://runbooks.example/checkout", `, "", 1), false},
		{"no kind", strings.Replace(validComponent, "kind: Component", "", 1), false},
		{"no apiVersion", strings.Replace(validComponent, "apiVersion: backstage.io/v1alpha1", "", 1), false},
		{"api without definition", "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: a}\nspec: {type: openapi, lifecycle: production, owner: t}", false},
		{"api", "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: a}\nspec: {type: openapi, lifecycle: production, owner: t, definition: x}", true},
		{"group without children", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\nspec: {type: team}", false},
		{"group", "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\nspec: {type: team, children: [], members: [u]}", true},
		{"system without owner", "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: s}\nspec: {type: x}", false},
		{"resource", "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: r}\nspec: {type: database, owner: t, dependsOn: [resource:x]}", true},
		{"user", "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: u}\nspec: {memberOf: []}", true},
		{"location", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\nspec: {targets: [./a.yaml]}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if err := yaml.Unmarshal([]byte(tt.doc), &doc); err != nil {
				t.Fatal(err)
			}
			schemaErr := schemaValidate(t, schemas, doc)
			e, err := Decode(doc)
			if err == nil {
				err = Validate(e)
			}
			if (schemaErr == nil) != tt.valid || (err == nil) != tt.valid {
				t.Errorf("valid = %v, but schema says %v and Validate says %v", tt.valid, schemaErr, err)
			}
		})
	}
}

// TestDemoCatalogMatchesSchemas checks every demo document against the official schemas.
func TestDemoCatalogMatchesSchemas(t *testing.T) {
	schemas := compileSchemas(t)
	files, err := fs.Glob(democatalog.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("demo files: %v %v", files, err)
	}
	n := 0
	for _, name := range files {
		b, err := fs.ReadFile(democatalog.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for i := 1; ; i++ {
			var doc any
			if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if err := schemaValidate(t, schemas, doc); err != nil {
				t.Errorf("%s document %d: %v", name, i, err)
			}
			n++
		}
	}
	if n != 23 {
		t.Errorf("checked %d demo documents, want 23", n)
	}
}
