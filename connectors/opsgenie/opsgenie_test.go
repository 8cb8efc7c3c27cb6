package opsgenie

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/fake"
	ogfake "github.com/opsctx/opsctx/internal/fake/opsgenie"
	fakeschedule "github.com/opsctx/opsctx/internal/fake/schedule"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/shifts"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testKey = "og-test-key"

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) string { return t0.Add(-d).Format(time.RFC3339) }

const uuid = "70413a06-38d6-4c85-92b8-5ebc900d42e2-1568046430990"

// world: team checkout owns schedule S1 (Sam, and Lena through a nested escalation), the
// disabled S3 and the empty S4; team other owns S2. Seven alerts, five open on checkout.
// Five users; by username Sam and Lena come fourth and third (the second page of two).
func world() ogfake.Data {
	tm := func(id, name string) *ogfake.TeamMeta { return &ogfake.TeamMeta{ID: id, Name: name} }
	d := ogfake.Data{
		Teams: []ogfake.Team{{ID: "T1", Name: "checkout"}, {ID: "T2", Name: "other"}},
		Schedules: []ogfake.Schedule{
			{ID: "S1", Name: "checkout_schedule", Enabled: true, OwnerTeam: tm("T1", "checkout")},
			{ID: "S2", Name: "other_schedule", Enabled: true, OwnerTeam: tm("T2", "other")},
			{ID: "S3", Name: "old_schedule", Enabled: false, OwnerTeam: tm("T1", "checkout")},
			{ID: "S4", Name: "managers", Enabled: true, OwnerTeam: tm("T1", "Checkout")},
		},
		OnCall: map[string][]ogfake.Participant{
			"S1": {{ID: "U1", Name: "sam@example.com", Type: "user"},
				{ID: "E9", Name: "backup", Type: "escalation", OnCallParticipants: []ogfake.Participant{{ID: "U2", Name: "lena", Type: "user"}, {ID: "U1", Name: "sam@example.com", Type: "user"}}}},
			"S2": {{ID: "U3", Name: "x@example.com", Type: "user"}},
			"S3": {{ID: "U3", Name: "x@example.com", Type: "user"}},
		},
		Users: []ogfake.User{
			{ID: "U1", Username: "sam@example.com", FullName: "Sam Okafor"},
			{ID: "U2", Username: "lena", FullName: "Lena Fischer"},
			{ID: "U3", Username: "x@example.com", FullName: "Xia Wong"},
			{ID: "U4", Username: "amy@example.com", FullName: "Amy Ng"},
			{ID: "U5", Username: "bob@example.com", FullName: "Bob Lee"},
		},
		Escalations: []ogfake.Escalation{
			{ID: "E0", Name: "other_escalation", OwnerTeam: tm("T2", "other"), Rules: []ogfake.EscalationRule{
				{Delay: ogfake.Duration{TimeAmount: 1}, Recipient: ogfake.Recipient{Type: "schedule", ID: "S2", Name: "other_schedule"}}}},
			{ID: "E1", Name: "checkout_escalation", OwnerTeam: tm("T1", "checkout"), Repeat: &ogfake.Repeat{WaitInterval: 15, Count: 2},
				Rules: []ogfake.EscalationRule{
					{Delay: ogfake.Duration{TimeAmount: 1, TimeUnit: "hours"}, Recipient: ogfake.Recipient{Type: "schedule", ID: "S4", Name: "managers"}},
					{Delay: ogfake.Duration{TimeAmount: 0, TimeUnit: "minutes"}, Recipient: ogfake.Recipient{Type: "schedule", ID: "S1", Name: "checkout_schedule"}},
					{Delay: ogfake.Duration{TimeAmount: 30, TimeUnit: "minutes"}, Recipient: ogfake.Recipient{Type: "user", ID: "U2", Username: "lena"}},
				}},
			{ID: "E2", Name: "z_escalation", OwnerTeam: tm("T1", "checkout")},
		},
	}
	for i := 1; i <= 7; i++ {
		a := ogfake.Alert{BaseAlert: ogfake.BaseAlert{ID: fmt.Sprintf("id-%d", i), TinyID: fmt.Sprint(1040 + i), Alias: fmt.Sprintf("alias-%d", i),
			Message: fmt.Sprintf("alert %d", i), Status: "open", Tags: []string{"service:checkout", "env:prod"}, CreatedAt: ago(time.Duration(i) * time.Minute),
			Priority: fmt.Sprintf("P%d", i%5+1), Source: "prometheus"}, Entity: "checkout-entity", Description: "desc"}
		switch i {
		case 2:
			a.Acknowledged = true
		case 3:
			a.Snoozed = true
		case 6:
			a.Status = "closed"
		case 7:
			a.Tags = []string{"service:payments"}
		}
		d.Alerts = append(d.Alerts, a)
	}
	d.Alerts = append(d.Alerts, ogfake.Alert{BaseAlert: ogfake.BaseAlert{ID: uuid, TinyID: "1099", Alias: "checkout-5xx-rate",
		Message: "checkout 5xx", Status: "open", Tags: []string{"team:x"}, CreatedAt: ago(18 * time.Minute), Priority: "P2"}, Entity: "checkout"})
	return d
}

func start(t *testing.T, d ogfake.Data, pageSize int) (*Source, *fake.Server) {
	t.Helper()
	srv := ogfake.Start(d, testKey)
	t.Cleanup(srv.Close)
	return newSource(t, srv.URL, testKey, pageSize), srv
}

func newSource(t *testing.T, base, key string, pageSize int) *Source {
	t.Helper()
	c := httpx.New(httpx.Options{Source: SourceName, BaseURL: base, Auth: Auth(key), Secrets: []string{key},
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	t.Cleanup(c.CloseIdleConnections)
	return New(Options{Client: c, PageSize: pageSize, Now: func() time.Time { return t0 }})
}

func target(name string, ann map[string]string, related ...model.Target) model.Target {
	return model.Target{Name: name, Related: related, Since: t0.Add(-2 * time.Hour), Until: t0,
		Records: []model.Service{{ID: "component:default/" + name, Name: name, Source: "catalogfile", Annotations: ann}}}
}

var checkout = target("checkout", map[string]string{AnnotationTeam: "checkout", AnnotationSelector: `tag:"service:checkout"`})

func TestQuery(t *testing.T) {
	tests := []struct {
		name string
		t    model.Target
		want string
	}{
		{"zero target: every open alert", model.Target{}, "status:open"},
		{"component selector annotation", checkout, `status:open AND (tag:"service:checkout")`},
		{"service tag by name, quoted", target("payments", nil), `status:open AND (tag:"service:payments")`},
		{"name with a space", target("Order Queue", nil), `status:open AND (tag:"service:Order Queue")`},
		{"name with quote and backslash", target(`a"b\c`, nil), `status:open AND (tag:"service:a\"b\\c")`},
		{"related services", target("checkout", map[string]string{AnnotationSelector: `entity:checkout OR tag:"svc:co"`},
			target("payments", nil), target("cart", map[string]string{AnnotationSelector: "teams:storefront"})),
			`status:open AND ((entity:checkout OR tag:"svc:co") OR (tag:"service:payments") OR (teams:storefront))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Query(tt.t); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestAlerts(t *testing.T) {
	tests := []struct {
		name    string
		target  model.Target
		pages   int
		wantIDs []string
	}{
		{"selector, three pages of two", checkout, 3, []string{"id-1", "id-2", "id-3", "id-4", "id-5"}},
		{"with a related service", target("checkout", map[string]string{AnnotationSelector: `tag:"service:checkout"`}, target("payments", nil)),
			3, []string{"id-1", "id-2", "id-3", "id-4", "id-5", "id-7"}},
		{"zero target", model.Target{}, 4, []string{"id-1", "id-2", "id-3", "id-4", "id-5", "id-7", uuid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, srv := start(t, world(), 2)
			as, err := src.Alerts(context.Background(), tt.target)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range as {
				ids = append(ids, a.ID)
			}
			if !reflect.DeepEqual(ids, tt.wantIDs) {
				t.Errorf("ids %v, want %v", ids, tt.wantIDs)
			}
			reqs := srv.Requests()
			if len(reqs) != tt.pages {
				t.Fatalf("%d requests, want %d pages", len(reqs), tt.pages)
			}
			for i, r := range reqs {
				q := r.Query
				if r.Path != "/v2/alerts" || q.Get("query") != Query(tt.target) || q.Get("offset") != fmt.Sprint(2*i) ||
					q.Get("limit") != "2" || q.Get("sort") != "createdAt" || q.Get("order") != "desc" {
					t.Errorf("request %d: %s %v", i, r.Path, q)
				}
				if r.Header.Get("Authorization") != "GenieKey "+testKey {
					t.Errorf("auth header %q", r.Header.Get("Authorization"))
				}
			}
		})
	}
	src, _ := start(t, world(), 0)
	as, err := src.Alerts(context.Background(), checkout)
	if err != nil || len(as) != 5 {
		t.Fatal(as, err)
	}
	want := model.Alert{ID: "id-1", Title: "alert 1", Service: "checkout", Severity: "P2", Status: "firing", DedupKey: "alias-1",
		StartedAt: t0.Add(-time.Minute), Labels: map[string]string{"tiny_id": "1041", "service": "checkout", "env": "prod", "source": "prometheus"},
		Source: SourceName}
	if !reflect.DeepEqual(as[0], want) {
		t.Errorf("got  %#v\nwant %#v", as[0], want)
	}
	if as[1].Status != "acknowledged" || as[2].Status != "silenced" {
		t.Errorf("statuses %q %q, want acknowledged silenced", as[1].Status, as[2].Status)
	}
}

// checkoutResponders is the answer for checkout in world(): people by full name, Sam with
// his e-mail (his username).
func checkoutResponders() model.Responders {
	return respondersNaming("Sam Okafor", "Lena Fischer")
}

// checkoutByUsername is the answer for checkout in world() without the user listing.
func checkoutByUsername() model.Responders {
	return respondersNaming("sam@example.com", "lena")
}

// respondersNaming is the answer for checkout in world(), naming Sam and Lena so.
func respondersNaming(sam, lena string) model.Responders {
	return model.Responders{
		Policy: "checkout_escalation", Loops: 2, CycleMinutes: 75,
		OnCall: []model.OnCall{
			{Name: sam, Email: "sam@example.com", Level: 1, Schedule: "checkout_schedule", Source: SourceName},
			{Name: lena, Level: 1, Schedule: "checkout_schedule", Source: SourceName},
		},
		Escalation: []model.EscalationStep{
			{Level: 1, AfterMinutes: 0, Targets: []string{"checkout_schedule"}, Source: SourceName},
			{Level: 2, AfterMinutes: 30, Targets: []string{lena}, Source: SourceName},
			{Level: 3, AfterMinutes: 60, Targets: []string{"managers"}, Source: SourceName},
		},
		Note: "team checkout owns escalations checkout_escalation, z_escalation; showing checkout_escalation; managers: no one on call; " +
			"checkout_escalation repeats 2 time(s), every 75 min",
	}
}

func TestResponders(t *testing.T) {
	src, srv := start(t, world(), 0)
	r, err := src.Responders(context.Background(), checkout)
	if err != nil {
		t.Fatal(err)
	}
	want := checkoutResponders()
	if !reflect.DeepEqual(r, want) {
		t.Errorf("got  %+v\nwant %+v", r, want)
	}
	var paths []string
	for _, rq := range srv.Requests() {
		paths = append(paths, rq.Path+"?"+rq.Query.Encode())
	}
	day := "date=" + url.QueryEscape(t0.Format(time.RFC3339)) + "&identifierType=id&interval=14&intervalUnit=days"
	wantPaths := []string{"/v2/schedules/S1/on-calls?scheduleIdentifierType=id", "/v2/schedules/S1/timeline?" + day,
		"/v2/schedules/S4/on-calls?scheduleIdentifierType=id", "/v2/schedules/S4/timeline?" + day}
	if len(paths) != 7 || !reflect.DeepEqual(slices.Sorted(slices.Values(paths[3:])), wantPaths) {
		t.Errorf("requests %v, want the 3 listings and %v", paths, wantPaths)
	}
	srv.Reset()
	if r, err := src.Responders(context.Background(), target("search", nil)); err != nil || !reflect.DeepEqual(r, model.Responders{}) || len(srv.Requests()) != 0 {
		t.Errorf("no team annotation: %+v, %v, %d requests", r, err, len(srv.Requests()))
	}
}

// TestRespondersAhead: each schedule's timeline (read beside its on-calls) says until when
// the people on call now are, and who takes over within the horizon, overrides marked.
func TestRespondersAhead(t *testing.T) {
	d := world()
	d.OnCall, d.Now = nil, func() time.Time { return t0 }
	d.Rotations = map[string][]fakeschedule.Shift{
		"S1": {{Rotation: "primary", Start: t0.Add(-8 * time.Hour), End: t0.Add(25 * time.Minute), Who: "sam@example.com"},
			{Rotation: "primary", Start: t0.Add(25 * time.Minute), End: t0.Add(72 * time.Hour), Who: "bob@example.com"},
			{Rotation: "primary", Start: t0.Add(2 * time.Hour), End: t0.Add(3 * time.Hour), Who: "amy@example.com", Override: true}},
		"S4": {{Rotation: "managers", Start: t0.Add(-time.Hour), End: t0.Add(400 * time.Hour), Who: "lena"}},
	}
	tests := []struct {
		name     string
		ahead    time.Duration
		upcoming []string
	}{
		{"within 12 hours", 12 * time.Hour, []string{"Bob Lee L1 +25m0s..+2h0m0s", "Amy Ng L1 +2h0m0s..+3h0m0s override", "Bob Lee L1 +3h0m0s..+72h0m0s"}},
		{"within 10 minutes", 10 * time.Minute, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, srv := start(t, d, 0)
			tg := checkout
			tg.Ahead = t0.Add(tt.ahead)
			r, err := src.Responders(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			var up []string
			for _, o := range r.Upcoming {
				s := fmt.Sprintf("%s L%d +%s..+%s", o.Name, o.Level, o.Start.Sub(t0), max(o.Until.Sub(t0), 0))
				if o.Override {
					s += " override"
				}
				up = append(up, s)
			}
			if !reflect.DeepEqual(up, tt.upcoming) || !r.LooksAhead {
				t.Errorf("upcoming %q, want %q; looks ahead %v", up, tt.upcoming, r.LooksAhead)
			}
			if len(r.OnCall) != 2 || r.OnCall[0].Name != "Sam Okafor" || !r.OnCall[0].Until.Equal(t0.Add(25*time.Minute)) || !r.OnCall[1].Until.IsZero() {
				t.Errorf("on call %+v: Sam until +25m, Lena past the timeline's window", r.OnCall)
			}
			for _, rq := range srv.Requests() {
				if strings.HasSuffix(rq.Path, "/timeline") && rq.Query.Get("interval") != fmt.Sprint(shifts.Days(t0, tg.Ahead)) {
					t.Errorf("timeline request %v", rq.Query)
				}
			}
		})
	}
}

func TestFindIncident(t *testing.T) {
	tests := []struct {
		ref, typ, wantID string
		services         []string
		requests         int
	}{
		{"1099", "tiny", uuid, []string{"checkout"}, 1},
		{"#1041", "tiny", "id-1", []string{"checkout", "checkout-entity"}, 1},
		{uuid, "id", uuid, []string{"checkout"}, 1},
		{"alias-7", "alias", "id-7", []string{"payments", "checkout-entity"}, 1},
		{"4711", "tiny", "", nil, 1},
		{"INC0012345", "alias", "", nil, 1},
		{"a/b", "", "", nil, 0},
		{" ", "", "", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			src, srv := start(t, world(), 0)
			got, err := src.FindIncident(context.Background(), tt.ref)
			reqs := srv.Requests()
			if len(reqs) != tt.requests {
				t.Fatalf("%d requests, want %d", len(reqs), tt.requests)
			}
			if tt.requests > 0 && reqs[0].Query.Get("identifierType") != tt.typ {
				t.Errorf("identifierType %q, want %q", reqs[0].Query.Get("identifierType"), tt.typ)
			}
			if tt.wantID == "" {
				if !errors.Is(err, connectors.ErrNotFound) {
					t.Errorf("err %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil || got.ID != tt.wantID || !reflect.DeepEqual(got.Services, tt.services) || got.Source != SourceName || got.StartedAt.IsZero() || got.Title == "" {
				t.Errorf("got %+v, %v", got, err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		fault *fake.Fault
		call  func(*Source) error
		want  []string
		slow  time.Duration
	}{
		{name: "401 names the variable", key: "wrong", call: func(s *Source) error { _, err := s.Alerts(context.Background(), checkout); return err },
			want: []string{"HTTP 401", "Could not authenticate", "check OPSGENIE_API_KEY"}},
		{name: "403", fault: &fake.Fault{Status: 403, Body: `{"message":"Key has no access","took":0.0,"requestId":"r"}`},
			call: func(s *Source) error { _, err := s.Responders(context.Background(), checkout); return err },
			want: []string{"HTTP 403", "Key has no access", "OPSGENIE_API_KEY"}},
		{name: "bad selector names the annotation", call: func(s *Source) error {
			_, err := s.Alerts(context.Background(), target("x", map[string]string{AnnotationSelector: "colour:red"}))
			return err
		}, want: []string{"HTTP 422", "Invalid query", "check the opsgenie.com/component-selector annotation"}},
		{name: "429 honours X-RateLimit-Period-In-Sec", fault: &fake.Fault{Times: 1, Status: 429,
			Header: http.Header{"X-Ratelimit-Period-In-Sec": {"1"}, "X-Ratelimit-State": {"THROTTLED"}},
			Body:   `{"message":"You are making too many requests!","took":0.0,"requestId":"r"}`},
			call: func(s *Source) error { _, err := s.Alerts(context.Background(), checkout); return err }, slow: time.Second},
		{name: "check", call: func(s *Source) error { return s.Check(context.Background()) }},
		{name: "check names the URL on 404", fault: &fake.Fault{Status: 404, Body: `{"message":"Resource not found","took":0.0,"requestId":"r"}`},
			call: func(s *Source) error { return s.Check(context.Background()) }, want: []string{"HTTP 404", "check OPSGENIE_API_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := start(t, world(), 0)
			key := testKey
			if tt.key != "" {
				key = tt.key
			}
			src := newSource(t, srv.URL, key, 0)
			if tt.fault != nil {
				srv.AddFault(*tt.fault)
			}
			began := time.Now()
			err := tt.call(src)
			switch {
			case tt.want == nil && err != nil:
				t.Fatal(err)
			case tt.want != nil && err == nil:
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if err != nil && strings.Contains(err.Error(), key) {
				t.Errorf("error leaks the key: %q", err)
			}
			if el := time.Since(began); el < tt.slow || tt.slow > 0 && el > tt.slow+2*time.Second {
				t.Errorf("took %s, want about %s", el, tt.slow)
			}
		})
	}
}

// TestAlertsCutAtMaxPagesSaySo: a search with more pages than MaxPages returns the alerts of the
// pages read with an Incomplete; read to its end (TestAlerts) it has every alert.
func TestAlertsCutAtMaxPagesSaySo(t *testing.T) {
	src, _ := start(t, world(), 2)
	src.o.MaxPages = 2
	as, err := src.Alerts(context.Background(), model.Target{})
	if !connectors.IsIncomplete(err) || len(as) != 4 || !strings.Contains(err.Error(), "alerts may be incomplete: 4 alerts in 2 pages read") {
		t.Fatalf("%d alerts, %v; want the 4 read and an Incomplete", len(as), err)
	}
}

// TestAlertsPagingLoopFails: an account that ignores the offset (every page is page 1, with
// a next link) fails the search with a paging loop, rather than listing page 1 MaxPages times.
func TestAlertsPagingLoopFails(t *testing.T) {
	src, srv := start(t, world(), 2)
	srv.AddFault(fake.Fault{Path: "/v2/alerts", Replay: true})
	if as, err := src.Alerts(context.Background(), model.Target{}); !errors.Is(err, connectors.ErrPagingLoop) || len(as) != 0 {
		t.Fatalf("%d alerts, %v; want none and a paging loop", len(as), err)
	}
}
