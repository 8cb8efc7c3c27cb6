package directory

import (
	"slices"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/model"
)

// tenants builds a directory from a catalog (the given checkout record, when not nil) and two
// Dynatrace tenants that both have a service named checkout, and one only prod has.
func tenants(checkout *model.Service) *Directory {
	var cats []SourceCatalog
	if checkout != nil {
		cats = append(cats, SourceCatalog{Source: "catalogfile", Catalog: model.Catalog{Services: []model.Service{*checkout,
			{ID: "component:default/payments", Name: "payments"}}}})
	}
	return Build(append(cats,
		SourceCatalog{Source: "dynatrace/prod", Catalog: model.Catalog{Services: []model.Service{
			{ID: "SERVICE-1", Name: "checkout"}, {ID: "SERVICE-3", Name: "payments"}}}},
		SourceCatalog{Source: "dynatrace/preprod", Catalog: model.Catalog{Services: []model.Service{
			{ID: "SERVICE-2", Name: "checkout"}, {ID: "SERVICE-4", Name: "Payments Service"}}}},
	), nil)
}

// sources lists the sources of an entity's records.
func sources(e *Entity) string {
	if e == nil {
		return "<none>"
	}
	var out []string
	for _, r := range e.Records {
		out = append(out, r.Source)
	}
	return strings.Join(out, ",")
}

// TestTenantsThatShareANameAreNotMerged: records of two instances of one kind that merely
// share a name stay apart unless the catalog links them (a reference) or pins the instance;
// a name only one instance uses merges as with one instance; another tenant's record never
// joins an entity that holds a sibling's.
func TestTenantsThatShareANameAreNotMerged(t *testing.T) {
	linked := &model.Service{ID: "component:default/checkout", Name: "checkout", Refs: []model.Ref{{In: "dynatrace", ID: "SERVICE-1", Via: "annotation dynatrace.com/dynatrace-entity-id"}}}
	plain := &model.Service{ID: "component:default/checkout", Name: "checkout"}
	pinned := &model.Service{ID: "component:default/checkout", Name: "checkout", Annotations: map[string]string{model.InstancesAnnotation: "dynatrace/preprod"}}
	tests := []struct {
		name     string
		catalog  *model.Service
		checkout string // sources of the entity named checkout
		apart    []string
		note     bool // an ambiguity note names checkout
	}{
		{"linked by reference", linked, "catalogfile,dynatrace/prod", []string{"dynatrace/preprod:checkout"}, true},
		{"same name only", plain, "catalogfile", []string{"dynatrace/prod:checkout", "dynatrace/preprod:checkout"}, true},
		{"pinned to one tenant", pinned, "catalogfile,dynatrace/preprod", []string{"dynatrace/prod:checkout"}, false},
		{"no catalog", nil, "<none>", []string{"dynatrace/prod:checkout", "dynatrace/preprod:checkout"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tenants(tc.catalog)
			if got := sources(d.Entity("checkout")); got != tc.checkout {
				t.Errorf("checkout's records from %s, want %s", got, tc.checkout)
			}
			for _, n := range tc.apart {
				if e := d.Entity(n); e == nil || len(e.Records) != 1 {
					t.Errorf("%s not kept apart: %s", n, sources(e))
				}
			}
			noted := slices.ContainsFunc(d.Ambiguities, func(a Ambiguity) bool { return slices.Contains(a.Candidates, "checkout") })
			if noted != tc.note {
				t.Errorf("ambiguity naming checkout: %v, want %v (%+v)", noted, tc.note, d.Ambiguities)
			}
			// A problem from preprod's checkout is never the catalog's checkout unless pinned.
			want := "dynatrace/preprod:checkout"
			if tc.catalog == pinned {
				want = "checkout"
			}
			if got := d.Canonical("dynatrace/preprod", "SERVICE-2"); got != want {
				t.Errorf("preprod's SERVICE-2 is %q, want %q", got, want)
			}
			// A name only prod uses merges by name, as with one instance; preprod's similar
			// name does not join the entity that holds prod's record.
			if tc.catalog != nil {
				if got := sources(d.Entity("payments")); got != "catalogfile,dynatrace/prod" {
					t.Errorf("payments from %s", got)
				}
			}
		})
	}
}

// TestLookupPrefersTheCanonicalName: a name another tenant's record also goes by does not
// make the catalog's service ambiguous; without a catalog, the tenants' records are.
func TestLookupPrefersTheCanonicalName(t *testing.T) {
	exact := func(d *Directory, q string) []string {
		var out []string
		for _, c := range d.Lookup(q) {
			if c.Exact {
				out = append(out, c.Entity.Name)
			}
		}
		return out
	}
	d := tenants(&model.Service{ID: "component:default/checkout", Name: "checkout"})
	if got := exact(d, "checkout"); !slices.Equal(got, []string{"checkout"}) {
		t.Errorf("checkout means %v", got)
	}
	if got := d.Lookup("checkout"); len(got) != 3 || got[1].Exact || got[2].Exact {
		t.Errorf("the tenants' records are not offered as other candidates: %+v", got)
	}
	if got := exact(tenants(nil), "checkout"); len(got) != 2 {
		t.Errorf("without a catalog, checkout should be ambiguous between the tenants: %v", got)
	}
}

// TestPinnedEntityIsNotANeighboursService: signals from an instance a component is not
// pinned to are not attributed to it, but kept under a name that says where they are from.
func TestPinnedEntityIsNotANeighboursService(t *testing.T) {
	d := Build([]SourceCatalog{{Source: "catalogfile", Catalog: model.Catalog{Services: []model.Service{
		{ID: "component:default/checkout", Name: "checkout", Annotations: map[string]string{model.InstancesAnnotation: "alertmanager/eu, alertmanager/us"}}}}}}, nil)
	for _, tc := range [][2]string{
		{"alertmanager/eu", "checkout"},
		{"alertmanager/us", "checkout"},
		{"alertmanager/ap", "alertmanager/ap:checkout"},
		{"prometheus/ap", "checkout"}, // kind not pinned
		{"alertmanager/ap", "orders"}, // unknown stays as the source says
	} {
		name := "checkout"
		if strings.HasSuffix(tc[1], "orders") {
			name = "orders"
		}
		if got := d.Canonical(tc[0], name); got != tc[1] {
			t.Errorf("Canonical(%s, %s) = %q, want %q", tc[0], name, got, tc[1])
		}
	}
	if d.EntityForRecord("alertmanager/ap", "checkout") != nil {
		t.Error("a pinned-out instance's record resolved to the entity")
	}
}
