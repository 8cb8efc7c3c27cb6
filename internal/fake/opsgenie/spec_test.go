package opsgenie_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/fake/faketest"
)

// The fake's responses are validated against the official Swagger 2.0 document
// (opsgenie/opsgenie-oas swagger.json, regenerated 26f0eda93b31). testdata/swagger-subset.json
// holds the operations below with every definition and response they reference, unchanged;
// regenerate it with
//
//	go test ./internal/fake/opsgenie -run TestSpecSubset -og-spec /path/to/swagger.json
var ogSpec = flag.String("og-spec", "", "full Opsgenie swagger.json to regenerate testdata/swagger-subset.json from")

var subset = faketest.Subset{
	File: "testdata/swagger-subset.json",
	Info: map[string]any{"title": "Opsgenie REST API v2 (subset for opsctx fake validation)", "source": "opsgenie/opsgenie-oas swagger.json"},
	Ops: []string{
		"/v2/alerts", "/v2/alerts/count", "/v2/alerts/{identifier}", "/v2/teams", "/v2/teams/{identifier}",
		"/v2/schedules", "/v2/schedules/{identifier}/on-calls", "/v2/escalations", "/v2/escalations/{identifier}", "/v2/users",
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
}

func TestSpecSubset(t *testing.T) {
	if *ogSpec == "" {
		t.Skip("no -og-spec given; using the checked-in subset")
	}
	subset.Write(t, *ogSpec)
}
