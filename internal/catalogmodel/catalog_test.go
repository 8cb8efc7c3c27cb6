package catalogmodel

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/model"
)

// comp returns a Component document with the given extra spec lines (YAML flow values).
func comp(name string, spec ...string) string {
	return fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: %s}\nspec: {type: service, lifecycle: production, owner: team-a%s}",
		name, prefixEach(", ", spec))
}

func prefixEach(p string, ss []string) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(p + s)
	}
	return b.String()
}

func entities(t *testing.T, docs ...string) []Entity {
	t.Helper()
	var out []Entity
	for _, d := range docs {
		e := decodeYAML(t, d)
		if err := Validate(e); err != nil {
			t.Fatalf("test document invalid: %v\n%s", err, d)
		}
		out = append(out, e)
	}
	return out
}

func deps(c model.Catalog) []string {
	var out []string
	for _, d := range c.Dependencies {
		s := d.From + " -> " + d.To + " " + d.Kind
		if d.Contract != "" {
			s += " [" + d.Contract + "]"
		}
		if d.Source != "test" {
			s += " source=" + d.Source
		}
		out = append(out, s)
	}
	return out
}

func TestToCatalogService(t *testing.T) {
	es := entities(t, `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  title: Checkout
  description: Takes orders
  tags: [java, tier-1]
  links: [{url: "https://runbooks.example/checkout", title: Runbook, type: runbook, icon: docs}]
  annotations:
    pagerduty.com/service-id: PCHKOUT
    opsctx.io/aliases: " checkout-api, checkout-svc,,checkout-api "
    backstage.io/view-url: https://backstage.example/catalog/default/component/checkout
spec: {type: service, lifecycle: production, owner: "group:default/team-checkout", system: system:shop}`)
	got := ToCatalog(es, "test").Services
	want := []model.Service{{
		ID: "component:default/checkout", Name: "checkout", Title: "Checkout", Kind: "Component", Type: "service",
		Description: "Takes orders", Aliases: []string{"checkout-api", "checkout-svc"}, Owner: "team-checkout",
		System: "shop", Lifecycle: "production", Tags: []string{"java", "tier-1"},
		Links: []model.Link{{Title: "Runbook", URL: "https://runbooks.example/checkout", Type: "runbook"}},
		Annotations: map[string]string{
			"pagerduty.com/service-id": "PCHKOUT",
			"opsctx.io/aliases":        " checkout-api, checkout-svc,,checkout-api ",
			"backstage.io/view-url":    "https://backstage.example/catalog/default/component/checkout",
		},
		Refs:   []model.Ref{{In: "pagerduty", ID: "PCHKOUT", Via: "annotation pagerduty.com/service-id"}},
		Source: "test", URL: "https://backstage.example/catalog/default/component/checkout",
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("services =\n%+v\nwant\n%+v", got, want)
	}
}

func TestToCatalogOwner(t *testing.T) {
	tests := []struct{ owner, ns, want string }{
		{"team-checkout", "", "team-checkout"},
		{"group:default/team-checkout", "", "team-checkout"},
		{"group:team-checkout", "", "team-checkout"},
		{"user:jdoe", "", "jdoe"},
		{"Group:Default/Team-X", "", "Team-X"}, // as the source states it
		{"ops/team-x", "", "team-x"},
		{"team-y", "shop", "team-y"},
	}
	for _, tt := range tests {
		t.Run(tt.owner, func(t *testing.T) {
			ns := ""
			if tt.ns != "" {
				ns = ", namespace: " + tt.ns
			}
			e := entities(t, fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: db%s}\nspec: {type: database, owner: %q}", ns, tt.owner))
			got := ToCatalog(e, "test").Services[0].Owner
			if got != tt.want {
				t.Errorf("Owner for %q = %q, want %q", tt.owner, got, tt.want)
			}
		})
	}
}

func TestToCatalogDependencies(t *testing.T) {
	api := func(name, contract string) string {
		ann := ""
		if contract != "" {
			ann = fmt.Sprintf(", annotations: {opsctx.io/contract: %q}", contract)
		}
		return fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: %s%s}\nspec: {type: openapi, lifecycle: production, owner: team-a, definition: x}", name, ann)
	}
	tests := []struct {
		name string
		docs []string
		want []string
	}{
		{"dependsOn default kind component", []string{comp("checkout", "dependsOn: [cart, resource:orders-db, Component:Default/Payments]")}, []string{
			"component:default/checkout -> component:default/cart depends_on",
			"component:default/checkout -> component:default/payments depends_on",
			"component:default/checkout -> resource:default/orders-db depends_on",
		}},
		{"dependsOn relative to namespace", []string{strings.Replace(comp("checkout", "dependsOn: [cart, default/search]"), "name: checkout", "name: checkout, namespace: shop", 1)}, []string{
			"component:shop/checkout -> component:default/search depends_on",
			"component:shop/checkout -> component:shop/cart depends_on",
		}},
		{"dependencyOf reversed", []string{comp("cart", "dependencyOf: [checkout]")}, []string{
			"component:default/checkout -> component:default/cart depends_on",
		}},
		{"consumesApis to provider with contract", []string{
			comp("checkout", "consumesApis: [payments-api]"),
			comp("payments", "providesApis: [api:payments-api]"),
			comp("payments-eu", "providesApis: [payments-api]"),
			api("payments-api", "timeout 2s"),
		}, []string{
			"component:default/checkout -> component:default/payments api [timeout 2s]",
			"component:default/checkout -> component:default/payments-eu api [timeout 2s]",
		}},
		{"consumesApis without provider goes to the API", []string{comp("checkout", "consumesApis: [fx-api]"), api("fx-api", "")}, []string{
			"component:default/checkout -> api:default/fx-api api",
		}},
		{"dangling edges kept", []string{comp("checkout", "dependsOn: [ghost]", "consumesApis: [ghost-api]")}, []string{
			"component:default/checkout -> api:default/ghost-api api",
			"component:default/checkout -> component:default/ghost depends_on",
		}},
		{"relations from the REST API, deduplicated with spec", []string{
			comp("checkout", "dependsOn: [cart]") + `
relations:
  - {type: dependsOn, targetRef: "component:default/cart"}
  - {type: dependsOn, targetRef: "resource:default/orders-db"}
  - {type: dependencyOf, targetRef: "component:default/storefront"}
  - {type: consumesApi, targetRef: "api:default/payments-api"}
  - {type: ownedBy, targetRef: "group:default/team-a"}`,
			comp("payments") + "\nrelations: [{type: providesApi, targetRef: \"api:default/payments-api\"}]",
		}, []string{
			"component:default/checkout -> component:default/cart depends_on",
			"component:default/checkout -> component:default/payments api",
			"component:default/checkout -> resource:default/orders-db depends_on",
			"component:default/storefront -> component:default/checkout depends_on",
		}},
		{"self edges dropped", []string{comp("checkout", "dependsOn: [checkout]")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := deps(ToCatalog(entities(t, tt.docs...), "test"))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("dependencies =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestToCatalogTeams(t *testing.T) {
	es := entities(t, `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-checkout
  annotations: {opsctx.io/chat-channel: "#checkout-oncall"}
  links: [{url: "https://wiki.example/checkout", title: Wiki}]
spec:
  type: team
  parent: group:default/engineering
  children: []
  profile: {displayName: Checkout team, email: checkout@example.com}
  members: [user:sam, lena, ghost]`, `
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: sam}
spec:
  profile: {displayName: Sam Okafor, email: sam@example.com}
  memberOf: [team-checkout]`, `
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: lena}
spec: {memberOf: [group:default/team-checkout]}`, `
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alex}
spec: {memberOf: [team-checkout]}`, `
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: nobody}`)
	cat := ToCatalog(es, "test")
	wantTeams := []model.Team{{
		ID: "group:default/team-checkout", Name: "team-checkout", DisplayName: "Checkout team",
		Email: "checkout@example.com", Channel: "#checkout-oncall", Parent: "engineering",
		Members: []model.Person{
			{ID: "user:default/alex", Name: "alex"},
			{ID: "user:default/ghost", Name: "ghost"},
			{ID: "user:default/lena", Name: "lena"},
			{ID: "user:default/sam", Name: "Sam Okafor", Email: "sam@example.com"},
		},
		Links:  []model.Link{{Title: "Wiki", URL: "https://wiki.example/checkout"}},
		Source: "test",
	}}
	if !reflect.DeepEqual(cat.Teams, wantTeams) {
		t.Errorf("teams =\n%+v\nwant\n%+v", cat.Teams, wantTeams)
	}
	var people []string
	for _, p := range cat.People {
		people = append(people, p.ID+"="+p.Name)
	}
	wantPeople := []string{"user:default/alex=alex", "user:default/lena=lena", "user:default/nobody=nobody", "user:default/sam=Sam Okafor"}
	if !reflect.DeepEqual(people, wantPeople) {
		t.Errorf("people = %q, want %q", people, wantPeople)
	}
	if len(cat.Services) != 0 {
		t.Errorf("services = %+v, want none", cat.Services)
	}
}

func TestToCatalogDeterministic(t *testing.T) {
	docs := []string{
		comp("checkout", "dependsOn: [cart, payments, resource:db]", "consumesApis: [pay-api]"),
		comp("payments", "providesApis: [pay-api]", "dependsOn: [resource:db]"),
		comp("cart", "dependencyOf: [storefront]"),
		comp("storefront", "dependsOn: [checkout]"),
		"apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: db}\nspec: {type: database, owner: team-a}",
		"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: [], members: [u1, u2]}",
		"apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-b}\nspec: {type: team, children: []}",
		"apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: u2}\nspec: {memberOf: [team-a, team-b]}",
		"apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: loc}\nspec: {targets: [./x.yaml]}",
	}
	es := entities(t, docs...)
	want := ToCatalog(es, "test")
	if len(want.Services) != 5 || len(want.Teams) != 2 || len(want.People) != 1 || len(want.Dependencies) != 7 {
		t.Fatalf("unexpected catalog: %d services, %d teams, %d people, deps:\n%s",
			len(want.Services), len(want.Teams), len(want.People), strings.Join(deps(want), "\n"))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		shuffled := append([]Entity(nil), es...)
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if got := ToCatalog(shuffled, "test"); !reflect.DeepEqual(got, want) {
			t.Fatalf("permutation %d gave a different catalog:\n%+v\nwant\n%+v", i, got, want)
		}
	}
}

func TestToCatalogDuplicateRefKeepsFirst(t *testing.T) {
	es := entities(t, comp("checkout"), strings.Replace(comp("Checkout"), "team-a", "team-b", 1))
	got := ToCatalog(es, "test").Services
	if len(got) != 1 || got[0].Owner != "team-a" {
		t.Errorf("services = %+v, want only the first checkout", got)
	}
}
