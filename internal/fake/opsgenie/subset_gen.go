//go:build ignore

// This program writes testdata/swagger-subset.json, the part of Opsgenie's official Swagger
// 2.0 document (opsgenie/opsgenie-oas swagger.json, regenerated 26f0eda93b31) the fake's
// responses are validated against:
//
//	OPSGENIE_SWAGGER=/path/to/swagger.json go generate ./internal/fake/opsgenie
package main

import (
	"strings"

	"github.com/opsctx/opsctx/internal/testkit/specsubset"
)

func main() {
	specsubset.Main(specsubset.Subset{
		File: "testdata/swagger-subset.json",
		Info: map[string]any{"title": "Opsgenie REST API v2 (subset for opsctx fake validation)", "source": "opsgenie/opsgenie-oas swagger.json"},
		Ops: []string{
			"/v2/alerts", "/v2/alerts/count", "/v2/alerts/{identifier}", "/v2/teams", "/v2/teams/{identifier}",
			"/v2/schedules", "/v2/schedules/{identifier}/on-calls", "/v2/schedules/{identifier}/timeline", "/v2/escalations", "/v2/escalations/{identifier}", "/v2/users",
		},
		// Recipient and Participant subtypes are chosen by discriminator: keep them all.
		Keep: func(full map[string]any) []string {
			var refs []string
			for name := range full["definitions"].(map[string]any) {
				if strings.HasSuffix(name, "Recipient") && !strings.HasPrefix(name, "ListAlert") {
					refs = append(refs, "#/definitions/"+name)
				}
			}
			return refs
		},
	}, "OPSGENIE_SWAGGER")
}
