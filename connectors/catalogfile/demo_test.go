package catalogfile

import (
	"context"
	"testing"

	democatalog "github.com/opsctx/opsctx/internal/demo/catalog"
	"github.com/opsctx/opsctx/internal/model"
)

func TestDemoCatalog(t *testing.T) {
	cat, err := New(Options{FS: democatalog.FS}).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Services) != 13 || len(cat.Teams) != 4 || len(cat.People) != 6 || len(cat.Dependencies) != 13 {
		t.Fatalf("demo catalog has %d services, %d teams, %d people, %d dependencies; want 13, 4, 6, 13",
			len(cat.Services), len(cat.Teams), len(cat.People), len(cat.Dependencies))
	}
	svc := map[string]model.Service{}
	for _, s := range cat.Services {
		svc[s.Name] = s
	}
	team := map[string]model.Team{}
	for _, tm := range cat.Teams {
		team[tm.Name] = tm
	}
	checkout := svc["checkout"]
	tests := []struct {
		name      string
		got, want any
	}{
		{"checkout id", checkout.ID, "component:default/checkout"},
		{"checkout owner", checkout.Owner, "team-checkout"},
		{"checkout aliases", len(checkout.Aliases) == 2 && checkout.Aliases[0] == "checkout-api" && checkout.Aliases[1] == "checkout-svc", true},
		{"checkout runbook", len(checkout.Links) > 0 && checkout.Links[0] == model.Link{Title: "Checkout runbook", URL: "https://runbooks.shop.example/checkout", Type: "runbook"}, true},
		{"checkout pagerduty", checkout.Annotations["pagerduty.com/service-id"], "PCHKOUT"},
		{"checkout servicenow", checkout.Annotations["servicenow.com/ci-name"], "Checkout Service"},
		{"checkout system", checkout.System, "shop"},
		{"storefront type", svc["storefront"].Type, "website"},
		{"orders-db aliases", len(svc["orders-db"].Aliases), 2},
		{"orders-db kind", svc["orders-db"].Kind, "Resource"},
		{"search has no runbook", len(svc["search"].Links), 0},
		{"checkout team channel", team["team-checkout"].Channel, "#checkout-oncall"},
		{"checkout team display name", team["team-checkout"].DisplayName, "Checkout team"},
		{"checkout team email", team["team-checkout"].Email, "checkout-team@shop.example"},
		{"checkout team members", len(team["team-checkout"].Members), 2},
		{"checkout team first member", team["team-checkout"].Members[0], model.Person{ID: "user:default/lena-fischer", Name: "Lena Fischer", Email: "lena-fischer@shop.example"}},
		{"platform team members", len(team["team-platform"].Members), 2},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	wantEdge := model.Dependency{From: "component:default/checkout", To: "component:default/payments", Kind: "api",
		Source: "catalogfile", Contract: "timeout 2s, 99.9% availability"}
	found := false
	for _, d := range cat.Dependencies {
		found = found || d == wantEdge
	}
	if !found {
		t.Errorf("no edge %+v in %+v", wantEdge, cat.Dependencies)
	}
}
