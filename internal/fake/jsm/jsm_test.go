package jsm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/fake"
	jsmfake "github.com/opsctx/opsctx/internal/fake/jsm"
	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

const (
	email = "ops@example.com"
	token = "jsm-test-token"
	cloud = "3b1f0c0e-9d7a-4c55-8a52-1b2c3d4e5f60"
)

var now = time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC) // a Wednesday

func at(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }

// sample: team checkout (T1) owns schedule S1 (Sam, and Lena through an escalation, on a
// shift until 18:00); seven alerts, odd ones open on checkout; five users, Ada's e-mail hidden.
func sample() jsmfake.Data {
	d := jsmfake.Data{
		CloudID: cloud,
		Now:     func() time.Time { return now },
		Teams:   []jsmfake.Team{{TeamID: "T1", TeamName: "checkout"}, {TeamID: "T2", TeamName: "other"}},
		Schedules: []jsmfake.Schedule{{ID: "S1", Name: "checkout_schedule", Timezone: "UTC", Enabled: true, TeamID: "T1"},
			{ID: "S2", Name: "empty", Timezone: "UTC", TeamID: "T2"}},
		OnCall: map[string][]jsmfake.Participant{"S1": {{ID: "A1", Type: "user"},
			{ID: "E1", Type: "escalation", OnCallParticipants: []jsmfake.Participant{{ID: "A2", Type: "user", ForwardedFrom: &jsmfake.Responder{ID: "A3", Type: "user"}}}}}},
		Rotations: map[string][]jsmfake.Rotation{"S1": {{ID: "R1", Name: "primary", Periods: []jsmfake.Period{
			{StartDate: at(30 * time.Hour), EndDate: at(-6 * time.Hour), Type: "base", Responder: jsmfake.Responder{ID: "A1", Type: "user"}},
			{StartDate: at(-6 * time.Hour), EndDate: at(-30 * time.Hour), Type: "base", Responder: jsmfake.Responder{ID: "A2", Type: "user"}},
			{StartDate: at(30 * 24 * time.Hour), EndDate: at(29 * 24 * time.Hour), Type: "historical", Responder: jsmfake.Responder{ID: "A2", Type: "user"}},
		}}}},
		Escalations: map[string][]jsmfake.Escalation{"T1": {{ID: "E1", Name: "checkout_escalation", Enabled: true,
			Rules: []jsmfake.EscalationRule{
				{Condition: "if-not-acked", NotifyType: "default", Delay: jsmfake.Delay{TimeAmount: 0, TimeUnit: "minutes"}, Recipient: jsmfake.Responder{ID: "S1", Type: "schedule"}},
				{Condition: "if-not-acked", NotifyType: "default", Delay: jsmfake.Delay{TimeAmount: 30, TimeUnit: "minutes"}, Recipient: jsmfake.Responder{ID: "A2", Type: "user"}},
			}, Repeat: &jsmfake.Repeat{WaitInterval: 10, Count: 2}}}},
	}
	for i, name := range []string{"Sam Okafor", "Lena Fischer", "Ada Byrne", "Bo Chen", "Cy Diaz"} {
		u := jsmfake.User{AccountID: fmt.Sprintf("A%d", i+1), AccountType: "atlassian", DisplayName: name, Active: true, TimeZone: "UTC"}
		if i != 2 {
			u.EmailAddress = strings.ToLower(strings.Fields(name)[0]) + "@example.com"
		}
		d.Users = append(d.Users, u)
	}
	for i := 1; i <= 7; i++ {
		a := jsmfake.Alert{ID: fmt.Sprintf("id-%d", i), TinyID: fmt.Sprint(1000 + i), Alias: fmt.Sprintf("alias-%d", i),
			Message: fmt.Sprintf("Alert %d", i), Status: "closed", Tags: []string{}, Count: 1, CreatedAt: at(time.Duration(i) * time.Hour),
			UpdatedAt: at(time.Duration(i) * time.Hour), LastOccurredAt: at(time.Duration(i) * time.Hour), Priority: "P3",
			Responders: []jsmfake.Responder{}, Entity: "checkout", Actions: []string{}, ExtraProperties: map[string]string{"k": "v"}}
		if i%2 == 1 {
			a.Status, a.Tags, a.Responders = "open", []string{"service:checkout"}, []jsmfake.Responder{{Type: "team", ID: "T1"}}
		}
		d.Alerts = append(d.Alerts, a)
	}
	return d
}

func get(t *testing.T, srv *fake.Server, path, user, pass string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, b := faketest.Do(t, req)
	return resp.StatusCode, resp.Header, b
}

const ops = "/jsm/ops/api/" + cloud

// TestResponsesMatchSpec validates every endpoint's answer and the error bodies against the
// schemas in testdata/openapi-subset.json.
func TestResponsesMatchSpec(t *testing.T) {
	spec := faketest.LoadSpec(t, "testdata/openapi-subset.json", faketest.Options{Draft4: true})
	d := sample()
	d.Denied = nil
	srv := jsmfake.Start(d, email, token)
	defer srv.Close()
	tests := []struct{ op, path, status string }{
		{"/_edge/tenant_info", "/_edge/tenant_info", "200"},
		{"/v1/alerts", ops + "/v1/alerts?size=3&offset=2&query=" + url.QueryEscape("status:open OR status:closed"), "200"},
		{"/v1/alerts", ops + "/v1/alerts", "200"},
		{"/v1/alerts/{id}", ops + "/v1/alerts/id-1", "200"},
		{"/v1/alerts/{id}", ops + "/v1/alerts/nope", "404"},
		{"/v1/alerts/alias", ops + "/v1/alerts/alias?alias=alias-3", "200"},
		{"/v1/alerts", ops + "/v1/alerts?query=" + url.QueryEscape("status:open AND ("), "400"},
		{"/v1/teams", ops + "/v1/teams", "200"},
		{"/v1/teams/{teamId}/escalations", ops + "/v1/teams/T1/escalations", "200"},
		{"/v1/schedules", ops + "/v1/schedules?size=1", "200"},
		{"/v1/schedules/{scheduleId}/on-calls", ops + "/v1/schedules/S1/on-calls", "200"},
		{"/v1/schedules/{scheduleId}/on-calls", ops + "/v1/schedules/S1/on-calls?flat=true", "200"},
		{"/v1/schedules/{scheduleId}/on-calls", ops + "/v1/schedules/nope/on-calls", "404"},
		{"/v1/schedules/{scheduleId}/timeline", ops + "/v1/schedules/S1/timeline?interval=2&intervalUnit=weeks", "200"},
		{"/rest/api/3/users/search", "/rest/api/3/users/search?maxResults=2", "200"},
		{"/rest/api/3/users/search", "/ex/jira/" + cloud + "/rest/api/3/users/search", "200"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, h, body := get(t, srv, tt.path, email, token)
			if fmt.Sprint(status) != tt.status || h.Get("ATL-TraceId") == "" {
				t.Fatalf("status %d headers %v: %s", status, h, body)
			}
			faketest.Validate(t, spec.Response(t, tt.op, tt.status), body)
		})
	}
	t.Run("demo", func(t *testing.T) {
		env, err := demo.StartAt(context.Background(), now)
		if err != nil {
			t.Fatal(err)
		}
		defer env.Close()
		srv, c := env.Servers["jsm"], env.Config.Sources.JSM[0]
		ops := "/jsm/ops/api/" + demo.JSMCloud + "/v1"
		for op, path := range map[string]string{
			"/_edge/tenant_info": "/_edge/tenant_info", "/v1/alerts": ops + "/alerts", "/v1/teams": ops + "/teams",
			"/v1/schedules": ops + "/schedules", "/rest/api/3/users/search": "/rest/api/3/users/search",
		} {
			status, _, body := get(t, srv, path, c.Email, c.APIToken.Value())
			if status != 200 {
				t.Fatalf("%s: status %d", path, status)
			}
			faketest.Validate(t, spec.Response(t, op, "200"), body)
		}
		var teams struct{ PlatformTeams []jsmfake.Team }
		var scheds struct{ Values []jsmfake.Schedule }
		_, _, b := get(t, srv, ops+"/teams", c.Email, c.APIToken.Value())
		_ = json.Unmarshal(b, &teams)
		_, _, b = get(t, srv, ops+"/schedules", c.Email, c.APIToken.Value())
		_ = json.Unmarshal(b, &scheds)
		if len(teams.PlatformTeams) == 0 || len(scheds.Values) == 0 {
			t.Fatalf("demo has no JSM team or schedule: %+v %+v", teams, scheds)
		}
		for op, path := range map[string]string{
			"/v1/teams/{teamId}/escalations":      ops + "/teams/" + teams.PlatformTeams[0].TeamID + "/escalations",
			"/v1/schedules/{scheduleId}/on-calls": ops + "/schedules/" + scheds.Values[0].ID + "/on-calls",
			"/v1/schedules/{scheduleId}/timeline": ops + "/schedules/" + scheds.Values[0].ID + "/timeline",
		} {
			status, _, body := get(t, srv, path, c.Email, c.APIToken.Value())
			if status != 200 {
				t.Fatalf("%s: status %d", path, status)
			}
			faketest.Validate(t, spec.Response(t, op, "200"), body)
		}
	})
	t.Run("errors", func(t *testing.T) {
		status, h, body := get(t, srv, ops+"/v1/alerts", email, "wrong")
		if status != 401 || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("status %d %v", status, h)
		}
		faketest.Validate(t, spec.Response(t, "/v1/alerts", "401"), body)
		status, _, body = get(t, srv, "/rest/api/3/users/search", "", "")
		if status != 401 {
			t.Fatalf("status %d", status)
		}
		faketest.Validate(t, spec.Response(t, "/rest/api/3/users/search", "401"), body)
		denied := sample()
		denied.Denied = []string{jsmfake.ScopeConfig, jsmfake.ScopeUsers}
		dsrv := jsmfake.Start(denied, email, token)
		defer dsrv.Close()
		for path, op := range map[string]string{ops + "/v1/schedules": "/v1/schedules", "/rest/api/3/users/search": "/rest/api/3/users/search"} {
			status, _, body = get(t, dsrv, path, email, token)
			if status != 403 {
				t.Fatalf("%s: status %d", path, status)
			}
			faketest.Validate(t, spec.Response(t, op, "403"), body)
		}
		srv.AddFault(jsmfake.RateLimited(7, now))
		defer srv.ClearFaults()
		status, h, body = get(t, srv, ops+"/v1/alerts", email, token)
		if status != 429 || h.Get("Retry-After") != "7" || h.Get("X-RateLimit-Reset") != "2025-03-05T12:00Z" {
			t.Fatalf("status %d headers %v", status, h)
		}
		faketest.Validate(t, spec.Response(t, "/v1/alerts", "429"), body)
	})
}

func TestProtocol(t *testing.T) {
	srv := jsmfake.Start(sample(), email, token)
	defer srv.Close()
	q := url.QueryEscape
	tests := []struct {
		name, path string
		status     int
		check      func(t *testing.T, b any)
	}{
		{"default page of 20, newest first", ops + "/v1/alerts", 200, ids("id-1", "id-2", "id-3", "id-4", "id-5", "id-6", "id-7")},
		{"query", ops + "/v1/alerts?query=" + q(`status:open AND tag:"service:checkout"`), 200, ids("id-1", "id-3", "id-5", "id-7")},
		{"teams field", ops + "/v1/alerts?query=" + q("teams:checkout NOT tinyId:1003"), 200, ids("id-1", "id-5", "id-7")},
		{"paging", ops + "/v1/alerts?size=3&offset=3&order=asc", 200, func(t *testing.T, b any) {
			ids("id-4", "id-3", "id-2")(t, b)
			if next := b.(map[string]any)["links"].(map[string]any)["next"]; next != "/v1/alerts?offset=6&order=asc&size=3" {
				t.Errorf("next %v", next)
			}
		}},
		{"last page has no next", ops + "/v1/alerts?size=3&offset=6", 200, func(t *testing.T, b any) {
			if _, ok := b.(map[string]any)["links"].(map[string]any)["next"]; ok {
				t.Error("next on the last page")
			}
		}},
		{"size over 100", ops + "/v1/alerts?size=101", 400, nil},
		{"beyond 20000", ops + "/v1/alerts?offset=19950&size=100", 400, nil},
		{"wrong cloud id", "/jsm/ops/api/other/v1/alerts", 404, nil},
		{"schedules paged", ops + "/v1/schedules?size=1", 200, func(t *testing.T, b any) {
			if next := b.(map[string]any)["links"].(map[string]any)["next"]; next != "/v1/schedules?offset=1&size=1" {
				t.Errorf("next %v", next)
			}
		}},
		{"flat on-calls are user ids", ops + "/v1/schedules/S1/on-calls?flat=true", 200, func(t *testing.T, b any) {
			if got := fmt.Sprint(b.(map[string]any)["onCallUsers"]); got != "[A1 A2]" {
				t.Errorf("users %s", got)
			}
		}},
		{"timeline clipped to the window", ops + "/v1/schedules/S1/timeline?interval=1&intervalUnit=days", 200, func(t *testing.T, b any) {
			ps := b.(map[string]any)["finalTimeline"].(map[string]any)["rotations"].([]any)[0].(map[string]any)["periods"].([]any)
			if len(ps) != 2 || ps[0].(map[string]any)["startDate"] != "2025-03-05T00:00:00Z" || ps[0].(map[string]any)["endDate"] != "2025-03-05T18:00:00Z" ||
				ps[1].(map[string]any)["endDate"] != "2025-03-06T00:00:00Z" {
				t.Errorf("periods %v", ps)
			}
		}},
		{"escalations of an unknown team", ops + "/v1/teams/T9/escalations", 404, nil},
		{"users paged by startAt", "/rest/api/3/users/search?startAt=2&maxResults=2", 200, func(t *testing.T, b any) {
			us := b.([]any)
			if len(us) != 2 || us[0].(map[string]any)["accountId"] != "A3" || us[0].(map[string]any)["emailAddress"] != nil {
				t.Errorf("users %v", us)
			}
		}},
		{"users past the end", "/rest/api/3/users/search?startAt=9", 200, func(t *testing.T, b any) {
			if len(b.([]any)) != 0 {
				t.Errorf("users %v", b)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, raw := get(t, srv, tt.path, email, token)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			var b any
			if err := json.Unmarshal(raw, &b); err != nil {
				t.Fatalf("%v: %s", err, raw)
			}
			if tt.check != nil {
				tt.check(t, b)
			}
		})
	}
}

func ids(want ...string) func(*testing.T, any) {
	return func(t *testing.T, b any) {
		var got []string
		for _, a := range b.(map[string]any)["values"].([]any) {
			got = append(got, a.(map[string]any)["id"].(string))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ids %v, want %v", got, want)
		}
	}
}
