package dynatrace

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

var now = time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) int64 { return now.Add(-d).UnixMilli() }

func testData() Data {
	rc := Stub("SERVICE-0D8E4A2C6B1F9925", "SERVICE", "orders-db")
	chk := Stub("SERVICE-5B2C1A9F0D3E7781", "SERVICE", "checkout")
	endT := ago(30 * time.Minute)
	users := int64(7)
	return Data{
		Problems: []Problem{
			{ProblemID: "1_1V2", DisplayID: "P-1", Title: "open", ImpactLevel: "SERVICES", SeverityLevel: "PERFORMANCE", Status: "OPEN",
				StartTime: ago(20 * time.Minute), EndTime: -1, RootCauseEntity: &rc, ImpactedEntities: []EntityStub{chk},
				AffectedEntities: []EntityStub{rc}, EntityTags: []Tag{ContextlessTag("app", "checkout")},
				EvidenceDetails: &EvidenceDetails{TotalCount: 1, Details: []Evidence{{EvidenceType: "EVENT", DisplayName: "x", Entity: rc,
					RootCauseRelevant: true, StartTime: ago(25 * time.Minute), EventID: "e1", EventType: "CUSTOM_CONFIGURATION", EndTime: &endT}}},
				ImpactAnalysis: &ImpactAnalysis{Impacts: []Impact{{ImpactType: "SERVICE", ImpactedEntity: chk, EstimatedAffectedUsers: 3, NumberOfPotentiallyAffectedServiceCalls: &users}}}},
			{ProblemID: "2_1V2", DisplayID: "P-2", Title: "closed", ImpactLevel: "INFRASTRUCTURE", SeverityLevel: "AVAILABILITY", Status: "CLOSED",
				StartTime: ago(90 * time.Minute), EndTime: ago(80 * time.Minute)},
			{ProblemID: "3_1V2", DisplayID: "P-3", Title: "old", ImpactLevel: "SERVICES", SeverityLevel: "ERROR", Status: "CLOSED",
				StartTime: ago(5 * time.Hour), EndTime: ago(4 * time.Hour)},
		},
		Events: []Event{
			{EventID: "e1", EventType: "CUSTOM_CONFIGURATION", Title: "cfg", StartTime: ago(25 * time.Minute), EndTime: &endT, Status: "CLOSED",
				EntityID: rc, Properties: []Property{{Key: "author", Value: "Priya"}}},
			{EventID: "e2", EventType: "CUSTOM_DEPLOYMENT", Title: "dep", StartTime: ago(10 * time.Minute), Status: "OPEN", EntityID: chk},
		},
		Entities: []Entity{
			{EntityID: chk.EntityID.ID, Type: "SERVICE", DisplayName: "checkout", LastSeenTms: ago(time.Minute), Tags: []Tag{ContextlessTag("app", "checkout")},
				FromRelationships: map[string][]EntityID{"calls": {rc.EntityID}}, Properties: map[string]any{"serviceType": "WEB_SERVICE"}},
			{EntityID: rc.EntityID.ID, Type: "SERVICE", DisplayName: "orders-db", LastSeenTms: ago(time.Minute),
				ToRelationships: map[string][]EntityID{"calls": {chk.EntityID}}},
			{EntityID: "HOST-0000000000000001", Type: "HOST", DisplayName: "db-host", LastSeenTms: ago(time.Minute)},
			{EntityID: "SERVICE-0000000000000009", Type: "SERVICE", DisplayName: "gone", FirstSeenTms: ago(30 * 24 * time.Hour), LastSeenTms: ago(10 * 24 * time.Hour)},
		},
		SLOs: testSLOs(),
	}
}

func testSLOs() []SLO {
	burn, fast := 12.0, 10.0
	return []SLO{
		{ID: "a0000000-0000-4000-8000-000000000001", Name: "Checkout p95 latency", Description: "Checkout requests faster than 2s", Enabled: true,
			Target: 99.5, Warning: 99.8, Timeframe: "-1w", Filter: `type("SERVICE"),entityId("SERVICE-5B2C1A9F0D3E7781")`,
			MetricExpression:    "(100)*(calc:service.checkout_fast:splitBy())/(builtin:service.requestCount.server:splitBy())",
			EvaluatedPercentage: 99.6, ErrorBudget: 0.1, Status: "WARNING",
			ErrorBudgetBurnRate: SLOBurnRate{BurnRateVisualizationEnabled: true, BurnRateType: "FAST", BurnRateValue: &burn, FastBurnThreshold: &fast}},
		{ID: "a0000000-0000-4000-8000-000000000002", Name: "Orders DB availability", Enabled: true, Target: 99.9, Warning: 99.95, Timeframe: "-30d",
			Filter: `type("SERVICE"),entityName("orders-db")`, MetricExpression: "builtin:service.successes.server.rate", EvaluatedPercentage: 99.99, ErrorBudget: 0.09, Status: "SUCCESS"},
		{ID: "a0000000-0000-4000-8000-000000000003", Name: "Legacy", Enabled: false, Target: 95, Warning: 97, Timeframe: "-1d",
			Filter: `type("SERVICE")`, MetricExpression: "builtin:service.successes.server.rate", EvaluatedPercentage: 99, ErrorBudget: 4, Status: "SUCCESS"},
	}
}

func startTest(t *testing.T) *Server {
	s := Start(Options{Token: "tok", BasePath: "/e/env1", Now: func() time.Time { return now }}, testData())
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, s *Server, path string, q url.Values, tok string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.EnvURL()+path+"?"+q.Encode(), nil)
	if tok != "" {
		req.Header.Set("Authorization", "Api-Token "+tok)
	}
	resp, b := faketest.Do(t, req)
	return resp.StatusCode, b
}

// spec reads the spec subset. The spec types Entity.properties values as objects
// although its own example (and every tenant) returns scalars, so that one constraint is
// relaxed.
func spec(t *testing.T) *faketest.Spec {
	return faketest.LoadSpec(t, "testdata/spec-subset.json", faketest.Options{Edit: func(doc map[string]any) {
		ent := doc["components"].(map[string]any)["schemas"].(map[string]any)["Entity"].(map[string]any)
		delete(ent["properties"].(map[string]any)["properties"].(map[string]any), "additionalProperties")
	}})
}

func TestResponsesFollowTheSpec(t *testing.T) {
	s := startTest(t)
	sp := spec(t)
	cases := []struct {
		path   string
		q      url.Values
		tok    string
		status int
		schema string
		count  int
	}{
		{"/api/v2/problems", url.Values{"fields": {"+evidenceDetails,+impactAnalysis"}}, "tok", 200, "Problems", 2},
		{"/api/v2/problems", url.Values{"from": {"now-1d"}}, "tok", 200, "Problems", 3},
		{"/api/v2/problems", url.Values{"problemSelector": {`status("open")`}}, "tok", 200, "Problems", 1},
		{"/api/v2/problems/1_1V2", url.Values{"fields": {"evidenceDetails"}}, "tok", 200, "Problem", -1},
		{"/api/v2/problems/nope", nil, "tok", 404, "ErrorEnvelope", -1},
		{"/api/v2/events", url.Values{"eventSelector": {`eventType("CUSTOM_DEPLOYMENT")`}}, "tok", 200, "EventList", 1},
		{"/api/v2/entities", url.Values{"entitySelector": {`type("SERVICE")`}, "fields": {"+tags,+fromRelationships,+toRelationships,+properties,+lastSeenTms"}}, "tok", 200, "EntitiesList", 2},
		{"/api/v2/entities", url.Values{}, "tok", 400, "ErrorEnvelope", -1},
		{"/api/v2/slo", url.Values{"evaluate": {"true"}, "timeFrame": {"CURRENT"}, "pageSize": {"25"}}, "tok", 200, "SLOs", 2},
		{"/api/v2/slo", url.Values{"enabledSlos": {"all"}}, "tok", 200, "SLOs", 3},
		{"/api/v2/slo", url.Values{"evaluate": {"true"}, "pageSize": {"26"}}, "tok", 400, "ErrorEnvelope", -1},
		{"/api/v2/slo", url.Values{"sloSelector": {`entityId("SERVICE-5B2C1A9F0D3E7781")`}}, "tok", 400, "ErrorEnvelope", -1},
		{"/api/v2/problems", nil, "", 401, "ErrorEnvelope", -1},
		{"/api/v2/problems", nil, "bad", 401, "ErrorEnvelope", -1},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.path, tc.q, tc.tok), func(t *testing.T) {
			status, body := get(t, s, tc.path, tc.q, tc.tok)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			faketest.Validate(t, sp.Schema(t, tc.schema), body)
			if tc.count >= 0 {
				var env struct{ TotalCount int }
				_ = json.Unmarshal(body, &env)
				if env.TotalCount != tc.count {
					t.Errorf("totalCount %d, want %d", env.TotalCount, tc.count)
				}
			}
		})
	}
}

func TestPagingRules(t *testing.T) {
	s := startTest(t)
	status, body := get(t, s, "/api/v2/problems", url.Values{"pageSize": {"1"}, "from": {"now-1d"}, "fields": {"evidenceDetails"}}, "tok")
	var page struct {
		NextPageKey string
		Problems    []Problem
	}
	if err := json.Unmarshal(body, &page); status != 200 || err != nil || page.NextPageKey == "" || page.Problems[0].EvidenceDetails == nil {
		t.Fatalf("first page %d %s", status, body)
	}
	cases := []struct {
		name     string
		q        url.Values
		status   int
		contains string
	}{
		{"key alone", url.Values{"nextPageKey": {page.NextPageKey}}, 200, `"displayId":"P-2"`},
		{"key with fields", url.Values{"nextPageKey": {page.NextPageKey}, "fields": {"evidenceDetails"}}, 200, `"evidenceDetails"`},
		{"key with other parameter", url.Values{"nextPageKey": {page.NextPageKey}, "pageSize": {"1"}}, 400, `"path":"pageSize"`},
		{"unknown key", url.Values{"nextPageKey": {"forged"}}, 400, "nextPageKey"},
		{"page size too large", url.Values{"pageSize": {"501"}}, 400, "between 1 and 500"},
		{"unknown selector criterion", url.Values{"problemSelector": {`colour("red")`}}, 400, "unknown criterion"},
		{"bad timeframe", url.Values{"from": {"yesterday"}}, 400, `"path":"from"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, s, "/api/v2/problems", tc.q, "tok")
			if status != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Errorf("got %d %s, want %d containing %s", status, body, tc.status, tc.contains)
			}
		})
	}
	// the last page carries no nextPageKey
	status, body = get(t, s, "/api/v2/problems", url.Values{"nextPageKey": {page.NextPageKey}}, "tok")
	if status != 200 || !strings.Contains(string(body), "nextPageKey") {
		t.Fatalf("second page %d %s", status, body)
	}
	var p2 struct{ NextPageKey string }
	_ = json.Unmarshal(body, &p2)
	_, body = get(t, s, "/api/v2/problems", url.Values{"nextPageKey": {p2.NextPageKey}}, "tok")
	if strings.Contains(string(body), "nextPageKey") || !strings.Contains(string(body), `"P-3"`) {
		t.Errorf("last page %s", body)
	}
}

func TestSelectors(t *testing.T) {
	s := startTest(t)
	cases := []struct {
		path, param, sel string
		status           int
		want             []string // ids in the answer
	}{
		{"/api/v2/problems", "entitySelector", `entityId("SERVICE-5B2C1A9F0D3E7781")`, 200, []string{"P-1"}},
		{"/api/v2/problems", "problemSelector", `rootCauseEntity("SERVICE-0D8E4A2C6B1F9925"),status("OPEN")`, 200, []string{"P-1"}},
		{"/api/v2/problems", "problemSelector", `displayId("P-2")`, 200, []string{"P-2"}},
		{"/api/v2/problems", "entitySelector", `entityId("SERVICE-5B2C1A9F0D3E7781","HOST-0000000000000001")`, 400, nil},
		{"/api/v2/events", "eventSelector", `eventType("CUSTOM_CONFIGURATION"),entityId("SERVICE-0D8E4A2C6B1F9925","X")`, 200, []string{"e1"}},
		{"/api/v2/events", "eventSelector", `eventType("CUSTOM_DEPLOYMENT","CUSTOM_CONFIGURATION")`, 400, nil},
		{"/api/v2/entities", "entitySelector", `type(SERVICE),entityName.equals("ORDERS-DB")`, 200, []string{"orders-db"}},
		{"/api/v2/entities", "entitySelector", `type("SERVICE"),tag("app:checkout")`, 200, []string{"checkout"}},
		{"/api/v2/entities", "entitySelector", `entityName.equals("checkout")`, 400, nil},
	}
	for _, tc := range cases {
		t.Run(tc.sel, func(t *testing.T) {
			status, body := get(t, s, tc.path, url.Values{tc.param: {tc.sel}}, "tok")
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(body), `"`+w+`"`) {
					t.Errorf("answer lacks %s: %s", w, body)
				}
			}
			var env struct{ TotalCount int }
			if _ = json.Unmarshal(body, &env); status == 200 && env.TotalCount != len(tc.want) {
				t.Errorf("totalCount %d, want %d", env.TotalCount, len(tc.want))
			}
		})
	}
}

// TestSLOs: evaluation on request only, selectors, enabled filter and paging by nextPageKey alone.
func TestSLOs(t *testing.T) {
	s := startTest(t)
	type sloPage struct {
		TotalCount  int
		NextPageKey string
		SLO         []SLO
	}
	read := func(q url.Values) (int, sloPage, string) {
		status, body := get(t, s, "/api/v2/slo", q, "tok")
		var p sloPage
		_ = json.Unmarshal(body, &p)
		return status, p, string(body)
	}
	cases := []struct {
		name   string
		q      url.Values
		status int
		ids    []string // last id digit of each SLO in the answer
		eval   bool
	}{
		{"unevaluated by default", url.Values{}, 200, []string{"1", "2"}, false},
		{"evaluated", url.Values{"evaluate": {"true"}}, 200, []string{"1", "2"}, true},
		{"by id", url.Values{"sloSelector": {`id("a0000000-0000-4000-8000-000000000002")`}, "evaluate": {"true"}}, 200, []string{"2"}, true},
		{"by name is case-sensitive", url.Values{"sloSelector": {`name("checkout p95 latency")`}}, 200, nil, false},
		{"by text", url.Values{"sloSelector": {`text("FASTER")`}}, 200, []string{"1"}, false},
		{"disabled only", url.Values{"enabledSlos": {"false"}}, 200, []string{"3"}, false},
		{"descending", url.Values{"sort": {"-name"}}, 200, []string{"2", "1"}, false},
		{"bad evaluate", url.Values{"evaluate": {"yes"}}, 400, nil, false},
		{"bad sort", url.Values{"sort": {"target"}}, 400, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, p, body := read(tc.q)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			var ids []string
			for _, x := range p.SLO {
				ids = append(ids, x.ID[len(x.ID)-1:])
				if (x.EvaluatedPercentage != -1) != tc.eval || (x.ErrorBudgetBurnRate.BurnRateValue != nil && !tc.eval) {
					t.Errorf("SLO %s evaluated = %v, want %v", x.Name, x.EvaluatedPercentage, tc.eval)
				}
				if x.MetricKey == "" || x.Error != "NONE" || x.EvaluationType != "AGGREGATE" {
					t.Errorf("SLO %+v lacks derived fields", x)
				}
			}
			if fmt.Sprint(ids) != fmt.Sprint(tc.ids) && status == 200 {
				t.Errorf("ids %v, want %v", ids, tc.ids)
			}
		})
	}
	// Paging: pageSize 1 over three SLOs, follow-ups by nextPageKey alone keep evaluate.
	_, p, _ := read(url.Values{"evaluate": {"true"}, "pageSize": {"1"}, "enabledSlos": {"all"}})
	var names []string
	for pages := 1; ; pages++ {
		for _, x := range p.SLO {
			names = append(names, x.Name)
			if x.EvaluatedPercentage == -1 {
				t.Errorf("page %d lost evaluate: %+v", pages, x)
			}
		}
		if p.NextPageKey == "" {
			break
		}
		if status, _, body := read(url.Values{"nextPageKey": {p.NextPageKey}, "evaluate": {"true"}}); status != 400 || !strings.Contains(body, `"path":"evaluate"`) {
			t.Errorf("key with another parameter: %d %s", status, body)
		}
		_, p, _ = read(url.Values{"nextPageKey": {p.NextPageKey}})
	}
	if fmt.Sprint(names) != "[Checkout p95 latency Legacy Orders DB availability]" {
		t.Errorf("paged names %v", names)
	}
}

func TestParseSelector(t *testing.T) {
	cases := []struct {
		in   string
		want string
		err  bool
	}{
		{`type("SERVICE")`, `[{type [SERVICE]}]`, false},
		{`type(SERVICE),entityId("A", "B")`, `[{type [SERVICE]} {entityId [A B]}]`, false},
		{`entityName.equals("a~"b~~c,d)")`, `[{entityName.equals [a"b~c,d)]}]`, false},
		{`status("")`, `[{status []}]`, false},
		{`type("SERVICE"`, ``, true},
		{`("x")`, ``, true},
	}
	for _, tc := range cases {
		got, err := parseSelector(tc.in)
		if (err != nil) != tc.err || (!tc.err && fmt.Sprint(got) != tc.want) {
			t.Errorf("parseSelector(%q) = %v, %v; want %s (err %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseTime(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"1764158400000", time.UnixMilli(1764158400000).UTC(), false},
		{"now", now, false},
		{"now-2h", now.Add(-2 * time.Hour), false},
		{"now-3d/d", now.Add(-72 * time.Hour), false},
		{"2025-11-26T05:57:01.123+01:00", time.Date(2025, 11, 26, 4, 57, 1, 123e6, time.UTC), false},
		{"2025-11-26 05:57", time.Date(2025, 11, 26, 5, 57, 0, 0, time.UTC), false},
		{"now-2x", time.Time{}, true},
	}
	for _, tc := range cases {
		got, err := parseTime(tc.in, now)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestTokenScopes: an endpoint whose scope the token lacks answers Dynatrace's 403 naming the
// scope; the others answer.
func TestTokenScopes(t *testing.T) {
	s := Start(Options{Token: "tok", Scopes: []string{"problems.read", "entities.read"}, Now: func() time.Time { return now }}, testData())
	t.Cleanup(s.Close)
	tests := []struct {
		path, wantMsg string
	}{
		{"/api/v2/problems", ""},
		{"/api/v2/entities", ""},
		{"/api/v2/events", "Token is missing required scope. Use one of: events.read (Read events)"},
		{"/api/v2/slo", "Token is missing required scope. Use one of: slo.read (Read SLO)"},
	}
	for _, tt := range tests {
		q := url.Values{}
		if tt.path == "/api/v2/entities" {
			q.Set("entitySelector", `type("SERVICE")`)
		}
		status, b := get(t, s, tt.path, q, "tok")
		var body struct {
			Error struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(b, &body)
		switch {
		case tt.wantMsg == "" && status != 200:
			t.Errorf("%s: %d %s", tt.path, status, b)
		case tt.wantMsg != "" && (status != 403 || body.Error.Code != 403 || body.Error.Message != tt.wantMsg):
			t.Errorf("%s: %d %s; want 403 %q", tt.path, status, b, tt.wantMsg)
		}
	}
}
