package dynatrace

import "testing"

func TestMatchFilter(t *testing.T) {
	ids := []string{"SERVICE-5B2C1A9F0D3E7781"}
	names := []string{"checkout", `a"b`}
	cases := []struct {
		filter string
		want   string
		ok     bool
	}{
		{`type("SERVICE"),entityId("SERVICE-5B2C1A9F0D3E7781")`, "SERVICE-5B2C1A9F0D3E7781", true},
		{`type(SERVICE),entityId(SERVICE-0000000000000001,SERVICE-5B2C1A9F0D3E7781)`, "SERVICE-5B2C1A9F0D3E7781", true},
		{`type("SERVICE"),entityName("Checkout")`, "Checkout", true},
		{`type("SERVICE"),entityName.equals("a~"b")`, `a"b`, true},
		{`type("SERVICE"),entityName.startsWith("checkout")`, "", false},
		{`type("SERVICE"),tag("app:checkout")`, "", false},
		{`type("SERVICE"),fromRelationships.calls(type("SERVICE"),entityId("SERVICE-5B2C1A9F0D3E7781"))`, "", false},
		{`type("SERVICE"),toRelationships.calls(entityName("checkout")),entityName("checkout")`, "checkout", true},
		{``, "", false},
	}
	for _, tc := range cases {
		got, ok := matchFilter(tc.filter, ids, names)
		if got != tc.want || ok != tc.ok {
			t.Errorf("matchFilter(%s) = %q, %v; want %q, %v", tc.filter, got, ok, tc.want, tc.ok)
		}
	}
}
