package catalogmodel

import (
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr []string
		check   func(t *testing.T, e Entity)
	}{
		{name: "full", doc: `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  namespace: shop
  title: Checkout
  description: Takes orders
  uid: 123e
  labels: {tier: "1"}
  annotations: {pagerduty.com/service-id: PCHKOUT, since: 2024-01-02}
  tags: [java]
  links: [{url: "https://x", title: X, icon: doc, type: runbook}]
spec:
  type: service
  nested: {1: one}
relations: [{type: dependsOn, targetRef: "component:shop/cart"}]
`, check: func(t *testing.T, e Entity) {
			want := Entity{
				APIVersion: "backstage.io/v1alpha1", Kind: "Component",
				Metadata: Metadata{
					Name: "checkout", Namespace: "shop", Title: "Checkout", Description: "Takes orders", UID: "123e",
					Labels:      map[string]string{"tier": "1"},
					Annotations: map[string]string{"pagerduty.com/service-id": "PCHKOUT", "since": "2024-01-02"},
					Tags:        []string{"java"},
					Links:       []Link{{URL: "https://x", Title: "X", Icon: "doc", Type: "runbook"}},
				},
				Spec:      map[string]any{"type": "service", "nested": map[string]any{"1": "one"}},
				Relations: []Relation{{Type: "dependsOn", TargetRef: "component:shop/cart"}},
			}
			if !reflect.DeepEqual(e, want) {
				t.Errorf("Decode =\n%#v\nwant\n%#v", e, want)
			}
		}},
		{name: "wrong types", doc: `
apiVersion: 1
kind: [Component]
metadata:
  name: {a: b}
  annotations: {pagerduty.com/service-id: 42}
  tags: java
  links: [https://x]
spec: service
relations: [{type: dependsOn, targetRef: 7}]
`, wantErr: []string{
			"apiVersion: must be a string, got a number",
			"kind: must be a string, got a list",
			"metadata.name: must be a string, got a mapping",
			`metadata.annotations["pagerduty.com/service-id"]: must be a string, got a number`,
			"metadata.tags: must be a list, got a string",
			"metadata.links[0]: must be a mapping, got a string",
			"spec: must be a mapping, got a string",
			"relations[0].targetRef: must be a string, got a number",
		}},
		{name: "metadata not a mapping", doc: "kind: Component\nmetadata: checkout\n", wantErr: []string{"metadata: must be a mapping, got a string"}},
		{name: "not a mapping", doc: "[a, b]", wantErr: []string{"document is a list, want a mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := yaml.Unmarshal([]byte(tt.doc), &v); err != nil {
				t.Fatal(err)
			}
			e, err := Decode(v)
			got := fieldErrors(err)
			if len(got) != len(tt.wantErr) {
				t.Fatalf("Decode errors = %q, want %q", got, tt.wantErr)
			}
			for i, w := range tt.wantErr {
				if !strings.Contains(got[i], w) {
					t.Errorf("error %d = %q, want %q", i, got[i], w)
				}
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}
