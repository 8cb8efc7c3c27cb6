package reqcontract

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/fake"
)

// TestViolations: the check names each way a request can leave the contract.
func TestViolations(t *testing.T) {
	load := func(vendor string) Contract {
		c, err := Load(vendor)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	pd, dt, bs := load("pagerduty"), load("dynatrace"), load("backstage")
	token := http.Header{"Authorization": {"Token token=x"}, "Accept": {"application/vnd.pagerduty+json;version=2"}, "Content-Type": {"application/json"}}
	apiToken := http.Header{"Authorization": {"Api-Token x"}}
	for _, tt := range []struct {
		name   string
		vendor string
		r      fake.Request
		want   string // "" = follows the contract
	}{
		{"follows", "pagerduty", fake.Request{Method: "GET", Path: "/incidents", Header: token,
			Query: url.Values{"statuses[]": {"triggered", "acknowledged"}, "limit": {"100"}}}, ""},
		{"required header missing", "pagerduty", fake.Request{Method: "GET", Path: "/services", Header: http.Header{"Authorization": {"Token token=x"}, "Accept": {"application/vnd.pagerduty+json;version=2"}}},
			"GET /services: required header Content-Type missing"},
		{"unknown path", "pagerduty", fake.Request{Method: "GET", Path: "/incident", Header: token}, "no such operation"},
		{"unknown method", "pagerduty", fake.Request{Method: "DELETE", Path: "/services", Header: token}, "no such operation"},
		{"other auth scheme", "pagerduty", fake.Request{Method: "GET", Path: "/services", Header: http.Header{"Authorization": {"Bearer x"}}}, `scheme "Bearer"`},
		{"undeclared parameter", "pagerduty", fake.Request{Method: "GET", Path: "/incidents", Header: token,
			Query: url.Values{"status": {"triggered"}}}, "status is not declared"},
		{"enum", "pagerduty", fake.Request{Method: "GET", Path: "/incidents", Header: token,
			Query: url.Values{"statuses[]": {"open"}}}, `"open" is not one of`},
		{"repeated single value", "pagerduty", fake.Request{Method: "GET", Path: "/incidents", Header: token,
			Query: url.Values{"date_range": {"all", "all"}}}, "sent 2 times"},
		{"not an integer", "pagerduty", fake.Request{Method: "GET", Path: "/incidents", Header: token,
			Query: url.Values{"limit": {"ten"}}}, "is not an integer"},
		{"above the maximum", "dynatrace", fake.Request{Method: "GET", Path: "/e/x/api/v2/problems", Header: apiToken,
			Query: url.Values{"pageSize": {"501"}}}, "above the maximum 500"},
		{"cursor not alone", "dynatrace", fake.Request{Method: "GET", Path: "/api/v2/events", Header: apiToken,
			Query: url.Values{"nextPageKey": {"k"}, "pageSize": {"5"}}}, "takes it alone"},
		{"cursor with fields", "dynatrace", fake.Request{Method: "GET", Path: "/api/v2/problems", Header: apiToken,
			Query: url.Values{"nextPageKey": {"k"}, "fields": {"evidenceDetails"}}}, ""},
		{"filter key twice in a set", "backstage", fake.Request{Method: "GET", Path: "/api/catalog/entities/by-query", Header: http.Header{"Authorization": {"Bearer x"}},
			Query: url.Values{"filter": {"kind=component,kind=api"}}}, "gives kind twice"},
		{"filter sets", "backstage", fake.Request{Method: "GET", Path: "/api/catalog/entities/by-query", Header: http.Header{"Authorization": {"Bearer x"}},
			Query: url.Values{"filter": {"kind=component,spec.type=service", "kind=api"}}}, ""},
		{"platform gateway", "dynatrace", fake.Request{Method: "GET", Path: "/platform/classic/environment-api/v2/problems", Header: http.Header{"Authorization": {"Bearer x"}}}, ""},
		{"classic token at the gateway", "dynatrace", fake.Request{Method: "GET", Path: "/platform/classic/environment-api/v2/problems", Header: apiToken}, `scheme "Api-Token", the contract accepts [Bearer]`},
		{"bearer on the classic API", "dynatrace", fake.Request{Method: "GET", Path: "/e/abc/api/v2/problems", Header: http.Header{"Authorization": {"Bearer x"}}}, `scheme "Bearer"`},
		{"list item", "dynatrace", fake.Request{Method: "GET", Path: "/api/v2/problems", Header: apiToken,
			Query: url.Values{"fields": {"evidenceDetails,+impactAnalysis"}}}, `"+impactAnalysis" is not one of`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if route := Route(tt.vendor, tt.r.Path); route != tt.vendor {
				t.Fatalf("routed to %s", route)
			}
			c := map[string]Contract{"pagerduty": pd, "dynatrace": dt, "backstage": bs}[tt.vendor]
			got := strings.Join(c.Violations(Vendors[tt.vendor], tt.r), "\n")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("violations %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRoute: a source's requests go to the contract of the API they are in.
func TestRoute(t *testing.T) {
	for path, want := range map[string]string{
		"/platform/slo/v1/slos":                         "dynatrace-platform-slo",
		"/platform/classic/environment-api/v2/problems": "dynatrace",
		"/e/abc/api/v2/events":                          "dynatrace",
	} {
		if got := Route("dynatrace", path); got != want {
			t.Errorf("Route(dynatrace, %s) = %s, want %s", path, got, want)
		}
	}
}
