package directory

import (
	"slices"
	"testing"

	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/model"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"checkout":          "checkout",
		"Checkout Service":  "checkout",
		"checkout-api":      "checkout",
		"CHECKOUT_SVC":      "checkout",
		"checkout-prod":     "checkout",
		"orders-db-prod":    "orders-db",
		"api":               "api",
		"  Payments  API  ": "payments",
		"":                  "",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuildResolvesIdentities(t *testing.T) {
	cat := model.Catalog{Services: []model.Service{
		{ID: "component:default/checkout", Name: "checkout", Owner: "team-checkout",
			Refs: catalogmodel.Refs(map[string]string{"pagerduty.com/service-id": "PX1", "servicenow.com/ci-name": "Checkout Prod"})},
		{ID: "component:default/cart", Name: "cart", Owner: "team-storefront"},
		{ID: "component:default/cart-api", Name: "cart-api", Owner: "team-storefront"},
	}}
	pd := model.Catalog{Services: []model.Service{
		{ID: "PX1", Name: "Web Checkout", Owner: "Checkout Squad"}, // annotation
		{ID: "PX2", Name: "Cart Service"},                          // normalised name: ambiguous (cart, cart-api)
		{ID: "PX3", Name: "shop-frontend"},                         // configured alias
	}}
	sn := model.Catalog{Services: []model.Service{
		{ID: "a1b2", Name: "Checkout Prod", Owner: "Checkout Support"}, // annotation by name
		{ID: "c3d4", Name: "Billing", Tags: []string{"service:cart"}},  // tag
	}}
	cfgAliases := map[string][]string{"cart": {"shop-frontend"}}
	d := Build([]SourceCatalog{{"catalogfile", cat}, {"pagerduty", pd}, {"servicenow", sn}}, cfgAliases)

	tests := []struct {
		source, id, entity, method string
	}{
		{"pagerduty", "PX1", "checkout", "annotation pagerduty.com/service-id"},
		{"servicenow", "a1b2", "checkout", "annotation servicenow.com/ci-name"},
		{"pagerduty", "PX3", "cart", "configured alias"},
		{"servicenow", "c3d4", "cart", "tag service:cart"},
	}
	for _, tt := range tests {
		e := d.EntityForRecord(tt.source, tt.id)
		if e == nil || e.Name != tt.entity {
			t.Errorf("%s %s resolved to %v, want %s", tt.source, tt.id, e, tt.entity)
			continue
		}
		found := false
		for _, m := range e.Matches {
			if m.ID == tt.id && m.Method == tt.method {
				found = true
			}
		}
		if !found {
			t.Errorf("%s %s: matches %+v, want method %q", tt.source, tt.id, e.Matches, tt.method)
		}
	}
	if len(d.Ambiguities) != 1 || d.Ambiguities[0].Record != "Cart Service" || len(d.Ambiguities[0].Candidates) != 2 {
		t.Errorf("ambiguities = %+v, want Cart Service between cart and cart-api", d.Ambiguities)
	}
	if e := d.Entity("checkout"); len(e.Owners()) != 3 {
		t.Errorf("owners from three sources should be kept side by side: %+v", e.Owners())
	}
	for q, want := range map[string]string{"Web Checkout": "checkout", "PX1": "checkout", "checkout service": "checkout", "shop-frontend": "cart"} {
		c := d.Lookup(q)
		if len(c) != 1 || !c[0].Exact || c[0].Entity.Name != want {
			t.Errorf("Lookup(%q) = %+v, want %s", q, c, want)
		}
	}
	c := d.Lookup("crat")
	var names []string
	for _, x := range c {
		if x.Exact {
			t.Errorf("Lookup(crat) returned an exact match %+v", x)
		}
		names = append(names, x.Entity.Name)
	}
	if !slices.Contains(names, "cart") || slices.Contains(names, "checkout") {
		t.Errorf("Lookup(crat) suggestions = %v, want cart and not checkout", names)
	}
}
