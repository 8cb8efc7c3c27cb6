package model

import (
	"fmt"
	"testing"
)

func TestSourceNames(t *testing.T) {
	for _, tc := range []struct{ kind, inst, name string }{
		{"prometheus", "", "prometheus"},
		{"prometheus", "eu-west-1", "prometheus/eu-west-1"},
	} {
		if n := SourceName(tc.kind, tc.inst); n != tc.name || SourceKind(n) != tc.kind || SourceInstance(n) != tc.inst {
			t.Errorf("%s/%s -> %q (kind %q, instance %q)", tc.kind, tc.inst, n, SourceKind(n), SourceInstance(n))
		}
	}
}

// TestTargetFor: which instances are asked about a target, and about which part of it.
func TestTargetFor(t *testing.T) {
	pinned := Service{ID: "c", Source: "catalogfile", Annotations: map[string]string{InstancesAnnotation: "alertmanager/eu, dynatrace/prod"}}
	checkout := Target{Name: "checkout", Records: []Service{pinned, {ID: "SERVICE-1", Source: "dynatrace/prod"}}}
	db := Target{Name: "orders-db", Records: []Service{{ID: "SERVICE-2", Source: "dynatrace/preprod"}}}
	withDB := checkout
	withDB.Related = []Target{db}
	tests := []struct {
		name   string
		t      Target
		source string
		// want is "skip", or the records and related names of the view.
		want string
	}{
		{"pinned instance", checkout, "alertmanager/eu", "records 2 related []"},
		{"instance of a pinned kind not listed", checkout, "alertmanager/us", "skip"},
		{"kind not pinned", checkout, "prometheus/us", "records 2 related []"},
		{"unnamed instance of an unpinned kind", checkout, "pagerduty", "records 2 related []"},
		{"sibling tenant holds the record", Target{Name: "checkout", Records: []Service{{ID: "SERVICE-1", Source: "dynatrace/prod"}}}, "dynatrace/preprod", "skip"},
		{"own record", db, "dynatrace/preprod", "records 1 related []"},
		{"only a related service is served", withDB, "dynatrace/preprod", "records 0 related [orders-db]"},
		{"related service not served is left out", withDB, "dynatrace/prod", "records 2 related []"},
		{"everything open", Target{}, "alertmanager/us", "records 0 related []"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := tc.t.For(tc.source)
			got := "skip"
			if ok {
				var rel []string
				for _, r := range v.Related {
					rel = append(rel, r.Name)
				}
				got = fmt.Sprintf("records %d related %v", len(v.Records), rel)
			}
			if got != tc.want {
				t.Errorf("For(%s) = %s, want %s", tc.source, got, tc.want)
			}
		})
	}
}
