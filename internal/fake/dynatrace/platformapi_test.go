package dynatrace

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

func ptr(f float64) *float64 { return &f }

func platformData() Data {
	d := testData()
	for i, name := range []string{"Checkout availability", "Payments latency", "Search errors"} {
		d.PlatformSLOs = append(d.PlatformSLOs, PlatformSLO{ID: "slo-" + string(rune('a'+i)), Name: name,
			Criteria:  []PlatformCriterion{{TimeframeFrom: "now-7d", TimeframeTo: "now", Target: 99.5}},
			Indicator: `timeseries x = avg(dt.service.request.count), filter: dt.entity.service == "SERVICE-5B2C1A9F0D3E7781"`,
			Value:     ptr(99.7), ErrorBudget: ptr(0.2), Status: "success", Polls: i})
	}
	return d
}

// do sends method path with the Authorization header auth and an optional JSON or form body.
func do(t *testing.T, s *Server, method, path, auth, contentType, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, b := faketest.Do(t, req)
	return res.StatusCode, b
}

func issue(t *testing.T, s *Server, form url.Values) (int, map[string]any) {
	t.Helper()
	code, b := do(t, s, "POST", TokenPath, "", "application/x-www-form-urlencoded", form.Encode())
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return code, m
}

// TestPlatformAuth: the platform takes Bearer credentials only (an API token gets the
// platform's 401 naming the scheme); the SSO endpoint checks the client, grant and resource
// and grants the asked scopes the client may have; a token lacking a scope gets 403 naming it.
func TestPlatformAuth(t *testing.T) {
	s := Start(Options{Token: "tok", PlatformToken: "dt0s16.PT", Now: func() time.Time { return now },
		OAuth: &OAuthClient{ClientID: "dt0s02.C", ClientSecret: "sec", Resource: "urn:dtaccount:acc",
			Scopes: []string{"environment-api:problems:read", "slo:slos:read"}}}, platformData())
	t.Cleanup(s.Close)
	problems := ClassicPlatformPrefix + "/problems"
	if code, b := do(t, s, "GET", problems, "Api-Token tok", "", ""); code != 401 ||
		!strings.Contains(string(b), "Unsupported authorization scheme 'Api-Token'. Dynatrace platform APIs require the authorization scheme 'Bearer'") {
		t.Errorf("API token on the platform: %d %s", code, b)
	}
	if code, b := do(t, s, "GET", "/api/v2/problems", "Bearer dt0s16.PT", "", ""); code != 401 {
		t.Errorf("platform token on the classic API: %d %s", code, b)
	}
	if code, b := do(t, s, "GET", problems, "Bearer dt0s16.PT", "", ""); code != 200 {
		t.Errorf("platform token: %d %s", code, b)
	}
	good := url.Values{"grant_type": {"client_credentials"}, "client_id": {"dt0s02.C"}, "client_secret": {"sec"},
		"resource": {"urn:dtaccount:acc"}, "scope": {"environment-api:problems:read environment-api:events:read"}}
	for name, edit := range map[string]func(url.Values){
		"bad secret":   func(f url.Values) { f.Set("client_secret", "x") },
		"bad resource": func(f url.Values) { f.Set("resource", "urn:dtaccount:other") },
		"bad grant":    func(f url.Values) { f.Set("grant_type", "password") },
	} {
		f := url.Values{}
		for k, v := range good {
			f[k] = v
		}
		edit(f)
		if code, m := issue(t, s, f); code < 400 || m["errorCode"] == nil {
			t.Errorf("%s: %d %v", name, code, m)
		}
	}
	code, m := issue(t, s, good)
	tok, _ := m["access_token"].(string)
	if code != 200 || tok == "" || m["scope"] != "environment-api:problems:read" || m["expires_in"] != 300.0 {
		t.Fatalf("token: %d %v", code, m)
	}
	if code, b := do(t, s, "GET", problems, "Bearer "+tok, "", ""); code != 200 {
		t.Errorf("oauth token: %d %s", code, b)
	}
	code, b := do(t, s, "GET", ClassicPlatformPrefix+"/events", "Bearer "+tok, "", "")
	var body struct {
		Error struct {
			Message string `json:"message"`
			Details struct {
				MissingScopes []string `json:"missingScopes"`
			} `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &body)
	if code != 403 || body.Error.Details.MissingScopes[0] != "environment-api:events:read" ||
		body.Error.Message != "OAuth token is missing required scope. Use one of: [environment-api:events:read]" {
		t.Errorf("missing scope: %d %s", code, b)
	}
	if s.TokenRequests() != 1 {
		t.Errorf("tokens issued = %d, want 1", s.TokenRequests())
	}
}

// TestPlatformSLOService: the listing pages by page-key sent alone; an evaluation answers at
// once or, while running, 202 with a token to poll.
func TestPlatformSLOService(t *testing.T) {
	s := Start(Options{PlatformToken: "pt", Now: func() time.Time { return now }}, platformData())
	t.Cleanup(s.Close)
	get := func(path string) (int, map[string]any) {
		code, b := do(t, s, "GET", path, "Bearer pt", "", "")
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return code, m
	}
	code, p1 := get("/platform/slo/v1/slos?page-size=2")
	key, _ := p1["nextPageKey"].(string)
	if code != 200 || len(p1["slos"].([]any)) != 2 || p1["totalCount"] != 3.0 || key == "" {
		t.Fatalf("first page: %d %v", code, p1)
	}
	if code, _ := get("/platform/slo/v1/slos?page-size=2&page-key=" + key); code != 400 {
		t.Errorf("page-key with page-size: %d, want 400", code)
	}
	if code, p2 := get("/platform/slo/v1/slos?page-key=" + key); code != 200 || len(p2["slos"].([]any)) != 1 || p2["nextPageKey"] != nil {
		t.Errorf("second page: %d %v", code, p2)
	}
	start := func(id string) (int, map[string]any) {
		code, b := do(t, s, "POST", "/platform/slo/v1/slos/evaluation:start", "Bearer pt", "application/json", `{"id":"`+id+`"}`)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return code, m
	}
	if code, m := start("slo-a"); code != 200 || len(m["evaluationResults"].([]any)) != 1 {
		t.Errorf("evaluation done at once: %d %v", code, m)
	}
	code, m := start("slo-c") // two polls pending
	tok, _ := m["evaluationToken"].(string)
	if code != 202 || m["evaluationResults"] != nil || tok == "" {
		t.Fatalf("evaluation running: %d %v", code, m)
	}
	if code, _ := get("/platform/slo/v1/slos/evaluation:poll?evaluation-token=" + tok); code != 202 {
		t.Errorf("first poll: %d, want 202", code)
	}
	code, m = get("/platform/slo/v1/slos/evaluation:poll?evaluation-token=" + tok)
	res, _ := m["evaluationResults"].([]any)
	if code != 200 || len(res) != 1 || res[0].(map[string]any)["value"] != 99.7 {
		t.Errorf("second poll: %d %v", code, m)
	}
}
