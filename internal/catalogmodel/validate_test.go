package catalogmodel

import (
	"errors"
	"strings"
	"testing"
)

const validComponent = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  links: [{url: "https://runbooks.example/checkout", title: Runbook}]
spec:
  type: service
  lifecycle: production
  owner: team-checkout
  system: shop
  dependsOn: [component:payments, resource:orders-db]
  consumesApis: [payments-api]
`

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // field errors "field: msg" (substring match), in order; none = valid
	}{
		{"component ok", validComponent, nil},
		{"component missing owner", `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production}`, []string{"spec.owner: required"}},
		{"component missing everything in spec", `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {}`, []string{"spec.type: required", "spec.lifecycle: required", "spec.owner: required"}},
		{"component no spec", `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}`, []string{"spec: required"}},
		{"missing apiVersion and kind", `
metadata: {name: checkout}`, []string{"apiVersion: required", "kind: required"}},
		{"missing name", `
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {title: Shop}
spec: {owner: team-platform}`, []string{"metadata.name: required"}},
		{"bad name", `
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: "-shop"}
spec: {owner: team-platform}`, []string{`metadata.name: "-shop" is not a valid name`}},
		{"name too long", `
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: ` + strings.Repeat("a", 64) + `}
spec: {owner: team-platform}`, []string{"metadata.name: \"" + strings.Repeat("a", 64) + "\" is longer than 63"}},
		{"name 63 ok", `
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: ` + strings.Repeat("a", 63) + `}
spec: {owner: team-platform}`, nil},
		{"bad namespace", `
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop, namespace: Ops_1}
spec: {owner: team-platform}`, []string{"metadata.namespace: "}},
		{"bad kind", `
apiVersion: backstage.io/v1alpha1
kind: "my kind"
metadata: {name: shop}`, []string{`kind: "my kind" is not a valid kind`}},
		{"custom kind envelope only", `
apiVersion: example.com/v1
kind: Template
metadata: {name: shop}`, nil},
		{"builtin kind wrong apiVersion", `
apiVersion: example.com/v1
kind: System
metadata: {name: shop}
spec: {owner: team-platform}`, []string{`apiVersion: "example.com/v1" is not valid for kind System`}},
		{"dependsOn not a list", `
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: orders-db}
spec: {type: database, owner: team-platform, dependsOn: component:payments}`, []string{"spec.dependsOn: must be a list of strings, got a string"}},
		{"providesApis item not a string", `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments}
spec: {type: service, lifecycle: production, owner: team-payments, providesApis: [payments-api, {x: 1}]}`, []string{"spec.providesApis[1]: must be a string, got a mapping"}},
		{"consumesApis invalid ref", `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments}
spec: {type: service, lifecycle: production, owner: team-payments, consumesApis: ["api:"]}`, []string{`spec.consumesApis[0]: invalid entity ref "api:"`}},
		{"owner not a string", `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments}
spec: {type: service, lifecycle: production, owner: [a, b]}`, []string{"spec.owner: must be a string, got a list"}},
		{"api needs definition", `
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-api}
spec: {type: openapi, lifecycle: production, owner: team-payments}`, []string{"spec.definition: required"}},
		{"resource needs type", `
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: orders-db}
spec: {owner: team-platform}`, []string{"spec.type: required"}},
		{"group empty children ok", `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}`, nil},
		{"group missing children", `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team}`, []string{"spec.children: required"}},
		{"group children not a list", `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: team-b}`, []string{"spec.children: must be a list"}},
		{"group profile email not string", `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: [], profile: {email: [x]}}`, []string{"spec.profile.email: must be a string"}},
		{"user without spec", `
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jdoe}`, nil},
		{"user memberOf not a list", `
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jdoe}
spec: {memberOf: team-a}`, []string{"spec.memberOf: must be a list"}},
		{"link without url", `
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop, links: [{title: Runbook}]}
spec: {owner: team-platform}`, []string{"metadata.links[0].url: required"}},
		{"location bad presence", `
apiVersion: backstage.io/v1alpha1
kind: Location
metadata: {name: shop}
spec: {targets: [./a.yaml], presence: maybe}`, []string{"spec.presence: "}},
		{"relation without targetRef", `
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop}
spec: {owner: team-platform}
relations: [{type: hasPart}]`, []string{"relations[0].targetRef: required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(decodeYAML(t, tt.doc))
			got := fieldErrors(err)
			if len(got) != len(tt.want) {
				t.Fatalf("Validate errors = %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("error %d = %q, want it to contain %q", i, got[i], w)
				}
			}
			if err != nil {
				var fe *FieldError
				if !errors.As(err, &fe) || fe.Field == "" {
					t.Errorf("errors.As(*FieldError) failed for %v", err)
				}
			}
		})
	}
}

// fieldErrors returns the messages of the errors joined in err.
func fieldErrors(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			out = append(out, e.Error())
		}
		return out
	}
	return []string{err.Error()}
}
