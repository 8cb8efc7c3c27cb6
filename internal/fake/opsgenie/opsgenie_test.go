package opsgenie_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/fake"
	og "github.com/opsctx/opsctx/internal/fake/opsgenie"
	"github.com/opsctx/opsctx/internal/fake/schedule"
	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

const key = "og-test-key"

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }

// sample: seven alerts; odd ones open and tagged service:checkout, alert 2 on entity cart.
func sample() og.Data {
	d := og.Data{
		Now:   func() time.Time { return now },
		Teams: []og.Team{{ID: "T1", Name: "checkout", Members: []og.TeamMember{{User: og.UserMeta{ID: "U1", Username: "sam@example.com"}, Role: "admin"}}}},
		Schedules: []og.Schedule{{ID: "S1", Name: "checkout_schedule", Timezone: "UTC", Enabled: true, OwnerTeam: &og.TeamMeta{ID: "T1", Name: "checkout"}},
			{ID: "S2", Name: "empty", Timezone: "UTC"}, {ID: "S3", Name: "rotating", Timezone: "UTC", Enabled: true}},
		// S3: Sam until +4 h, then Bo; Lena overrides from +2 h to +6 h.
		Rotations: map[string][]schedule.Shift{"S3": {
			{Rotation: "primary", Start: now.Add(-8 * time.Hour), End: now.Add(4 * time.Hour), Who: "sam@example.com"},
			{Rotation: "primary", Start: now.Add(4 * time.Hour), End: now.Add(16 * time.Hour), Who: "bo@example.com"},
			{Rotation: "primary", Start: now.Add(2 * time.Hour), End: now.Add(6 * time.Hour), Who: "lena@example.com", Override: true},
		}},
		OnCall: map[string][]og.Participant{"S1": {{ID: "U1", Name: "sam@example.com", Type: "user"},
			{ID: "E1", Name: "backup", Type: "escalation", OnCallParticipants: []og.Participant{{ID: "U2", Name: "lena@example.com", Type: "user"}}}}},
		Escalations: []og.Escalation{{ID: "E1", Name: "checkout_escalation", OwnerTeam: &og.TeamMeta{ID: "T1", Name: "checkout"},
			Rules: []og.EscalationRule{
				{Condition: "if-not-acked", NotifyType: "default", Delay: og.Duration{TimeAmount: 0, TimeUnit: "minutes"}, Recipient: og.Recipient{Type: "schedule", ID: "S1", Name: "checkout_schedule"}},
				{Condition: "if-not-acked", NotifyType: "default", Delay: og.Duration{TimeAmount: 30, TimeUnit: "minutes"}, Recipient: og.Recipient{Type: "user", ID: "U2", Username: "lena@example.com"}},
			}, Repeat: &og.Repeat{WaitInterval: 10, Count: 2}}},
	}
	for i, name := range []string{"Sam Okafor", "Lena Fischer", "Ada Byrne", "Bo Chen", "Cy Diaz"} {
		d.Users = append(d.Users, og.User{ID: fmt.Sprintf("U%d", i+1), Username: strings.ToLower(strings.Fields(name)[0]) + "@example.com",
			FullName: name, Role: &og.UserRole{ID: "User", Name: "User"}, TimeZone: "UTC", Locale: "en_US", Verified: true, CreatedAt: at(time.Duration(i) * time.Hour)})
	}
	for i := 1; i <= 7; i++ {
		a := og.Alert{BaseAlert: og.BaseAlert{ID: fmt.Sprintf("id-%d", i), TinyID: fmt.Sprint(1000 + i), Alias: fmt.Sprintf("alias-%d", i),
			Message: fmt.Sprintf("Alert %d", i), Status: "closed", Tags: []string{}, Count: 1, CreatedAt: at(time.Duration(i) * time.Hour),
			UpdatedAt: at(time.Duration(i) * time.Hour), LastOccurredAt: at(time.Duration(i) * time.Hour), Priority: "P3",
			Responders: []og.Responder{}, Integration: &og.Integration{ID: "I1", Name: "API", Type: "API"}, Report: &og.Report{}},
			Actions: []string{"restart"}, Entity: "checkout", Details: map[string]string{"k": "v"}}
		if i%2 == 1 {
			a.Status, a.Tags, a.Responders = "open", []string{"service:checkout", "p1"}, []og.Responder{{Type: "team", ID: "T1"}}
		}
		if i == 2 {
			a.Entity = "cart"
		}
		d.Alerts = append(d.Alerts, a)
	}
	return d
}

// flatOnCall checks a flat on-calls answer.
func flatOnCall(want string) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, b map[string]any, _ http.Header) {
		if got := fmt.Sprint(b["data"].(map[string]any)["onCallRecipients"]); got != want {
			t.Errorf("recipients %s, want %s", got, want)
		}
	}
}

func get(t *testing.T, srv *fake.Server, path, k string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Authorization", "GenieKey "+k)
	resp, b := faketest.Do(t, req)
	return resp.StatusCode, resp.Header, b
}

// TestResponsesMatchSpec validates every endpoint's answer (sample data and the demo)
// against the official response schemas, escalation recipients against their subtype,
// and error bodies against the shared error responses.
func TestResponsesMatchSpec(t *testing.T) {
	spec := faketest.LoadSpec(t, "testdata/swagger-subset.json", faketest.Options{Draft4: true})
	env, err := demo.StartAt(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	smp := og.Start(sample(), key)
	defer smp.Close()
	cases := []struct {
		name          string
		srv           *fake.Server
		key           string
		alert, sched  string // sched: the on-calls path after /v2/schedules/, ending in its query
		timeline      string // the timeline path after /v2/schedules/
		esc, teamName string
	}{
		{"sample", smp, key, "id-1", "S1/on-calls?", "S3/timeline?interval=2&intervalUnit=days", "E1", "checkout"},
		{"demo", env.Servers["opsgenie"], string(env.Config.Sources.Opsgenie[0].APIKey), demo.OGTinyID + "?identifierType=tiny",
			demo.OGSchedule + "/on-calls?scheduleIdentifierType=name", demo.OGSchedule + "/timeline?identifierType=name",
			"checkout_escalation?identifierType=name", demo.OGTeam},
	}
	for _, c := range cases {
		if c.srv == nil {
			t.Fatalf("%s: no opsgenie fake", c.name)
		}
		tests := []struct{ op, path string }{
			{"/v2/alerts", "/v2/alerts?limit=3&offset=2&query=" + url.QueryEscape("status:open OR status:closed")},
			{"/v2/alerts", "/v2/alerts"},
			{"/v2/alerts/count", "/v2/alerts/count?query=status:open"},
			{"/v2/alerts/{identifier}", "/v2/alerts/" + c.alert},
			{"/v2/teams", "/v2/teams"},
			{"/v2/teams/{identifier}", "/v2/teams/" + c.teamName + "?identifierType=name"},
			{"/v2/schedules", "/v2/schedules"},
			{"/v2/schedules/{identifier}/on-calls", "/v2/schedules/" + c.sched},
			{"/v2/schedules/{identifier}/on-calls", "/v2/schedules/" + c.sched + "&flat=true"},
			{"/v2/schedules/{identifier}/timeline", "/v2/schedules/" + c.timeline},
			{"/v2/escalations", "/v2/escalations"},
			{"/v2/escalations/{identifier}", "/v2/escalations/" + c.esc},
			{"/v2/users", "/v2/users"},
			{"/v2/users", "/v2/users?limit=1&offset=1&sortField=fullName&order=desc"},
		}
		for _, tt := range tests {
			t.Run(c.name+" "+tt.path, func(t *testing.T) {
				status, h, body := get(t, c.srv, tt.path, c.key)
				if status != http.StatusOK || h.Get("X-Request-ID") == "" {
					t.Fatalf("status %d headers %v: %s", status, h, body)
				}
				faketest.Validate(t, spec.Response(t, tt.op, "200"), body)
				if strings.HasPrefix(tt.op, "/v2/escalations") {
					inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(body)))
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range recipients(inst) {
						faketest.ValidateValue(t, spec.Schema(t, map[string]string{"user": "UserRecipient", "schedule": "ScheduleRecipient",
							"team": "TeamRecipient", "escalation": "EscalationRecipient"}[r["type"].(string)]), r)
					}
				}
			})
		}
		t.Run(c.name+" errors", func(t *testing.T) {
			status, _, body := get(t, c.srv, "/v2/alerts", "wrong")
			if status != http.StatusUnauthorized {
				t.Fatalf("status %d", status)
			}
			faketest.Validate(t, spec.Response(t, "/v2/alerts", "401"), body)
			status, _, body = get(t, c.srv, "/v2/alerts/nope?identifierType=alias", c.key)
			if status != http.StatusNotFound {
				t.Fatalf("status %d", status)
			}
			faketest.Validate(t, spec.Response(t, "/v2/alerts/{identifier}", "404"), body)
		})
	}
}

// recipients returns the rule recipients of an escalation response (one or a list).
func recipients(v any) []map[string]any {
	var escs []any
	switch d := v.(map[string]any)["data"].(type) {
	case []any:
		escs = d
	case map[string]any:
		escs = []any{d}
	}
	var out []map[string]any
	for _, e := range escs {
		for _, r := range e.(map[string]any)["rules"].([]any) {
			out = append(out, r.(map[string]any)["recipient"].(map[string]any))
		}
	}
	return out
}

func TestProtocol(t *testing.T) {
	srv := og.Start(sample(), key)
	defer srv.Close()
	q := func(s string) string { return url.QueryEscape(s) }
	tests := []struct {
		name   string
		path   string
		key    string
		status int
		check  func(t *testing.T, b map[string]any, h http.Header)
	}{
		{"wrong key", "/v2/alerts", "nope", 401, message("Could not authenticate")},
		{"default page of 20, newest first", "/v2/alerts", "", 200, ids("id-1", "id-2", "id-3", "id-4", "id-5", "id-6", "id-7")},
		{"query", "/v2/alerts?query=" + q(`status:open AND tag:"service:checkout"`), "", 200, ids("id-1", "id-3", "id-5", "id-7")},
		{"value with a colon unquoted", "/v2/alerts?query=" + q("status:open AND tag:service:checkout"), "", 422,
			message("Invalid query: tag:service: a value holding ':' must be quoted")},
		{"quoted value, implicit AND, NOT", "/v2/alerts?query=" + q(`tag:"service:checkout" NOT tinyId:1003`), "", 200, ids("id-1", "id-5", "id-7")},
		{"space after the colon, escaped quote", "/v2/alerts?query=" + q(`tag: "service:checkout" AND NOT message: "say \"hi\""`), "", 200, ids("id-1", "id-3", "id-5", "id-7")},
		{"OR and parentheses", "/v2/alerts?query=" + q("status:closed AND (entity:cart OR alias:alias-4)"), "", 200, ids("id-2", "id-4")},
		{"values of one field", "/v2/alerts?query=" + q("status:closed AND alias: (alias-2 OR alias-4)"), "", 200, ids("id-2", "id-4")},
		{"comparison", "/v2/alerts?query=" + q("tinyId >= 1005"), "", 200, ids("id-5", "id-6", "id-7")},
		{"teams", "/v2/alerts?query=" + q("teams:checkout"), "", 200, ids("id-1", "id-3", "id-5", "id-7")},
		{"bad query", "/v2/alerts?query=" + q("status:open AND ("), "", 422, message("Invalid query: expected a term")},
		{"unknown field", "/v2/alerts?query=" + q("colour:red"), "", 422, message(`Invalid query: unknown field "colour"`)},
		{"unquoted space in a value is two terms", "/v2/alerts?query=" + q("message:disk full"), "", 422, message(`Invalid query: unknown field "full"`)},
		{"lower-case operator", "/v2/alerts?query=" + q("status:open and status:closed"), "", 422, message(`Invalid query: unknown field "and"`)},
		{"limit over 100", "/v2/alerts?limit=101", "", 422, message("Limit should be between 1 and 100")},
		{"paging", "/v2/alerts?limit=3&offset=3&order=asc", "", 200, func(t *testing.T, b map[string]any, h http.Header) {
			ids("id-4", "id-3", "id-2")(t, b, h)
			p := b["paging"].(map[string]any)
			if !strings.Contains(p["next"].(string), "offset=6") || !strings.Contains(p["prev"].(string), "offset=0") ||
				!strings.Contains(p["last"].(string), "offset=6") || h.Get("X-Paging-Next") != p["next"] {
				t.Errorf("paging %v headers %v", p, h)
			}
		}},
		{"last page", "/v2/alerts?limit=3&offset=6", "", 200, func(t *testing.T, b map[string]any, h http.Header) {
			ids("id-7")(t, b, h)
			if _, ok := b["paging"].(map[string]any)["next"]; ok || h.Get("X-Paging-Next") != "" {
				t.Errorf("last page has a next link: %v", b["paging"])
			}
		}},
		{"count", "/v2/alerts/count?query=status:open", "", 200, func(t *testing.T, b map[string]any, _ http.Header) {
			if b["data"].(map[string]any)["count"] != 4.0 {
				t.Errorf("count %v", b["data"])
			}
		}},
		{"alert by tiny id", "/v2/alerts/1003?identifierType=tiny", "", 200, field("id", "id-3")},
		{"alert by alias", "/v2/alerts/alias-4?identifierType=alias", "", 200, field("entity", "checkout")},
		{"alert by id", "/v2/alerts/id-2", "", 200, field("entity", "cart")},
		{"tiny id is not an id", "/v2/alerts/1003", "", 404, message("Alert does not exist")},
		{"bad identifierType", "/v2/alerts/1003?identifierType=number", "", 422, nil},
		{"on-calls by name", "/v2/schedules/checkout_schedule/on-calls?scheduleIdentifierType=name&flat=true", "", 200,
			func(t *testing.T, b map[string]any, _ http.Header) {
				if got := fmt.Sprint(b["data"].(map[string]any)["onCallRecipients"]); got != "[sam@example.com lena@example.com]" {
					t.Errorf("recipients %s", got)
				}
			}},
		{"empty schedule", "/v2/schedules/S2/on-calls", "", 200, func(t *testing.T, b map[string]any, _ http.Header) {
			if ps := b["data"].(map[string]any)["onCallParticipants"].([]any); len(ps) != 0 {
				t.Errorf("participants %v", ps)
			}
		}},
		{"unknown schedule", "/v2/schedules/nope/on-calls", "", 404, nil},
		{"on-calls now", "/v2/schedules/S3/on-calls?flat=true", "", 200, flatOnCall("[sam@example.com]")},
		{"on-calls at a date: the override wins", "/v2/schedules/S3/on-calls?flat=true&date=" + url.QueryEscape(at(-3*time.Hour)), "", 200,
			flatOnCall("[lena@example.com]")},
		{"on-calls at a date after the override", "/v2/schedules/S3/on-calls?flat=true&date=" + url.QueryEscape(at(-7*time.Hour)), "", 200,
			flatOnCall("[bo@example.com]")},
		{"on-calls: bad date", "/v2/schedules/S3/on-calls?date=tomorrow", "", 422, nil},
		{"timeline: the final rotation with the override cut in", "/v2/schedules/S3/timeline?interval=1&intervalUnit=days", "", 200,
			func(t *testing.T, b map[string]any, _ http.Header) {
				d := b["data"].(map[string]any)
				var got []string
				for _, p := range d["finalTimeline"].(map[string]any)["rotations"].([]any)[0].(map[string]any)["periods"].([]any) {
					p := p.(map[string]any)
					got = append(got, fmt.Sprintf("%s %s..%s %s", p["recipient"].(map[string]any)["name"], p["startDate"], p["endDate"], p["type"]))
				}
				want := []string{"sam@example.com 2025-03-01T04:00:00Z..2025-03-01T14:00:00Z default",
					"lena@example.com 2025-03-01T14:00:00Z..2025-03-01T18:00:00Z override",
					"bo@example.com 2025-03-01T18:00:00Z..2025-03-02T00:00:00Z default"}
				if fmt.Sprint(got) != fmt.Sprint(want) || d["startDate"] != "2025-03-01T00:00:00Z" || d["endDate"] != "2025-03-02T00:00:00Z" {
					t.Errorf("timeline %q, want %q (%v..%v)", got, want, d["startDate"], d["endDate"])
				}
			}},
		{"timeline: bad unit", "/v2/schedules/S3/timeline?intervalUnit=hours", "", 422, nil},
		{"team list omits members", "/v2/teams", "", 200, func(t *testing.T, b map[string]any, _ http.Header) {
			if _, ok := b["data"].([]any)[0].(map[string]any)["members"]; ok {
				t.Error("members listed")
			}
		}},
		{"team by name has members", "/v2/teams/checkout?identifierType=name", "", 200, func(t *testing.T, b map[string]any, _ http.Header) {
			if len(b["data"].(map[string]any)["members"].([]any)) != 1 {
				t.Errorf("team %v", b["data"])
			}
		}},
		{"users: default page of 100 in listed order", "/v2/users", "", 200,
			users(5, "sam@example.com", "lena@example.com", "ada@example.com", "bo@example.com", "cy@example.com")},
		{"users: first page", "/v2/users?limit=2", "", 200, func(t *testing.T, b map[string]any, h http.Header) {
			users(5, "sam@example.com", "lena@example.com")(t, b, h)
			p := b["paging"].(map[string]any)
			if !strings.Contains(p["next"].(string), "offset=2") || !strings.Contains(p["last"].(string), "offset=4") ||
				p["prev"] != nil || h.Get("X-Paging-Next") != p["next"] || h.Get("X-Paging-First") != p["first"] {
				t.Errorf("paging %v headers %v", p, h)
			}
		}},
		{"users: middle page keeps the query", "/v2/users?limit=2&offset=2&sortField=username", "", 200, func(t *testing.T, b map[string]any, h http.Header) {
			users(5, "cy@example.com", "lena@example.com")(t, b, h)
			p := b["paging"].(map[string]any)
			if !strings.Contains(p["next"].(string), "offset=4") || !strings.Contains(p["next"].(string), "sortField=username") ||
				!strings.Contains(p["prev"].(string), "offset=0") {
				t.Errorf("paging %v", p)
			}
		}},
		{"users: last page", "/v2/users?limit=2&offset=4", "", 200, func(t *testing.T, b map[string]any, h http.Header) {
			users(5, "cy@example.com")(t, b, h)
			if _, ok := b["paging"].(map[string]any)["next"]; ok || h.Get("X-Paging-Next") != "" {
				t.Errorf("last page has a next link: %v", b["paging"])
			}
		}},
		{"users: past the end", "/v2/users?offset=9", "", 200, users(5)},
		{"users: by full name, descending", "/v2/users?sortField=fullName&order=desc&limit=2", "", 200, users(5, "sam@example.com", "lena@example.com")},
		{"users: bad limit", "/v2/users?limit=0", "", 422, message("Limit should be between 1 and 100")},
		{"users: bad sortField", "/v2/users?sortField=role", "", 422, message("sortField should be one of")},
		{"users: search not supported", "/v2/users?query=blocked:true", "", 422, nil},
		{"unknown path", "/v2/heartbeats", "", 404, message("Resource not found")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := key
			if tt.key != "" {
				k = tt.key
			}
			status, h, raw := get(t, srv, tt.path, k)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			var b map[string]any
			if err := json.Unmarshal(raw, &b); err != nil {
				t.Fatalf("%v: %s", err, raw)
			}
			if b["requestId"] == nil || b["took"] == nil {
				t.Errorf("envelope %v", b)
			}
			if tt.check != nil {
				tt.check(t, b, h)
			}
		})
	}
}

func message(m string) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, b map[string]any, _ http.Header) {
		if got, _ := b["message"].(string); !strings.HasPrefix(got, m) {
			t.Errorf("message %q, want %q...", got, m)
		}
	}
}

func ids(want ...string) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, b map[string]any, _ http.Header) {
		var got []string
		for _, a := range b["data"].([]any) {
			got = append(got, a.(map[string]any)["id"].(string))
			if _, ok := a.(map[string]any)["entity"]; ok {
				t.Error("alert list includes detail fields")
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ids %v, want %v", got, want)
		}
	}
}

// users checks a user page: its usernames in order, totalCount and that each has a fullName.
func users(total int, want ...string) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, b map[string]any, _ http.Header) {
		got := []string{}
		for _, u := range b["data"].([]any) {
			got = append(got, u.(map[string]any)["username"].(string))
			if u.(map[string]any)["fullName"] == "" {
				t.Errorf("user %v has no fullName", u)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || b["totalCount"] != float64(total) {
			t.Errorf("users %v of %v, want %v of %d", got, b["totalCount"], want, total)
		}
	}
}

func field(k, v string) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, b map[string]any, _ http.Header) {
		if got := b["data"].(map[string]any)[k]; got != v {
			t.Errorf("%s = %v, want %s", k, got, v)
		}
	}
}

// TestKeyAccess: a key without Read or Configuration access, or a team integration's key, is
// refused as Opsgenie refuses it (403, code 40301), and only there.
func TestKeyAccess(t *testing.T) {
	other := sample()
	other.Schedules = append(other.Schedules, og.Schedule{ID: "S9", Name: "payments_schedule", Enabled: true, OwnerTeam: &og.TeamMeta{ID: "T9", Name: "payments"}})
	paths := []string{"/v2/alerts", "/v2/alerts/count", "/v2/schedules", "/v2/escalations", "/v2/users", "/v2/teams",
		"/v2/schedules/S1/on-calls", "/v2/schedules/S9/on-calls"}
	tests := []struct {
		name    string
		access  og.Access
		refused []string
	}{
		{"full access", og.Access{}, nil},
		{"no read access", og.Access{NoRead: true}, paths[:2]},
		{"configuration restricted", og.Access{NoConfiguration: true}, paths[2:]},
		{"team integration", og.Access{Team: "checkout"}, []string{"/v2/users", "/v2/schedules/S9/on-calls"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := other
			d.Key = tt.access
			srv := og.Start(d, key)
			defer srv.Close()
			for _, p := range paths {
				st, _, b := get(t, srv, p, key)
				refused := slices.Contains(tt.refused, p)
				if refused && (st != 403 || !strings.Contains(string(b), `"code":40301`)) || !refused && st != 200 {
					t.Errorf("%s: %d %s; refused=%v", p, st, b, refused)
				}
			}
			if tt.access.Team != "" {
				_, _, b := get(t, srv, "/v2/schedules", key)
				if strings.Contains(string(b), "payments_schedule") || !strings.Contains(string(b), "checkout_schedule") {
					t.Errorf("team key lists %s", b)
				}
			}
		})
	}
}
