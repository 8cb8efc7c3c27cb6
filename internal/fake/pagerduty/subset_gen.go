//go:build ignore

// This program writes testdata/openapi-subset.json, the part of PagerDuty's official OpenAPI
// document (PagerDuty/api-schema reference/REST/openapiv3.json, file commit 2326e6b9f473)
// the fake's responses are validated against:
//
//	PAGERDUTY_OPENAPI=/path/to/openapiv3.json go generate ./internal/fake/pagerduty
package main

import "github.com/opsctx/opsctx/internal/testkit/specsubset"

func main() {
	specsubset.Main(specsubset.Subset{
		File: "testdata/openapi-subset.json",
		Info: map[string]any{"title": "PagerDuty REST API v2 (subset for opsctx fake validation)", "source": "PagerDuty/api-schema reference/REST/openapiv3.json"},
		// the GET operations the fake serves
		Ops: []string{
			"/abilities", "/services", "/services/{id}", "/services/{id}/change_events",
			"/incidents", "/incidents/{id}", "/incidents/{id}/alerts", "/incidents/{id}/related_change_events",
			"/oncalls", "/escalation_policies", "/escalation_policies/{id}", "/change_events",
			"/service_dependencies/technical_services/{id}", "/maintenance_windows",
		},
	}, "PAGERDUTY_OPENAPI")
}
