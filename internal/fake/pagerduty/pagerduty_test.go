package pagerduty_test

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
	pd "github.com/opsctx/opsctx/internal/fake/pagerduty"
	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

const token = "test-token"

var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// ackTimeout is PSVC001's acknowledgement timeout in seconds.
var ackTimeout = 1800

func at(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }

// sample covers every field the fake serves.
func sample() pd.Data {
	d := pd.Data{
		Now: func() time.Time { return now },
		Services: []pd.Service{
			{ID: "PSVC001", Name: "Checkout API", Description: "d", CreatedAt: at(1000 * time.Hour),
				EscalationPolicy: pd.Ref{ID: "PEP0001", Summary: "Checkout escalation"}, Teams: []pd.Ref{{ID: "PTEAM01", Summary: "Checkout"}},
				AcknowledgementTimeout: &ackTimeout},
			{ID: "PSVC002", Name: "Payments", EscalationPolicy: pd.Ref{ID: "PEP0001"}},
		},
		Users: []pd.User{{ID: "PUSER01", Name: "Sam Okafor", Email: "sam@example.com", TimeZone: "Europe/Berlin"}},
		Policies: []pd.EscalationPolicy{{ID: "PEP0001", Name: "Checkout escalation", NumLoops: 1,
			EscalationRules: []pd.EscalationRule{
				{ID: "PRULE01", EscalationDelayInMinutes: 30, Targets: []pd.Ref{{ID: "PUSER01", Summary: "Sam Okafor"}}},
				{ID: "PRULE02", EscalationDelayInMinutes: 30, Targets: []pd.Ref{{ID: "PSCHED1", Type: "schedule_reference", Summary: "Managers"}}},
			},
			Services: []pd.Ref{{ID: "PSVC001"}}, Teams: []pd.Ref{{ID: "PTEAM01"}}}},
		OnCalls: []pd.OnCall{
			{User: pd.Ref{ID: "PUSER01", Summary: "Sam Okafor"}, EscalationPolicy: pd.Ref{ID: "PEP0001"}, EscalationLevel: 1},
			{User: pd.Ref{ID: "PUSER02", Summary: "Lena Fischer"}, Schedule: &pd.Ref{ID: "PSCHED1", Summary: "Managers"},
				EscalationPolicy: pd.Ref{ID: "PEP0001"}, EscalationLevel: 2, Start: at(2 * time.Hour), End: at(-6 * time.Hour)},
			{User: pd.Ref{ID: "PUSER03", Summary: "Gone"}, Schedule: &pd.Ref{ID: "PSCHED1"},
				EscalationPolicy: pd.Ref{ID: "PEP0001"}, EscalationLevel: 2, Start: at(30 * time.Hour), End: at(20 * time.Hour)},
		},
		ChangeEvents: []pd.ChangeEvent{
			{ID: "01CHANGE1", Summary: "deploy v1", Timestamp: at(time.Hour), Services: []pd.Ref{{ID: "PSVC001"}},
				Integration: &pd.Ref{ID: "PINT001"}, Source: "ci", Links: []pd.Link{{Href: "https://ci.example/1", Text: "build"}},
				CustomDetails: map[string]any{"author": "sam"}},
			{ID: "01CHANGE2", Summary: "old", Timestamp: at(100 * time.Hour), Services: []pd.Ref{{ID: "PSVC002"}}},
		},
		Related:       map[string][]pd.RelatedChange{"PINC0001": {{ChangeEventID: "01CHANGE1", Reason: "related_service"}}},
		Relationships: []pd.Relationship{{ID: "D1", SupportingService: pd.Ref{ID: "PSVC002"}, DependentService: pd.Ref{ID: "PSVC001"}}},
		MaintenanceWindows: []pd.MaintenanceWindow{
			{ID: "PMW0001", StartTime: at(time.Hour), EndTime: at(-25 * time.Minute), Description: "db patching",
				CreatedBy: &pd.Ref{ID: "PUSER01", Summary: "Sam Okafor"}, Services: []pd.Ref{{ID: "PSVC002"}}},
			{ID: "PMW0002", StartTime: at(-2 * time.Hour), EndTime: at(-3 * time.Hour), Description: "failover test", Services: []pd.Ref{{ID: "PSVC001"}}},
			{ID: "PMW0003", StartTime: at(5 * time.Hour), EndTime: at(4 * time.Hour), Description: "old", Services: []pd.Ref{{ID: "PSVC001"}}},
		},
	}
	for i := 1; i <= 7; i++ {
		status := []string{"triggered", "acknowledged", "resolved"}[i%3]
		svc := []string{"PSVC001", "PSVC002"}[i%2]
		id := fmt.Sprintf("PINC%04d", i)
		d.Incidents = append(d.Incidents, pd.Incident{ID: id, IncidentNumber: 100 + i, Title: fmt.Sprintf("incident %d", i),
			CreatedAt: at(time.Duration(i) * time.Hour), Status: status, IncidentKey: fmt.Sprintf("key-%d", i),
			Service: pd.Ref{ID: svc, Summary: "svc"}, AssignedVia: "escalation_policy", Urgency: "high",
			Assignments:      []pd.Assignment{{At: at(time.Hour), Assignee: pd.Ref{ID: "PUSER01", Summary: "Sam Okafor"}}},
			AlertCounts:      &pd.AlertCounts{Triggered: 1, All: 1},
			EscalationPolicy: &pd.Ref{ID: "PEP0001"}, Teams: []pd.Ref{{ID: "PTEAM01"}},
			Priority:         &pd.Priority{ID: "PPRIO01", Name: "P1"},
			Acknowledgements: []pd.Acknowledgement{{At: at(10 * time.Minute), Acknowledger: pd.Ref{ID: "PUSER01", Summary: "Sam Okafor"}}}})
		d.Alerts = append(d.Alerts, pd.Alert{ID: fmt.Sprintf("PALERT%d", i), Summary: "alert", CreatedAt: at(time.Hour),
			Status: "triggered", AlertKey: "k", Service: pd.Ref{ID: svc}, Incident: pd.Ref{ID: "PINC0001"}, Severity: "critical",
			Body: pd.AlertBody{Contexts: []pd.Context{{Type: "link", Href: "https://runbooks.example", Text: "runbook"}},
				Details: map[string]any{"k": "v"}}})
	}
	return d
}

func get(t *testing.T, srv *fake.Server, path string, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Authorization", "Token token="+token)
	req.Header.Set("Accept", pd.Accept)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, b := faketest.Do(t, req)
	return resp.StatusCode, resp.Header, b
}

// TestResponsesMatchSpec validates every endpoint's answer (sample data and the demo) against
// the official response schemas, and error bodies against the shared error responses.
func TestResponsesMatchSpec(t *testing.T) {
	spec := faketest.LoadSpec(t, "testdata/openapi-subset.json", faketest.Options{Draft4: true})
	env, err := demo.StartAt(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	servers := map[string]*fake.Server{"sample": pd.Start(sample(), token), "demo": env.Servers["pagerduty"]}
	defer servers["sample"].Close()
	ids := map[string][3]string{"sample": {"PSVC001", "PINC0001", "PSVC001"}, "demo": {demo.PDCheckout, demo.PDIncidentID, demo.PDPayments}}
	for name, srv := range servers {
		if srv == nil {
			t.Fatalf("%s: no pagerduty fake", name)
		}
		svc, inc := ids[name][0], ids[name][1]
		tok := token
		if name == "demo" {
			tok = string(env.Config.Sources.PagerDuty[0].Token)
		}
		hdr := map[string]string{"Authorization": "Token token=" + tok}
		tests := []struct{ op, path string }{
			{"/abilities", "/abilities"},
			{"/services", "/services?limit=100&total=true"},
			{"/services/{id}", "/services/" + svc},
			{"/services/{id}/change_events", "/services/" + ids[name][2] + "/change_events"},
			{"/incidents", "/incidents?date_range=all"},
			{"/incidents/{id}", "/incidents/" + inc},
			{"/incidents/{id}/alerts", "/incidents/" + inc + "/alerts"},
			{"/incidents/{id}/related_change_events", "/incidents/" + inc + "/related_change_events"},
			{"/oncalls", "/oncalls?include[]=users&since=" + at(48*time.Hour) + "&until=" + at(-48*time.Hour)},
			{"/oncalls", "/oncalls"},
			{"/escalation_policies", "/escalation_policies"},
			{"/escalation_policies/{id}", "/escalation_policies/" + map[string]string{"sample": "PEP0001", "demo": demo.PDPolicy}[name]},
			{"/change_events", "/change_events"},
			{"/service_dependencies/technical_services/{id}", "/service_dependencies/technical_services/" + svc},
			{"/maintenance_windows", "/maintenance_windows?filter=all"},
		}
		for _, tt := range tests {
			t.Run(name+" "+tt.path, func(t *testing.T) {
				status, _, body := get(t, srv, tt.path, hdr)
				if status != http.StatusOK {
					t.Fatalf("status %d: %s", status, body)
				}
				faketest.Validate(t, spec.Response(t, tt.op, "200"), body)
				if strings.Count(string(body), `"id"`) < 1 && tt.op != "/abilities" {
					t.Errorf("empty answer: %s", body)
				}
			})
		}
		t.Run(name+" errors", func(t *testing.T) {
			status, _, body := get(t, srv, "/incidents", map[string]string{"Authorization": "Token token=wrong"})
			if status != http.StatusUnauthorized {
				t.Fatalf("status %d", status)
			}
			faketest.Validate(t, spec.Response(t, "/incidents", "401"), body)
			status, _, body = get(t, srv, "/incidents/NOPE", hdr)
			if status != http.StatusNotFound {
				t.Fatalf("status %d", status)
			}
			faketest.Validate(t, spec.Response(t, "/incidents/{id}", "404"), body)
		})
	}
}

func TestProtocol(t *testing.T) {
	srv := pd.Start(sample(), token)
	defer srv.Close()
	tests := []struct {
		name   string
		path   string
		hdr    map[string]string
		status int
		check  func(t *testing.T, body map[string]any, h http.Header)
	}{
		{"no token", "/services", map[string]string{"Authorization": ""}, 401, errBody("Unauthorized")},
		{"bearer token", "/abilities", map[string]string{"Authorization": "Bearer " + token}, 200, nil},
		{"Accept header required", "/services", map[string]string{"Accept": "application/json"}, 406, errBody("Invalid Input Provided")},
		{"unknown path", "/nope", nil, 404, errBody("Not Found")},
		{"bad limit", "/services?limit=x", nil, 400, errBody("Invalid Input Provided")},
		{"bad status", "/incidents?statuses[]=open", nil, 400, errBody("Invalid Input Provided")},
		{"change events need UTC", "/change_events?since=2025-03-01T10:00:00%2B01:00", nil, 400, errBody("Invalid Input Provided")},
		{"rate-limit headers", "/abilities", nil, 200, func(t *testing.T, _ map[string]any, h http.Header) {
			if h.Get("Ratelimit-Reset") == "" || h.Get("Ratelimit-Limit") == "" {
				t.Errorf("headers %v", h)
			}
		}},
		{"paging", "/incidents?date_range=all&limit=3&offset=3", nil, 200, func(t *testing.T, b map[string]any, _ http.Header) {
			if b["limit"] != 3.0 || b["offset"] != 3.0 || b["more"] != true || b["total"] != nil || len(b["incidents"].([]any)) != 3 {
				t.Errorf("page %v", b)
			}
		}},
		{"last page", "/incidents?date_range=all&limit=3&offset=6&total=true", nil, 200, func(t *testing.T, b map[string]any, _ http.Header) {
			if b["more"] != false || b["total"] != 7.0 || len(b["incidents"].([]any)) != 1 {
				t.Errorf("page %v", b)
			}
		}},
		{"limit capped at 100", "/services?limit=500", nil, 200, func(t *testing.T, b map[string]any, _ http.Header) {
			if b["limit"] != 100.0 {
				t.Errorf("limit %v", b["limit"])
			}
		}},
		{"filters", "/incidents?date_range=all&statuses[]=triggered&statuses[]=acknowledged&service_ids[]=PSVC001", nil, 200,
			count("incidents", 2)}, // incidents 2 (ack) and 4 (trig) on PSVC001
		{"default window is a month", "/incidents", nil, 200, count("incidents", 7)},
		{"since/until window", "/incidents?since=" + at(150*time.Minute) + "&until=" + at(0), nil, 200, count("incidents", 2)},
		{"incident by number", "/incidents/104", nil, 200, func(t *testing.T, b map[string]any, _ http.Header) {
			if in := b["incident"].(map[string]any); in["id"] != "PINC0004" || in["summary"] != "[#104] incident 4" {
				t.Errorf("incident %v", in)
			}
		}},
		{"alerts of an incident", "/incidents/PINC0001/alerts?limit=2&offset=6", nil, 200, count("alerts", 1)},
		{"oncalls now", "/oncalls?escalation_policy_ids[]=PEP0001", nil, 200, count("oncalls", 2)},
		{"oncalls window", "/oncalls?since=" + at(25*time.Hour) + "&until=" + at(24*time.Hour), nil, 200, count("oncalls", 2)},
		{"oncalls include users", "/oncalls?include[]=users", nil, 200, func(t *testing.T, b map[string]any, _ http.Header) {
			u := b["oncalls"].([]any)[0].(map[string]any)["user"].(map[string]any)
			if u["email"] != "sam@example.com" || u["name"] != "Sam Okafor" {
				t.Errorf("user %v", u)
			}
		}},
		{"change events in window", "/change_events?since=" + at(2*time.Hour) + "&until=" + at(0), nil, 200, count("change_events", 1)},
		{"service change events", "/services/PSVC002/change_events?since=" + at(200*time.Hour), nil, 200, count("change_events", 1)},
		{"change events page as the spec declares", "/change_events?since=" + at(200*time.Hour) + "&limit=1&offset=1&total=true", nil, 200,
			func(t *testing.T, b map[string]any, h http.Header) {
				count("change_events", 1)(t, b, h)
				if len(b) != 1 {
					t.Errorf("change event listing answers %v; the spec declares change_events only", b)
				}
			}},
		{"services by query", "/services?query=check", nil, 200, count("services", 1)},
		{"oncalls at most 90 days ahead", "/oncalls?until=" + at(-91*24*time.Hour), nil, 400, errBody("Invalid Input Provided")},
		{"maintenance windows open", "/maintenance_windows?filter=open", nil, 200, count("maintenance_windows", 2)},
		{"maintenance windows ongoing of a service", "/maintenance_windows?filter=ongoing&service_ids[]=PSVC002", nil, 200, func(t *testing.T, b map[string]any, _ http.Header) {
			ws := b["maintenance_windows"].([]any)
			if len(ws) != 1 || ws[0].(map[string]any)["id"] != "PMW0001" || ws[0].(map[string]any)["created_by"].(map[string]any)["type"] != "user_reference" {
				t.Errorf("windows %v", ws)
			}
		}},
		{"maintenance windows: bad filter", "/maintenance_windows?filter=soon", nil, 400, errBody("Invalid Input Provided")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, raw := get(t, srv, tt.path, tt.hdr)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			var body map[string]any
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("%v: %s", err, raw)
			}
			if tt.check != nil {
				tt.check(t, body, h)
			}
		})
	}
	if got := srv.Requests()[0].Header.Get("Authorization"); got != "" {
		t.Errorf("first request recorded with Authorization %q", got)
	}
}

// TestPendingActions: an acknowledged incident lists its acknowledgements and re-triggers
// its service's acknowledgement timeout after the last one; a triggered incident escalates
// when its policy's next rule is due, and not after the policy's last rule.
func TestPendingActions(t *testing.T) {
	d := sample()
	d.Incidents = append(d.Incidents, pd.Incident{ID: "PINC0008", IncidentNumber: 108, Title: "fresh", CreatedAt: at(40 * time.Minute),
		Status: "triggered", Service: pd.Ref{ID: "PSVC001"}, Urgency: "high", Assignments: []pd.Assignment{},
		EscalationPolicy: &pd.Ref{ID: "PEP0001"}})
	srv := pd.Start(d, token)
	defer srv.Close()
	pending := func(id string) (acks, actions []any) {
		status, _, raw := get(t, srv, "/incidents/"+id, nil)
		var b map[string]any
		if err := json.Unmarshal(raw, &b); status != http.StatusOK || err != nil {
			t.Fatalf("%s: %d %v %s", id, status, err, raw)
		}
		in := b["incident"].(map[string]any)
		return in["acknowledgements"].([]any), in["pending_actions"].([]any)
	}
	// Incident 4: acknowledged 10 min ago on PSVC001 (timeout 30 min).
	acks, actions := pending("PINC0004")
	if len(acks) != 1 || len(actions) != 1 || actions[0].(map[string]any)["type"] != "unacknowledge" || actions[0].(map[string]any)["at"] != at(-20*time.Minute) {
		t.Errorf("acknowledged: acknowledgements %v, pending actions %v", acks, actions)
	}
	// Incident 8: triggered 40 min ago; rules of 30 min: the second fires in 20 min.
	acks, actions = pending("PINC0008")
	if len(acks) != 0 || len(actions) != 1 || actions[0].(map[string]any)["type"] != "escalate" || actions[0].(map[string]any)["at"] != at(-20*time.Minute) {
		t.Errorf("triggered: acknowledgements %v, pending actions %v", acks, actions)
	}
	// Incident 6: triggered 6 h ago, past the policy's last rule of its last loop.
	if _, actions = pending("PINC0006"); len(actions) != 0 {
		t.Errorf("past the last rule: pending actions %v", actions)
	}
	// Incident 2 is resolved: nothing pending, no acknowledgements listed.
	if acks, actions = pending("PINC0002"); len(acks) != 0 || len(actions) != 0 {
		t.Errorf("resolved: %v %v", acks, actions)
	}
}

func errBody(msg string) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, b map[string]any, _ http.Header) {
		e, _ := b["error"].(map[string]any)
		if e["message"] != msg || e["code"] == nil {
			t.Errorf("error body %v, want message %q", b, msg)
		}
	}
}

func count(key string, n int) func(*testing.T, map[string]any, http.Header) {
	return func(t *testing.T, b map[string]any, _ http.Header) {
		if got := len(b[key].([]any)); got != n {
			t.Errorf("%d %s, want %d: %v", got, key, n, b)
		}
	}
}

// TestScopedOAuthToken: an app token (client credentials at /oauth/token, for the account's
// as_account scope) reads only what its scopes allow — the spec's "Scoped OAuth requires" —
// and the rest answers 403 Access Denied; an API key reads everything.
func TestScopedOAuthToken(t *testing.T) {
	d := sample()
	d.App = &pd.App{ClientID: "cid", ClientSecret: "csecret", Account: "as_account-us.shop", Scopes: []string{"services.read", "incidents.read", "oncalls.read"}}
	srv := pd.Start(d, token)
	defer srv.Close()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"csecret"},
		"scope": {"as_account-us.shop services.read incidents.read change_events.read"}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, raw := faketest.Do(t, req)
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(raw, &tok); err != nil || res.StatusCode != 200 {
		t.Fatalf("token: %d %s", res.StatusCode, raw)
	}
	if tok.Scope != "as_account-us.shop services.read incidents.read" || tok.TokenType != "bearer" {
		t.Errorf("token %+v: only the granted scopes asked for", tok)
	}
	for path, want := range map[string]int{"/services": 200, "/incidents": 200, "/services/PSVC002/change_events": 200,
		"/change_events": 403, "/oncalls": 403, "/escalation_policies": 403, "/abilities": 403} {
		for _, auth := range []string{"Bearer " + tok.AccessToken, "Token token=" + token} {
			status, _, raw := get(t, srv, path, map[string]string{"Authorization": auth})
			if strings.HasPrefix(auth, "Token") {
				want = 200 // an API key
			}
			if status != want || want == 403 && !strings.Contains(string(raw), `"code":2010`) {
				t.Errorf("%s with %.12s: %d %s; want %d", path, auth, status, raw, want)
			}
		}
	}
	form.Set("client_secret", "wrong")
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if res, raw := faketest.Do(t, req); res.StatusCode != 401 || !strings.Contains(string(raw), "invalid_client") {
		t.Errorf("wrong secret: %d %s", res.StatusCode, raw)
	}
}
