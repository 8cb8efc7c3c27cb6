package catalogmodel

import (
	"fmt"
	"slices"
	"testing"

	"github.com/opsctx/opsctx/internal/model"
)

// TestToCatalogPlacements: Resources of a host type are hosts, not services, and
// spec.dependsOn on them says what runs where, as does the Kubernetes plugin's namespace
// annotation; a database Resource stays a service and a dependency.
func TestToCatalogPlacements(t *testing.T) {
	res := func(name, typ string, extra string) string {
		return fmt.Sprintf("apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: %s%s}\nspec: {type: %s, owner: team-platform}", name, extra, typ)
	}
	cat := ToCatalog(entities(t,
		comp("checkout", "dependsOn: [resource:app-prod-07, resource:orders-db]"),
		comp("cart", "dependsOn: [resource:app-prod-07]"),
		res("app-prod-07", "server", `, title: app-prod-07.shop.example`),
		res("prod-eu-1", "kubernetes-cluster", ""),
		res("orders-db", "database", ""),
		"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: search, annotations: {backstage.io/kubernetes-id: search, backstage.io/kubernetes-namespace: shop}}\nspec: {type: service, lifecycle: production, owner: team-a}",
	), "test")
	var hosts, runsOn, services []string
	for _, h := range cat.Hosts {
		hosts = append(hosts, fmt.Sprintf("%s %s %s fqdn=%s owner=%s", h.ID, h.Kind, h.Name, h.FQDN, h.Owner))
	}
	for _, r := range cat.RunsOn {
		runsOn = append(runsOn, r.From+" -> "+r.To+" via "+r.Via)
	}
	for _, s := range cat.Services {
		services = append(services, s.ID)
	}
	tests := []struct {
		name      string
		got, want []string
	}{
		{"hosts", hosts, []string{
			"resource:default/app-prod-07 host app-prod-07 fqdn=app-prod-07.shop.example owner=team-platform",
			"resource:default/prod-eu-1 cluster prod-eu-1 fqdn= owner=team-platform",
			"kubernetes-namespace:shop namespace shop fqdn= owner=",
		}},
		{"runs on", runsOn, []string{
			"component:default/cart -> resource:default/app-prod-07 via spec.dependsOn",
			"component:default/checkout -> resource:default/app-prod-07 via spec.dependsOn",
			"component:default/search -> kubernetes-namespace:shop via " + AnnotationKubernetesNamespace,
		}},
		{"a host is not a dependency", deps(cat), []string{"component:default/checkout -> resource:default/orders-db depends_on"}},
		{"a database is a service", services, []string{"component:default/cart", "component:default/checkout", "component:default/search", "resource:default/orders-db"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
	if k := cat.Hosts[0].Kind; k != model.HostKindHost {
		t.Errorf("kind %q", k)
	}
}
