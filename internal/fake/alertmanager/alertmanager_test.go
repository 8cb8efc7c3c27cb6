package alertmanager

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

var now = time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)

func testAlerts() []Alert {
	return []Alert{
		{Labels: map[string]string{"alertname": "A", "service": "checkout", "severity": "critical"},
			Annotations: map[string]string{"summary": "a"}, StartsAt: now.Add(-time.Hour), GeneratorURL: "http://prom/graph"},
		{Labels: map[string]string{"alertname": "B", "service": "checkout"}, StartsAt: now.Add(-time.Minute)},
		{Labels: map[string]string{"alertname": "C", "service": "orders-db"}, StartsAt: now.Add(-time.Minute), InhibitedBy: []string{"x"}},
		{Labels: map[string]string{"alertname": "D", "service": "search"}, StartsAt: now.Add(-time.Minute), Unprocessed: true},
		{Labels: map[string]string{"alertname": "Old", "service": "checkout"}, StartsAt: now.Add(-2 * time.Hour), EndsAt: now.Add(-time.Hour)},
	}
}

func startTest(t *testing.T, o Options) *Server {
	o.Now = func() time.Time { return now }
	s := Start(o, testAlerts(), []Silence{{Matchers: []Matcher{{Name: "alertname", Value: "B"}}, StartsAt: now.Add(-time.Hour),
		EndsAt: now.Add(time.Hour), CreatedBy: "sam", Comment: "noise"}})
	t.Cleanup(s.Close)
	return s
}

func call(t *testing.T, method, u string, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, b := faketest.Do(t, req)
	return resp.StatusCode, b
}

// spec reads the definitions of a spec version; v0.25 servers predate mutedBy, so
// legacy answers are checked against v0.28.1 without that requirement.
func spec(t *testing.T, file string, legacy bool) *faketest.Spec {
	var o faketest.Options
	if legacy {
		o.Edit = func(doc map[string]any) {
			st := doc["definitions"].(map[string]any)["alertStatus"].(map[string]any)
			st["required"] = slices.DeleteFunc(st["required"].([]any), func(v any) bool { return v == "mutedBy" })
		}
	}
	return faketest.LoadSpec(t, "testdata/"+file, o)
}

func TestResponsesFollowTheSpec(t *testing.T) {
	cases := []struct {
		legacy bool
		files  []string
	}{
		{false, []string{"definitions-v0.34.0.json", "definitions-v0.28.1.json"}},
		{true, []string{"definitions-v0.28.1.json"}},
	}
	for _, tc := range cases {
		s := startTest(t, Options{Legacy: tc.legacy})
		for _, file := range tc.files {
			sp := spec(t, file, tc.legacy)
			for path, def := range map[string]string{"/api/v2/alerts": "gettableAlerts", "/api/v2/alerts/groups": "alertGroups",
				"/api/v2/silences": "gettableSilences", "/api/v2/status": "alertmanagerStatus"} {
				t.Run(fmt.Sprint(file, path, tc.legacy), func(t *testing.T) {
					status, body := call(t, "GET", s.URL+path, "")
					if status != 200 {
						t.Fatalf("%d %s", status, body)
					}
					faketest.Validate(t, sp.Schema(t, def), body)
					if tc.legacy == strings.Contains(string(body), "mutedBy") && path == "/api/v2/alerts" {
						t.Errorf("legacy=%v but mutedBy presence is wrong: %s", tc.legacy, body)
					}
				})
			}
		}
	}
}

func TestAlertQueries(t *testing.T) {
	s := startTest(t, Options{})
	cases := []struct {
		query  string
		status int
		want   []string // alertname:state in order of fingerprint
	}{
		{"", 200, []string{"A:active", "B:suppressed", "C:suppressed", "D:unprocessed"}},
		{"silenced=false", 200, []string{"A:active", "C:suppressed", "D:unprocessed"}},
		{"inhibited=false&silenced=false", 200, []string{"A:active", "D:unprocessed"}},
		{"active=false", 200, []string{"B:suppressed", "C:suppressed", "D:unprocessed"}},
		{"unprocessed=false&active=false", 200, []string{"B:suppressed", "C:suppressed"}},
		{"filter=" + url.QueryEscape(`service="checkout"`), 200, []string{"A:active", "B:suppressed"}},
		{"filter=" + url.QueryEscape(`service=~"checkout|orders\\-db"`) + "&filter=" + url.QueryEscape(`alertname!="A"`), 200, []string{"B:suppressed", "C:suppressed"}},
		{"filter=" + url.QueryEscape(`severity=""`) + "&filter=" + url.QueryEscape(`service!~"check.*"`), 200, []string{"C:suppressed", "D:unprocessed"}},
		{"filter=" + url.QueryEscape(`service=~checkout`), 200, []string{"A:active", "B:suppressed"}},
		{"receiver=def.*", 200, []string{"A:active", "B:suppressed", "C:suppressed", "D:unprocessed"}},
		{"receiver=other", 200, nil},
		{"filter=" + url.QueryEscape(`service=~"che(ck"`), 400, nil},
		{"filter=" + url.QueryEscape(`=x`), 400, nil},
		{"active=maybe", 400, nil},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			status, body := call(t, "GET", s.URL+"/api/v2/alerts?"+tc.query, "")
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			if status != 200 {
				var msg string
				if json.Unmarshal(body, &msg) != nil || msg == "" {
					t.Errorf("400 body is not a JSON string: %s", body)
				}
				return
			}
			var got []struct {
				Labels map[string]string
				Status struct{ State string }
			}
			_ = json.Unmarshal(body, &got)
			var names []string
			for _, a := range got {
				names = append(names, a.Labels["alertname"]+":"+a.Status.State)
			}
			slices.Sort(names)
			if !slices.Equal(names, tc.want) {
				t.Errorf("got %v, want %v", names, tc.want)
			}
		})
	}
}

func TestSilenceLifecycle(t *testing.T) {
	s := startTest(t, Options{})
	status, body := call(t, "POST", s.URL+"/api/v2/silences",
		`{"matchers":[{"name":"alertname","value":"A","isRegex":false}],"startsAt":"2025-11-26T11:00:00Z","endsAt":"2025-11-26T13:00:00Z","createdBy":"t","comment":"c"}`)
	var created struct{ SilenceID string }
	if status != 200 || json.Unmarshal(body, &created) != nil || created.SilenceID == "" {
		t.Fatalf("create: %d %s", status, body)
	}
	_, body = call(t, "GET", s.URL+"/api/v2/alerts?filter=alertname%3D%22A%22", "")
	if !strings.Contains(string(body), created.SilenceID) || !strings.Contains(string(body), `"suppressed"`) {
		t.Errorf("alert not silenced: %s", body)
	}
	if status, body := call(t, "GET", s.URL+"/api/v2/silence/"+created.SilenceID, ""); status != 200 || !strings.Contains(string(body), `"active"`) ||
		!strings.Contains(string(body), `"startsAt":"2025-11-26T12:00:00Z"`) {
		t.Errorf("get: %d %s (startsAt in the past must become now)", status, body)
	}
	if status, _ := call(t, "DELETE", s.URL+"/api/v2/silence/"+created.SilenceID, ""); status != 200 {
		t.Errorf("delete: %d", status)
	}
	_, body = call(t, "GET", s.URL+"/api/v2/alerts?filter=alertname%3D%22A%22", "")
	if !strings.Contains(string(body), `"active"`) {
		t.Errorf("alert still silenced after expiry: %s", body)
	}
	for _, bad := range []string{`{`, `{"matchers":[],"endsAt":"2025-11-26T13:00:00Z","createdBy":"t"}`,
		`{"matchers":[{"name":"a","value":"(","isRegex":true}],"endsAt":"2025-11-26T13:00:00Z","createdBy":"t"}`} {
		if status, _ := call(t, "POST", s.URL+"/api/v2/silences", bad); status != 400 {
			t.Errorf("POST %s: %d, want 400", bad, status)
		}
	}
}

func TestGroupsAndAuth(t *testing.T) {
	s := startTest(t, Options{GroupBy: []string{"service"}, Username: "u", Password: "p"})
	if status, _ := call(t, "GET", s.URL+"/api/v2/alerts/groups", ""); status != 401 {
		t.Fatalf("no credentials: %d, want 401", status)
	}
	u, _ := url.Parse(s.URL)
	u.User = url.UserPassword("u", "p")
	_, body := call(t, "GET", u.String()+"/api/v2/alerts/groups?muted=false", "")
	var gs []struct {
		Labels map[string]string
		Alerts []any
	}
	_ = json.Unmarshal(body, &gs)
	var got []string
	for _, g := range gs {
		got = append(got, fmt.Sprint(g.Labels["service"], len(g.Alerts)))
	}
	if want := []string{"checkout2", "search1"}; !slices.Equal(got, want) { // orders-db is muted entirely
		t.Errorf("groups %v, want %v", got, want)
	}
}
