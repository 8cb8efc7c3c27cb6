package catalogfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/catalogmodel"
)

const (
	checkoutDoc = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
spec:
  type: service
  lifecycle: production
  owner: team-checkout
  dependsOn: [component:cart]
`
	cartDoc = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cart
spec:
  type: service
  lifecycle: production
  owner: team-storefront
`
	teamDoc = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-checkout
spec:
  type: team
  children: []
`
)

func names(es []catalogmodel.Entity) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Ref().String())
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"single", checkoutDoc, []string{"component:default/checkout"}},
		{"multi-document with empty and comment-only documents", "---\n" + checkoutDoc + "---\n---\n# nothing here\n---\n" + cartDoc + "...\n---\n" + teamDoc,
			[]string{"component:default/checkout", "component:default/cart", "group:default/team-checkout"}},
		{"empty file", "", nil},
		{"only comments", "# a catalog\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := Parse("shop.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := names(es); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("entities = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		want      []string // error lines, exactly
		wantValid int
	}{
		{"missing owner", cartDoc + "---\n" + strings.Replace(checkoutDoc, "  owner: team-checkout\n", "", 1),
			[]string{`catalog/shop.yaml: document 2 (Component "checkout"): spec.owner: required`}, 1},
		{"bad name", strings.Replace(checkoutDoc, "name: checkout", "name: check out!", 1),
			[]string{`catalog/shop.yaml: document 1 (Component "check out!"): metadata.name: "check out!" is not a valid name (letters, digits, '-', '_' and '.', starting and ending with a letter or digit)`}, 0},
		{"missing kind", cartDoc + "---\n" + strings.Replace(checkoutDoc, "kind: Component\n", "", 1),
			[]string{`catalog/shop.yaml: document 2 ("checkout"): kind: required`}, 1},
		{"dependsOn not a list", strings.Replace(checkoutDoc, "dependsOn: [component:cart]", "dependsOn: component:cart", 1),
			[]string{`catalog/shop.yaml: document 1 (Component "checkout"): spec.dependsOn: must be a list of strings, got a string`}, 0},
		{"yaml syntax error names the line", cartDoc + "---\n" + teamDoc + "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n   bad: indentation\n",
			[]string{`catalog/shop.yaml: document 3: yaml: line 22: mapping values are not allowed in this context`}, 2},
		{"every invalid document and field is reported", cartDoc + "---\nkind: Component\nmetadata: {name: a}\nspec: {type: service}\n---\n" + teamDoc + "---\n- a list\n",
			[]string{
				`catalog/shop.yaml: document 2 (Component "a"): apiVersion: required`,
				`catalog/shop.yaml: document 2 (Component "a"): spec.lifecycle: required`,
				`catalog/shop.yaml: document 2 (Component "a"): spec.owner: required`,
				`catalog/shop.yaml: document 4: document is a list, want a mapping`,
			}, 2},
		{"wrong field type", strings.Replace(checkoutDoc, "  name: checkout\n", "  name: checkout\n  tags: java\n", 1),
			[]string{`catalog/shop.yaml: document 1 (Component "checkout"): metadata.tags: must be a list, got a string`}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := Parse("catalog/shop.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("error =\n%s\nwant\n%s", err, strings.Join(tt.want, "\n"))
			}
			if len(es) != tt.wantValid {
				t.Errorf("valid entities = %q, want %d", names(es), tt.wantValid)
			}
			var de *DocumentError
			if !errors.As(err, &de) || de.File != "catalog/shop.yaml" || de.Index == 0 {
				t.Errorf("errors.As(*DocumentError) = %+v", de)
			}
		})
	}
}

func TestParseTooManyDocuments(t *testing.T) {
	src := strings.Repeat("---\n", MaxDocuments+1)
	_, err := Parse("big.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "big.yaml: more than") {
		t.Fatalf("error = %v, want too many documents", err)
	}
}

func FuzzParseCatalogYAML(f *testing.F) {
	for _, s := range []string{
		checkoutDoc, checkoutDoc + "---\n" + teamDoc, "", "---\n---\n", "- a\n- b\n", "a: [", "kind: Location\nspec: {targets: 3}",
		"apiVersion: x\nkind: Component\nmetadata: {name: a, annotations: {b: 2024-01-01}, links: [{url: 1}]}\nspec: {1: 2, dependsOn: [{a: b}]}",
		"a: &x [*x]", "relations: [{type: dependsOn, targetRef: ':'}]\nmetadata: {name: a}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := Parse("fuzz.yaml", data)
		for _, e := range es {
			if verr := catalogmodel.Validate(e); verr != nil {
				t.Fatalf("Parse returned an invalid entity: %v", verr)
			}
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
		_ = catalogmodel.ToCatalog(es, SourceName)
	})
}
