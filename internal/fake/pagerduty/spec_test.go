package pagerduty_test

import (
	"flag"
	"testing"

	"github.com/opsctx/opsctx/internal/fake/faketest"
)

// The fake's responses are validated against the response schemas of the official
// OpenAPI document (PagerDuty/api-schema reference/REST/openapiv3.json, file commit
// 2326e6b9f473). testdata/openapi-subset.json holds the operations below with every
// component they reference, unchanged; regenerate it with
//
//	go test ./internal/fake/pagerduty -run TestSpecSubset -pd-spec /path/to/openapiv3.json
var pdSpec = flag.String("pd-spec", "", "full PagerDuty OpenAPI file to regenerate testdata/openapi-subset.json from")

var subset = faketest.Subset{
	File: "testdata/openapi-subset.json",
	Info: map[string]any{"title": "PagerDuty REST API v2 (subset for opsctx fake validation)", "source": "PagerDuty/api-schema reference/REST/openapiv3.json"},
	// the GET operations the fake serves
	Ops: []string{
		"/abilities", "/services", "/services/{id}", "/services/{id}/change_events",
		"/incidents", "/incidents/{id}", "/incidents/{id}/alerts", "/incidents/{id}/related_change_events",
		"/oncalls", "/escalation_policies", "/escalation_policies/{id}", "/change_events",
		"/service_dependencies/technical_services/{id}",
	},
}

func TestSpecSubset(t *testing.T) {
	if *pdSpec == "" {
		t.Skip("no -pd-spec given; using the checked-in subset")
	}
	subset.Write(t, *pdSpec)
}
