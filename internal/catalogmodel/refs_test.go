package catalogmodel

import (
	"reflect"
	"testing"

	"github.com/opsctx/opsctx/internal/model"
)

func TestRefs(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		want        []model.Ref
	}{
		{"none", map[string]string{"backstage.io/view-url": "https://b"}, nil},
		{"records in other sources, in the table's order",
			map[string]string{"servicenow.com/ci-name": "Checkout Prod", "pagerduty.com/service-id": "PX1"},
			[]model.Ref{{In: "pagerduty", ID: "PX1", Via: "annotation pagerduty.com/service-id"},
				{In: "servicenow", ID: "Checkout Prod", Via: "annotation servicenow.com/ci-name"}}},
		{"an Opsgenie team links to Opsgenie and JSM Operations without naming a record",
			map[string]string{"opsgenie.com/team": "checkout-team"},
			[]model.Ref{{In: "opsgenie", Via: "annotation opsgenie.com/team"}, {In: "jsm", Via: "annotation opsgenie.com/team"}}},
	}
	for _, tt := range tests {
		if got := Refs(tt.annotations); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Refs = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
