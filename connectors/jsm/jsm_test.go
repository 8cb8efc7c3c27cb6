package jsm

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/fake"
	jsmfake "github.com/opsctx/opsctx/internal/fake/jsm"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	email = "ops@example.com"
	token = "jsm-test-token"
	cloud = "3b1f0c0e-9d7a-4c55-8a52-1b2c3d4e5f60"
)

var t0 = time.Date(2025, 3, 5, 12, 0, 0, 0, time.UTC) // a Wednesday

func ago(d time.Duration) string { return t0.Add(-d).Format(time.RFC3339) }

// world: team checkout (T1) owns the enabled schedules S1 (Sam until 18:00, and Lena through
// an escalation, her shift running past the timeline) and S4 (nobody), and the disabled S3;
// team other (T2) owns S2. Escalation E1 of checkout pages S1 at once, Lena after 30 min and
// managers after 1 h, repeating twice 15 min after its last rule. Seven alerts, five open on
// checkout. Five users; Lena's e-mail is hidden; an app user is no person.
func world() jsmfake.Data {
	d := jsmfake.Data{
		CloudID: cloud,
		Now:     func() time.Time { return t0 },
		Teams:   []jsmfake.Team{{TeamID: "T1", TeamName: "checkout"}, {TeamID: "T2", TeamName: "other"}},
		Schedules: []jsmfake.Schedule{
			{ID: "S1", Name: "checkout_schedule", Enabled: true, TeamID: "T1", Timezone: "UTC"},
			{ID: "S2", Name: "other_schedule", Enabled: true, TeamID: "T2", Timezone: "UTC"},
			{ID: "S3", Name: "old_schedule", Enabled: false, TeamID: "T1", Timezone: "UTC"},
			{ID: "S4", Name: "managers", Enabled: true, TeamID: "T1", Timezone: "UTC"},
			{ID: "S5", Name: "unowned", Enabled: true, Timezone: "UTC"},
		},
		OnCall: map[string][]jsmfake.Participant{
			"S1": {{ID: "A1", Type: "user"}, {ID: "E9", Type: "escalation", OnCallParticipants: []jsmfake.Participant{{ID: "A2", Type: "user"}, {ID: "A1", Type: "user"}}}},
			"S2": {{ID: "A3", Type: "user"}},
		},
		Rotations: map[string][]jsmfake.Rotation{"S1": {
			{ID: "R1", Name: "primary", Periods: []jsmfake.Period{
				{StartDate: ago(30 * time.Hour), EndDate: ago(6 * time.Hour), Type: "base", Responder: jsmfake.Responder{ID: "A1", Type: "user"}},
				{StartDate: ago(6 * time.Hour), EndDate: ago(-6 * time.Hour), Type: "base", Responder: jsmfake.Responder{ID: "A1", Type: "user"}},
				{StartDate: ago(-6 * time.Hour), EndDate: ago(-30 * time.Hour), Type: "base", Responder: jsmfake.Responder{ID: "A4", Type: "user"}}}},
			{ID: "R2", Name: "backup", Periods: []jsmfake.Period{
				{StartDate: ago(100 * time.Hour), EndDate: ago(-900 * time.Hour), Type: "base", Responder: jsmfake.Responder{ID: "E9", Type: "escalation"},
					FlattenedResponders: []jsmfake.Responder{{ID: "A2", Type: "user"}}}}},
		}},
		Escalations: map[string][]jsmfake.Escalation{
			"T1": {{ID: "E0", Name: "disabled_escalation", Enabled: false},
				{ID: "E1", Name: "checkout_escalation", Enabled: true, Repeat: &jsmfake.Repeat{WaitInterval: 15, Count: 2}, Rules: []jsmfake.EscalationRule{
					{Condition: "if-not-acked", NotifyType: "default", Delay: jsmfake.Delay{TimeAmount: 1, TimeUnit: "hours"}, Recipient: jsmfake.Responder{ID: "S4", Type: "schedule"}},
					{Condition: "if-not-acked", NotifyType: "default", Delay: jsmfake.Delay{TimeAmount: 0, TimeUnit: "minutes"}, Recipient: jsmfake.Responder{ID: "S1", Type: "schedule"}},
					{Condition: "if-not-acked", NotifyType: "default", Delay: jsmfake.Delay{TimeAmount: 30, TimeUnit: "minutes"}, Recipient: jsmfake.Responder{ID: "A2", Type: "user"}},
				}}},
			"T2": {},
		},
		Users: []jsmfake.User{
			{AccountID: "A1", AccountType: "atlassian", DisplayName: "Sam Okafor", EmailAddress: "sam@example.com", Active: true},
			{AccountID: "A2", AccountType: "atlassian", DisplayName: "Lena Fischer", Active: true},
			{AccountID: "A3", AccountType: "atlassian", DisplayName: "Xia Wong", EmailAddress: "x@example.com", Active: true},
			{AccountID: "A4", AccountType: "atlassian", DisplayName: "Amy Ng", EmailAddress: "amy@example.com", Active: true},
			{AccountID: "B1", AccountType: "app", DisplayName: "Automation for Jira", Active: true},
		},
	}
	for i := 1; i <= 7; i++ {
		a := jsmfake.Alert{ID: fmt.Sprintf("id-%d", i), TinyID: fmt.Sprint(1040 + i), Alias: fmt.Sprintf("alias-%d", i),
			Message: fmt.Sprintf("alert %d", i), Status: "open", Tags: []string{"service:checkout", "env:prod"}, CreatedAt: ago(time.Duration(i) * time.Minute),
			Priority: fmt.Sprintf("P%d", i%5+1), Source: "prometheus", Entity: "checkout-entity", Description: "desc", Responders: []jsmfake.Responder{},
			Actions: []string{}, ExtraProperties: map[string]string{}}
		switch i {
		case 2:
			a.Acknowledged = true
		case 3:
			a.Snoozed = true
		case 6:
			a.Status = "closed"
		case 7:
			a.Tags = []string{"service:cart"}
		}
		d.Alerts = append(d.Alerts, a)
	}
	return d
}

var checkout = model.Target{Name: "checkout", Records: []model.Service{{Source: "catalogfile", ID: "checkout",
	Annotations: map[string]string{AnnotationTeam: "checkout"}}}}

// source returns a Source for the fake at url with the cloud id configured, or read from
// the site (the fake) when site is true; small pages force paging.
func source(t *testing.T, url string, o Options, site bool) *Source {
	t.Helper()
	client := func() *httpx.Client {
		c := httpx.New(httpx.Options{Source: SourceName, BaseURL: url, Auth: Auth(email, token), RetryMax: 2,
			RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond})
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	o.API = client()
	if site {
		o.Site = client()
	} else {
		o.CloudID = cloud
	}
	if o.Now == nil {
		o.Now = func() time.Time { return t0 }
	}
	return New(o)
}

func start(t *testing.T, d jsmfake.Data) *fake.Server {
	srv := jsmfake.Start(d, email, token)
	t.Cleanup(srv.Close)
	return srv
}

// TestAlerts: five open alerts read over three pages of two, newest first, each field mapped
// as Opsgenie's connector maps it; the query names the selector or the service tag.
func TestAlerts(t *testing.T) {
	srv := start(t, world())
	src := source(t, srv.URL, Options{PageSize: 2}, false)
	got, err := src.Alerts(context.Background(), checkout)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range got {
		ids = append(ids, a.ID+"/"+string(a.Status))
	}
	if want := "[id-1/firing id-2/acknowledged id-3/silenced id-4/firing id-5/firing]"; fmt.Sprint(ids) != want {
		t.Errorf("alerts %v, want %s", ids, want)
	}
	want := model.Alert{ID: "id-1", Title: "alert 1", Service: "checkout", Severity: "P2", Status: "firing", DedupKey: "alias-1",
		StartedAt: t0.Add(-time.Minute), Description: "desc", Source: "jsm",
		Labels: map[string]string{"tiny_id": "1041", "service": "checkout", "env": "prod", "source": "prometheus"}}
	if !reflect.DeepEqual(got[0], want) {
		t.Errorf("got %+v\nwant %+v", got[0], want)
	}
	var pages []string
	for _, r := range srv.Requests() {
		pages = append(pages, r.Query.Get("offset")+"/"+r.Query.Get("size")+" "+r.Query.Get("query"))
	}
	if want := []string{`0/2 status:open AND (tag:"service:checkout")`, `2/2 status:open AND (tag:"service:checkout")`,
		`4/2 status:open AND (tag:"service:checkout")`}; !slices.Equal(pages, want) {
		t.Errorf("requests %q, want %q", pages, want)
	}
	sel := model.Target{Name: "checkout", Records: []model.Service{{Source: "catalogfile", Annotations: map[string]string{AnnotationSelector: `tag:"service:cart"`}}}}
	if got, err := src.Alerts(context.Background(), sel); err != nil || len(got) != 1 || got[0].ID != "id-7" {
		t.Errorf("selector: %d alerts, %v", len(got), err)
	}
}

// TestPagingLoopFails: a site that ignores the offset (every page is page 1, with a next
// link) fails the alert search and the schedule listing with a paging loop, rather than
// listing page 1 MaxPages times; a user listing that loops stops there and names the rest by
// account id.
func TestPagingLoopFails(t *testing.T) {
	srv := start(t, world())
	srv.AddFault(fake.Fault{Path: opsPath(cloud, "/alerts"), Replay: true})
	srv.AddFault(fake.Fault{Path: opsPath(cloud, "/schedules"), Replay: true})
	src := source(t, srv.URL, Options{PageSize: 2}, false)
	if as, err := src.Alerts(context.Background(), checkout); !errors.Is(err, connectors.ErrPagingLoop) || len(as) != 0 {
		t.Errorf("alerts: %d, %v; want none and a paging loop", len(as), err)
	}
	if _, err := src.Responders(context.Background(), checkout); !errors.Is(err, connectors.ErrPagingLoop) {
		t.Errorf("responders: %v; want a paging loop", err)
	}

	srv = start(t, world())
	users := "/ex/jira/" + cloud + "/rest/api/3/users/search"
	srv.AddFault(fake.Fault{Path: users, Replay: true})
	src = source(t, srv.URL, Options{PageSize: 2, UserPageSize: 2}, false)
	if _, err := src.Responders(context.Background(), checkout); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count(users); n != 2 {
		t.Errorf("%d user pages asked, want 2 (page 1 and its repeat)", n)
	}
}

// checkoutResponders is checkout's answer from world(): Sam (shift ends at 18:00) and Lena
// (her shift outlasts the timeline window: unknown end) on S1 at level 1, nobody on managers.
func checkoutResponders() model.Responders {
	return model.Responders{
		OnCall: []model.OnCall{
			{Name: "Sam Okafor", Email: "sam@example.com", Level: 1, Until: t0.Add(6 * time.Hour), Schedule: "checkout_schedule", Source: "jsm"},
			{Name: "Lena Fischer", Level: 1, Schedule: "checkout_schedule", Source: "jsm"},
		},
		Escalation: []model.EscalationStep{
			{Level: 1, AfterMinutes: 0, Targets: []string{"checkout_schedule"}, Source: "jsm"},
			{Level: 2, AfterMinutes: 30, Targets: []string{"Lena Fischer"}, Source: "jsm"},
			{Level: 3, AfterMinutes: 60, Targets: []string{"managers"}, Source: "jsm"},
		},
		Policy: "checkout_escalation", Loops: 2, CycleMinutes: 75,
		Note: "managers: no one on call; checkout_escalation repeats 2 time(s), every 75 min",
	}
}

// TestResponders reads the reference listings over three pages each (schedules of two, users
// of two) and answers checkout in full; the cloud id comes from the site when not configured.
func TestResponders(t *testing.T) {
	for _, site := range []bool{false, true} {
		t.Run(fmt.Sprint("site=", site), func(t *testing.T) {
			srv := start(t, world())
			src := source(t, srv.URL, Options{PageSize: 2, UserPageSize: 2}, site)
			got, err := src.Responders(context.Background(), checkout)
			if err != nil {
				t.Fatal(err)
			}
			if want := checkoutResponders(); !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
			count := func(path string) int {
				n := 0
				for _, r := range srv.Requests() {
					if strings.HasSuffix(r.Path, path) {
						n++
					}
				}
				return n
			}
			if n := count("/v1/schedules"); n != 3 {
				t.Errorf("%d schedule pages, want 3", n)
			}
			if n := count("/rest/api/3/users/search"); n != 3 {
				t.Errorf("%d user pages, want 3", n)
			}
			if n := count("/_edge/tenant_info"); (n == 1) != site {
				t.Errorf("%d tenant_info requests with site=%v", n, site)
			}
		})
	}
}

// TestEscalationTiming: rule delays in every unit, out of order, with and without repeat, map
// to cumulative steps ordered by delay naming each recipient; the cycle is the last delay
// plus the repeat's wait.
func TestEscalationTiming(t *testing.T) {
	rule := func(amount int, unit, typ, id string) jsmfake.EscalationRule {
		return jsmfake.EscalationRule{Condition: "if-not-acked", NotifyType: "default", Delay: jsmfake.Delay{TimeAmount: amount, TimeUnit: unit},
			Recipient: jsmfake.Responder{ID: id, Type: typ}}
	}
	tests := []struct {
		name   string
		rules  []jsmfake.EscalationRule
		repeat *jsmfake.Repeat
		want   string // level@minutes:target ...
		loops  int
		cycle  int
	}{
		{"schedule at once", []jsmfake.EscalationRule{rule(0, "minutes", "schedule", "S1")}, nil, "1@0:checkout_schedule", 0, 0},
		{"units and order", []jsmfake.EscalationRule{rule(2, "hours", "team", "T2"), rule(5, "minutes", "user", "A1"), rule(1, "days", "user", "A3")}, nil,
			"1@5:Sam Okafor 2@120:other 3@1440:Xia Wong", 0, 0},
		{"repeat", []jsmfake.EscalationRule{rule(0, "minutes", "schedule", "S1"), rule(45, "minutes", "escalation", "E0")},
			&jsmfake.Repeat{WaitInterval: 5, Count: 3}, "1@0:checkout_schedule 2@45:disabled_escalation", 3, 50},
		{"repeat without rules", nil, &jsmfake.Repeat{WaitInterval: 5, Count: 3}, "", 0, 0},
		{"unknown recipient keeps its id", []jsmfake.EscalationRule{rule(10, "minutes", "user", "Z9")}, nil, "1@10:Z9", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := world()
			d.Escalations["T1"] = []jsmfake.Escalation{d.Escalations["T1"][0],
				{ID: "E1", Name: "checkout_escalation", Enabled: true, Rules: tt.rules, Repeat: tt.repeat}}
			src := source(t, start(t, d).URL, Options{}, false)
			r, err := src.Responders(context.Background(), checkout)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range r.Escalation {
				got = append(got, fmt.Sprintf("%d@%d:%s", s.Level, s.AfterMinutes, strings.Join(s.Targets, ",")))
			}
			if strings.Join(got, " ") != tt.want || r.Loops != tt.loops || r.CycleMinutes != tt.cycle {
				t.Errorf("got %v loops %d cycle %d, want %s loops %d cycle %d", got, r.Loops, r.CycleMinutes, tt.want, tt.loops, tt.cycle)
			}
		})
	}
}

// TestRequestSequence: after Warm an answer asks only for its schedules' on-calls and
// timelines and the team's escalations, all concurrently (one round trip in sequence); the
// next answer only for the on-calls and timelines; without Warm the first answer fetches the
// listings itself.
func TestRequestSequence(t *testing.T) {
	ops := "/jsm/ops/api/" + cloud + "/v1"
	listings := []string{ops + "/schedules", ops + "/teams", "/rest/api/3/users/search"}
	perAnswer := []string{ops + "/schedules/S1/on-calls", ops + "/schedules/S1/timeline", ops + "/schedules/S4/on-calls", ops + "/schedules/S4/timeline"}
	first := append(slices.Clone(perAnswer), ops+"/teams/T1/escalations")
	tests := []struct {
		name  string
		warm  bool
		steps [][]string
	}{
		{"after Warm", true, [][]string{listings, first, perAnswer}},
		{"without Warm", false, [][]string{append(slices.Clone(listings), first...), perAnswer}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, world())
			src := source(t, srv.URL, Options{}, true)
			if _, err := src.cloudID(context.Background()); err != nil {
				t.Fatal(err)
			}
			for i, want := range tt.steps {
				srv.Reset()
				if i == 0 && tt.warm {
					if err := src.Warm(context.Background()); err != nil {
						t.Fatal(err)
					}
				} else if r, err := src.Responders(context.Background(), checkout); err != nil || !reflect.DeepEqual(r, checkoutResponders()) {
					t.Fatalf("step %d: %+v %v", i, r, err)
				}
				var got []string
				for _, r := range srv.Requests() {
					got = append(got, r.Path)
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("step %d: requests %v\nwant %v", i, got, want)
				}
			}
		})
	}
}

// TestErrors: Atlassian's 401, 403 and 429 answers, with their bodies and headers.
func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		token   string
		denied  []string
		fault   *fake.Fault
		call    func(*Source) error
		want    []string // in the error
		reqs    int      // requests to the alerts listing
		healthy bool
	}{
		{name: "401 names the variables", token: "wrong", call: alerts,
			want: []string{"HTTP 401", "Client must be authenticated", "check JSM_USER_EMAIL and JSM_API_TOKEN"}, reqs: 1},
		{name: "403 on alerts names the scope", denied: []string{jsmfake.ScopeAlerts}, call: alerts,
			want: []string{"HTTP 403", "ops-alert permission is required", "read:ops-alert:jira-service-management"}, reqs: 1},
		{name: "403 on configuration names the scope", denied: []string{jsmfake.ScopeConfig}, call: responders,
			want: []string{"HTTP 403", "read:ops-config:jira-service-management"}},
		{name: "429 honours Retry-After and recovers", fault: ptr(jsmfake.RateLimited(0, t0)), call: alerts, reqs: 2, healthy: true},
		{name: "429 every time gives up with the body", fault: ptr(jsmfake.RateLimited(0, t0)), call: alerts, reqs: 3,
			want: []string{"HTTP 429", "Rate limit exceeded"}},
		{name: "403 on users: people by account id", denied: []string{jsmfake.ScopeUsers}, call: func(s *Source) error {
			r, err := s.Responders(context.Background(), checkout)
			if err == nil && (r.OnCall[0].Name != "A1" || r.OnCall[0].Email != "") {
				return fmt.Errorf("on-call %+v", r.OnCall)
			}
			return err
		}, healthy: true},
		{name: "check names each missing permission", denied: []string{jsmfake.ScopeConfig, jsmfake.ScopeUsers}, call: func(s *Source) error { return s.Check(context.Background()) },
			want: []string{"read:ops-config:jira-service-management", "Browse users and groups"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := world()
			d.Denied = tt.denied
			srv := jsmfake.Start(d, email, token)
			t.Cleanup(srv.Close)
			if tt.fault != nil {
				f := *tt.fault
				f.PathPrefix = "/jsm/ops/api/" + cloud + "/v1/alerts"
				if tt.healthy {
					f.Times = 1
				}
				srv.AddFault(f)
			}
			o := Options{}
			src := source(t, srv.URL, o, false)
			if tt.token != "" {
				c := httpx.New(httpx.Options{Source: SourceName, BaseURL: srv.URL, Auth: Auth(email, tt.token), RetryMax: 2, RetryWaitMin: time.Millisecond})
				t.Cleanup(c.CloseIdleConnections)
				src = New(Options{API: c, CloudID: cloud, Now: func() time.Time { return t0 }})
			}
			err := tt.call(src)
			if tt.healthy != (err == nil) {
				t.Fatalf("err = %v", err)
			}
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not say %q", err, w)
				}
			}
			if tt.reqs > 0 {
				if n := srv.Count("/jsm/ops/api/" + cloud + "/v1/alerts"); n != tt.reqs {
					t.Errorf("%d alert requests, want %d", n, tt.reqs)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func alerts(s *Source) error { _, err := s.Alerts(context.Background(), checkout); return err }

func responders(s *Source) error { _, err := s.Responders(context.Background(), checkout); return err }

// TestFindIncident looks alerts up by id, tiny id and alias in one request each.
func TestFindIncident(t *testing.T) {
	uuid := "70413a06-38d6-4c85-92b8-5ebc900d42e2-1568046430990"
	d := world()
	d.Alerts[0].ID = uuid
	srv := start(t, d)
	src := source(t, srv.URL, Options{}, false)
	tests := []struct {
		ref, want string
		path      string
	}{
		{uuid, uuid, "/alerts/" + uuid},
		{"1042", "id-2", "/alerts"},
		{"#1043", "id-3", "/alerts"},
		{"alias-4", "id-4", "/alerts/alias"},
		{"9999", "", "/alerts"},
		{"no-such-alias", "", "/alerts/alias"},
		{"a/b", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			srv.Reset()
			ir, err := src.FindIncident(context.Background(), tt.ref)
			if tt.want == "" {
				if err != connectors.ErrNotFound {
					t.Errorf("got %+v, %v; want not found", ir, err)
				}
			} else if err != nil || ir.ID != tt.want || ir.Source != "jsm" || !slices.Equal(ir.Services, []string{"checkout", "checkout-entity"}) {
				t.Errorf("got %+v, %v", ir, err)
			}
			reqs := srv.Requests()
			if tt.path == "" && len(reqs) != 0 || tt.path != "" && (len(reqs) != 1 || reqs[0].Path != "/jsm/ops/api/"+cloud+"/v1"+tt.path) {
				t.Errorf("requests %+v", reqs)
			}
		})
	}
}
