package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/fake"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
	"github.com/opsctx/opsctx/internal/model"
)

// world: checkout (PCHK) depends on payments (PPAY); POTH is unrelated. Checkout has five
// open incidents, payments two, POTH one; incident 1 has five triggered alerts.
func world() pdfake.Data {
	d := pdfake.Data{
		Services: []pdfake.Service{
			{ID: "PCHK", Name: "Checkout API", Description: "checkout", Status: "critical", HTMLURL: "https://acme.pagerduty.com/service-directory/PCHK",
				EscalationPolicy: pref("PEP1", "Checkout escalation"), Teams: []pdfake.Ref{pref("PT1", "Checkout"), pref("PT2", "Shop")}},
			{ID: "PPAY", Name: "Payments", EscalationPolicy: pref("PEP2", "Payments"), Teams: []pdfake.Ref{pref("PT3", "Payments")}},
			{ID: "POTH", Name: "Other", EscalationPolicy: pref("PEP2", "Payments"), Teams: []pdfake.Ref{pref("PT2", "Shop")}},
			{ID: "PNOT", Name: "No team", EscalationPolicy: pref("PEP2", "Payments")},
			{ID: "PZZZ", Name: "Zeta", EscalationPolicy: pref("PEP2", "Payments")},
		},
		Users: []pdfake.User{{ID: "PSAM", Name: "Sam Okafor", Email: "sam@acme.example"}, {ID: "PLENA", Name: "Lena Fischer", Email: "lena@acme.example"}},
		Policies: []pdfake.EscalationPolicy{
			{ID: "PEP1", Name: "Checkout escalation", NumLoops: 1, EscalationRules: []pdfake.EscalationRule{
				{ID: "R1", EscalationDelayInMinutes: 30, Targets: []pdfake.Ref{pref("PSAM", "Sam Okafor")}},
				{ID: "R2", EscalationDelayInMinutes: 15, Targets: []pdfake.Ref{pref("PLENA", "Lena Fischer"), {ID: "PSCH1", Type: "schedule_reference", Summary: "Primary"}}},
				{ID: "R3", EscalationDelayInMinutes: 10, Targets: []pdfake.Ref{{ID: "PSCH2", Type: "schedule_reference", Summary: "Managers"}}},
			}},
			{ID: "PEP2", Name: "Payments", EscalationRules: []pdfake.EscalationRule{{ID: "R4", EscalationDelayInMinutes: 5, Targets: []pdfake.Ref{pref("PSAM", "")}}}},
		},
		OnCalls: []pdfake.OnCall{
			{User: pref("PSAM", "Sam Okafor"), EscalationPolicy: pref("PEP1", ""), EscalationLevel: 1, Start: ago(time.Hour), End: ago(-time.Hour)},
			{User: pref("PSAM", "Sam Okafor"), Schedule: &pdfake.Ref{ID: "PSCH1", Summary: "Primary"}, EscalationPolicy: pref("PEP1", ""),
				EscalationLevel: 1, Start: ago(time.Hour), End: ago(-3 * time.Hour)},
			{User: pref("PLENA", "Lena Fischer"), Schedule: &pdfake.Ref{ID: "PSCH1", Summary: "Primary"}, EscalationPolicy: pref("PEP1", ""),
				EscalationLevel: 2, Start: ago(time.Hour), End: ago(-2 * time.Hour)},
			{User: pref("PLENA", "Lena Fischer"), EscalationPolicy: pref("PEP1", ""), EscalationLevel: 3, Start: ago(9 * time.Hour), End: ago(8 * time.Hour)},
			{User: pref("PSAM", "Sam Okafor"), EscalationPolicy: pref("PEP2", ""), EscalationLevel: 1},
			// Who takes over: Mei from Lena at level 2 in 2 h, Kofi from Sam at level 1 in 3 h.
			{User: pref("PMEI", "Mei Chen"), Schedule: &pdfake.Ref{ID: "PSCH1", Summary: "Primary"}, EscalationPolicy: pref("PEP1", ""),
				EscalationLevel: 2, Start: ago(-2 * time.Hour), End: ago(-10 * time.Hour)},
			{User: pref("PKOFI", "Kofi Mensah"), Schedule: &pdfake.Ref{ID: "PSCH1", Summary: "Primary"}, EscalationPolicy: pref("PEP1", ""),
				EscalationLevel: 1, Start: ago(-3 * time.Hour), End: ago(-11 * time.Hour)},
		},
		MaintenanceWindows: []pdfake.MaintenanceWindow{
			{ID: "MW1", StartTime: ago(time.Hour), EndTime: ago(-20 * time.Minute), Description: "payments db upgrade",
				CreatedBy: &pdfake.Ref{ID: "PLENA", Summary: "Lena Fischer"}, Services: []pdfake.Ref{pref("PPAY", "Payments")}},
			{ID: "MW2", StartTime: ago(-2 * time.Hour), EndTime: ago(-3 * time.Hour), Description: "checkout failover", Services: []pdfake.Ref{pref("PCHK", "")}},
			{ID: "MW3", StartTime: ago(-30 * time.Hour), EndTime: ago(-31 * time.Hour), Description: "beyond the horizon", Services: []pdfake.Ref{pref("PCHK", "")}},
			{ID: "MW4", StartTime: ago(3 * time.Hour), EndTime: ago(2 * time.Hour), Description: "over", Services: []pdfake.Ref{pref("PCHK", "")}},
			{ID: "MW5", StartTime: ago(time.Hour), EndTime: ago(-time.Hour), Description: "another team's", Services: []pdfake.Ref{pref("PNOT", "")}},
		},
		ChangeEvents: []pdfake.ChangeEvent{
			{ID: "C1", Summary: "checkout v2", Timestamp: ago(30 * time.Minute), Services: []pdfake.Ref{pref("PCHK", "Checkout API")},
				Links: []pdfake.Link{{Href: "https://ci.example/1"}}, CustomDetails: map[string]any{"author": "dev@acme.example", "version": "2.0.0"}},
			{ID: "C2", Summary: "payments flag", Timestamp: ago(50 * time.Minute), Services: []pdfake.Ref{pref("POTH", "Other"), pref("PPAY", "Payments")},
				CustomDetails: map[string]any{"change_type": "Feature_Flag", "user": "marco"}},
			{ID: "C3", Summary: "unrelated", Timestamp: ago(20 * time.Minute), Services: []pdfake.Ref{pref("PNOT", "No team")}},
			{ID: "C4", Summary: "too old", Timestamp: ago(5 * time.Hour), Services: []pdfake.Ref{pref("PCHK", "Checkout API")}},
			{ID: "C5", Summary: "infra on other", Timestamp: ago(40 * time.Minute), Services: []pdfake.Ref{pref("PZZZ", "Zeta")},
				CustomDetails: map[string]any{"type": "infrastructure", "build_number": 7.0}},
		},
		Related: map[string][]pdfake.RelatedChange{"I1": {{ChangeEventID: "C5", Reason: "intelligent"}, {ChangeEventID: "C1", Reason: "related_service"}}},
	}
	add := func(id string, n int, svc, status string, before time.Duration) {
		d.Incidents = append(d.Incidents, pdfake.Incident{ID: id, IncidentNumber: n, Title: "incident " + id, Status: status,
			CreatedAt: ago(before), Service: pref(svc, map[string]string{"PCHK": "Checkout API", "PPAY": "Payments"}[svc]), Urgency: "high",
			Assignments: []pdfake.Assignment{{At: ago(before), Assignee: pref("PSAM", "Sam Okafor")}, {At: ago(before), Assignee: pref("PLENA", "Lena Fischer")}},
			Teams:       []pdfake.Ref{pref("PT1", "Checkout")}, Priority: &pdfake.Priority{ID: "PP1", Name: "P1"}, EscalationPolicy: &pdfake.Ref{ID: "PEP1"}})
	}
	add("I1", 101, "PCHK", "triggered", time.Hour)
	add("I2", 102, "PCHK", "acknowledged", 2*time.Hour)
	d.Incidents[1].Acknowledgements = []pdfake.Acknowledgement{{At: ago(118 * time.Minute), Acknowledger: pref("PSAM", "Sam Okafor")},
		{At: ago(90 * time.Minute), Acknowledger: pref("PLENA", "Lena Fischer")}}
	add("I3", 103, "PCHK", "triggered", 3*time.Hour)
	add("I4", 104, "PCHK", "triggered", 40*24*time.Hour) // older than the default one-month window
	add("I5", 105, "PCHK", "acknowledged", 5*time.Hour)
	add("I6", 106, "PPAY", "triggered", 6*time.Hour)
	add("I7", 107, "PPAY", "triggered", 7*time.Hour)
	add("I8", 108, "POTH", "triggered", 8*time.Hour)
	add("I9", 109, "PCHK", "resolved", 9*time.Hour)
	for i := 1; i <= 6; i++ {
		status := "triggered"
		if i == 6 {
			status = "resolved"
		}
		a := pdfake.Alert{ID: fmt.Sprintf("A%d", i), Summary: fmt.Sprintf("alert %d", i), CreatedAt: ago(time.Duration(70-i) * time.Minute),
			Status: status, AlertKey: fmt.Sprintf("key-%d", i), Service: pref("PCHK", "Checkout API"), Incident: pref("I1", ""), Severity: "critical",
			HTMLURL: fmt.Sprintf("https://acme.pagerduty.com/alerts/A%d", i)}
		if i == 1 {
			a.Body = pdfake.AlertBody{Contexts: []pdfake.Context{{Type: "link", Href: "https://wiki/rb", Text: "Runbook"}}, Details: map[string]any{"summary": "disk full", "host": "db-1"}}
		}
		d.Alerts = append(d.Alerts, a)
	}
	d.Alerts = append(d.Alerts, pdfake.Alert{ID: "B1", Summary: "payments alert", CreatedAt: ago(6 * time.Hour), Status: "triggered",
		AlertKey: "pay", Service: pref("PPAY", "Payments"), Incident: pref("I2", ""), Severity: "warning"})
	return d
}

var checkout = target("checkout", "PCHK", target("payments", "PPAY"), target("search", ""))

func TestCatalog(t *testing.T) {
	src, srv := start(t, world(), 2)
	cat, err := src.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(requests(srv, "/services")); got != 3 {
		t.Errorf("%d requests for 5 services in pages of 2, want 3", got)
	}
	var names []string
	for _, s := range cat.Services {
		names = append(names, s.Name)
	}
	want := model.Service{ID: "PCHK", Name: "Checkout API", Description: "checkout", Owner: "Checkout", Tags: []string{"pagerduty-status:critical"},
		Source: SourceName, URL: "https://acme.pagerduty.com/service-directory/PCHK"}
	tests := []struct {
		name      string
		got, want any
	}{
		{"every service, by name", names, []string{"Checkout API", "No team", "Other", "Payments", "Zeta"}},
		{"checkout mapped", cat.Services[0], want},
		{"no team, no owner", cat.Services[1].Owner, ""},
		{"teams", len(cat.Teams), 3},
		{"team", cat.Teams[0].Name + "|" + cat.Teams[0].ID + "|" + cat.Teams[0].Source, "Checkout|PT1|pagerduty"},
		{"not truncated", cat.Truncated, false},
		{"policy remembered", src.policyOf["PCHK"], "PEP1"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
	src.o.MaxPages = 2
	cat, err = src.Catalog(context.Background())
	if err != nil || !cat.Truncated || len(cat.Services) != 4 {
		t.Errorf("with 2 pages: %d services, truncated %v, err %v; want 4, true", len(cat.Services), cat.Truncated, err)
	}
}

func TestDependencies(t *testing.T) {
	d := world()
	d.Relationships = []pdfake.Relationship{{ID: "R", SupportingService: pref("PPAY", ""), DependentService: pref("PCHK", "")}}
	src, _ := start(t, d, 0)
	deps, err := src.Dependencies(context.Background(), "PCHK")
	want := []model.Dependency{{From: "PCHK", To: "PPAY", Kind: "depends_on", Source: SourceName}}
	if err != nil || !reflect.DeepEqual(deps, want) {
		t.Fatalf("got %v, %v; want %v", deps, err, want)
	}
}

func TestIncidents(t *testing.T) {
	tests := []struct {
		name     string
		target   model.Target
		wantIDs  []string
		services []string // service_ids[] sent
		requests int
	}{
		{"target and related, over four pages", checkout, []string{"I1", "I2", "I3", "I5", "I6", "I7", "I4"}, []string{"PCHK", "PPAY"}, 4},
		{"zero target: every open incident", model.Target{}, []string{"I1", "I2", "I3", "I5", "I6", "I7", "I8", "I4"}, nil, 4},
		{"own record wins over the annotation", model.Target{Name: "x", Records: []model.Service{{ID: "PPAY", Source: SourceName},
			{Source: "catalogfile", Annotations: map[string]string{"pagerduty.com/service-id": "PCHK"}}}}, []string{"I6", "I7"}, []string{"PPAY"}, 1},
		{"no PagerDuty identity: nothing, no request", target("search", ""), nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, srv := start(t, world(), 2)
			incs, err := src.Incidents(context.Background(), tt.target)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, in := range incs {
				ids = append(ids, in.ID)
			}
			if !reflect.DeepEqual(ids, tt.wantIDs) {
				t.Errorf("ids %v, want %v", ids, tt.wantIDs)
			}
			reqs := requests(srv, "/incidents")
			if len(reqs) != tt.requests {
				t.Fatalf("%d requests, want %d", len(reqs), tt.requests)
			}
			// Every page once; after the first (which asks for the total) the others at once,
			// in any order.
			offsets := map[string]bool{}
			for i, r := range reqs {
				q := r.Query
				if !reflect.DeepEqual(q["service_ids[]"], tt.services) || !reflect.DeepEqual(q["statuses[]"], []string{"triggered", "acknowledged"}) ||
					q.Get("date_range") != "all" || q.Get("limit") != "2" || (i == 0) != (q.Get("total") == "true") {
					t.Errorf("request %d query %v", i, q)
				}
				offsets[q.Get("offset")] = true
			}
			for i := range tt.requests {
				if !offsets[fmt.Sprint(2*i)] || reqs[0].Query.Get("offset") != "0" {
					t.Errorf("offsets asked %v (first %s), want 0 first, then 2 to %d", offsets, reqs[0].Query.Get("offset"), 2*(tt.requests-1))
				}
			}
		})
	}
}

func TestIncidentMapping(t *testing.T) {
	src, _ := start(t, world(), 0)
	incs, err := src.Incidents(context.Background(), target("checkout", "PCHK"))
	if err != nil || len(incs) == 0 {
		t.Fatal(incs, err)
	}
	want := model.Incident{ID: "I1", Number: "101", Title: "incident I1", Service: "Checkout API", Priority: "P1", Urgency: "high",
		Status: "triggered", StartedAt: t0.Add(-time.Hour), Assignees: []string{"Sam Okafor", "Lena Fischer"}, Team: "Checkout",
		Scheduled: []model.Action{{Kind: model.ActionEscalate, At: t0.Add(25 * time.Minute)}}, Source: SourceName, URL: "https://shop.pagerduty.com/incidents/I1"}
	if !reflect.DeepEqual(incs[0], want) {
		t.Errorf("got  %#v\nwant %#v", incs[0], want)
	}
}

func TestAlerts(t *testing.T) {
	src, srv := start(t, world(), 2)
	src.o.MaxAlertIncidents = 2 // I1 and I2, the target's newest
	// Incidents and alerts asked concurrently share one incident listing.
	var wg sync.WaitGroup
	var alerts []model.Alert
	var aErr, iErr error
	wg.Add(2)
	go func() { defer wg.Done(); alerts, aErr = src.Alerts(context.Background(), checkout) }()
	go func() { defer wg.Done(); _, iErr = src.Incidents(context.Background(), checkout) }()
	wg.Wait()
	if iErr != nil || !connectors.IsIncomplete(aErr) || !strings.Contains(aErr.Error(), "alerts may be incomplete: read for 2 of 7 open incidents") {
		t.Fatalf("incidents: %v; alerts: %v, want the alerts said incomplete (2 of 7 incidents read)", iErr, aErr)
	}
	if n := len(requests(srv, "/incidents")) - len(requests(srv, "/incidents/")); n != 4 {
		t.Errorf("%d incident list requests, want 4 (one listing of 4 pages)", n)
	}
	a1 := requests(srv, "/incidents/I1/alerts")
	if len(a1) != 3 {
		t.Errorf("%d alert pages for 5 triggered alerts in pages of 2, want 3", len(a1))
	}
	for _, r := range a1 {
		if !reflect.DeepEqual(r.Query["statuses[]"], []string{"triggered"}) {
			t.Errorf("alerts query %v", r.Query)
		}
	}
	if n := len(requests(srv, "/incidents/I3/alerts")); n != 0 {
		t.Errorf("alerts of I3 read although MaxAlertIncidents is 2")
	}
	var ids []string
	for _, a := range alerts {
		ids = append(ids, a.ID)
	}
	if want := []string{"B1", "A1", "A2", "A3", "A4", "A5"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("alerts %v, want %v (oldest first)", ids, want)
	}
	want := model.Alert{ID: "A1", Title: "alert 1", Service: "Checkout API", Severity: "critical", Status: "firing", DedupKey: "key-1",
		StartedAt: t0.Add(-69 * time.Minute), Labels: map[string]string{"incident": "#101"}, Description: "disk full",
		RunbookURL: "https://wiki/rb", Source: SourceName, URL: "https://acme.pagerduty.com/alerts/A1"}
	if got := alerts[1]; !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
	if alerts[0].Status != "acknowledged" {
		t.Errorf("alert of an acknowledged incident has status %q", alerts[0].Status)
	}
}

func TestResponders(t *testing.T) {
	tests := []struct {
		name        string
		catalogRead bool
		servicesGet int
	}{
		{"policy from the catalog", true, 0},
		{"policy from GET /services/{id}", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, srv := start(t, world(), 1)
			if tt.catalogRead {
				if _, err := src.Catalog(context.Background()); err != nil {
					t.Fatal(err)
				}
				srv.Reset()
			}
			r, err := src.Responders(context.Background(), checkout)
			if err != nil {
				t.Fatal(err)
			}
			want := model.Responders{
				Policy: "Checkout escalation", Loops: 1, CycleMinutes: 55,
				OnCall: []model.OnCall{
					{Name: "Sam Okafor", Email: "sam@acme.example", Level: 1, Start: t0.Add(-time.Hour), Until: t0.Add(3 * time.Hour), Source: SourceName},
					{Name: "Lena Fischer", Email: "lena@acme.example", Level: 2, Start: t0.Add(-time.Hour), Until: t0.Add(2 * time.Hour), Schedule: "Primary", Source: SourceName},
				},
				Escalation: []model.EscalationStep{
					{Level: 1, AfterMinutes: 0, Targets: []string{"Sam Okafor"}, Source: SourceName},
					{Level: 2, AfterMinutes: 30, Targets: []string{"Lena Fischer", "Primary"}, Source: SourceName},
					{Level: 3, AfterMinutes: 45, Targets: []string{"Managers"}, Source: SourceName},
				},
				Note: "level 3 (Managers): no one on call; Checkout escalation repeats 1 more time(s), every 55 min",
			}
			if !reflect.DeepEqual(r, want) {
				t.Errorf("got  %+v\nwant %+v", r, want)
			}
			if n := len(requests(srv, "/services/PCHK")); n != tt.servicesGet {
				t.Errorf("%d GET /services/PCHK, want %d", n, tt.servicesGet)
			}
			oc := requests(srv, "/oncalls")
			if len(oc) != 3 { // 3 entries on PEP1 now, pages of 1
				t.Errorf("%d /oncalls pages, want 3", len(oc))
			}
			q := oc[0].Query
			if q.Get("escalation_policy_ids[]") != "PEP1" || q.Get("include[]") != "users" || q.Get("since") != ago(0) || q.Get("until") != ago(0) {
				t.Errorf("oncalls query %v", q)
			}
		})
	}
	src, srv := start(t, world(), 0)
	if r, err := src.Responders(context.Background(), target("search", "")); err != nil || !reflect.DeepEqual(r, model.Responders{}) || len(srv.Requests()) != 0 {
		t.Errorf("no identity: %+v, %v, %d requests", r, err, len(srv.Requests()))
	}
}

// TestRespondersAhead: with a horizon, one /oncalls window from now to it lists who takes
// over each level: a shift that begins within the horizon is upcoming, one after it is not
// listed; the shifts holding now stay on call.
func TestRespondersAhead(t *testing.T) {
	tests := []struct {
		name     string
		ahead    time.Duration
		upcoming []string
	}{
		{"both handovers inside the horizon", 12 * time.Hour, []string{"L2 Mei Chen from +2h0m0s to +10h0m0s", "L1 Kofi Mensah from +3h0m0s to +11h0m0s"}},
		{"the handovers outside the horizon", time.Hour, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, srv := start(t, world(), 0)
			tg := checkout
			tg.Ahead = t0.Add(tt.ahead)
			r, err := src.Responders(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			var up []string
			for _, o := range r.Upcoming {
				up = append(up, fmt.Sprintf("L%d %s from +%s to +%s", o.Level, o.Name, o.Start.Sub(t0), o.Until.Sub(t0)))
			}
			if !reflect.DeepEqual(up, tt.upcoming) || !r.LooksAhead || len(r.OnCall) != 2 || r.OnCall[0].Name != "Sam Okafor" || r.OnCall[1].Name != "Lena Fischer" {
				t.Errorf("upcoming %q (want %q), looks ahead %v, on call %+v", up, tt.upcoming, r.LooksAhead, r.OnCall)
			}
			q := requests(srv, "/oncalls")[0].Query
			if q.Get("since") != ago(0) || q.Get("until") != ago(-tt.ahead) {
				t.Errorf("oncalls window %v", q)
			}
		})
	}
}

// TestMutes: the maintenance windows of the target's and its related services that are under
// way or begin within the horizon, from one filtered listing paged to the end.
func TestMutes(t *testing.T) {
	src, srv := start(t, world(), 1)
	tg := checkout
	tg.Ahead = t0.Add(12 * time.Hour)
	ms, err := src.Mutes(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Mute{
		{ID: "MW1", Kind: model.MuteMaintenance, Title: "payments db upgrade", StartsAt: t0.Add(-time.Hour), EndsAt: t0.Add(20 * time.Minute),
			Services: []string{"PPAY"}, CreatedBy: "Lena Fischer", Source: SourceName, URL: "https://shop.pagerduty.com/service-directory/maintenance-windows/MW1"},
		{ID: "MW2", Kind: model.MuteMaintenance, Title: "checkout failover", StartsAt: t0.Add(2 * time.Hour), EndsAt: t0.Add(3 * time.Hour),
			Services: []string{"PCHK"}, Source: SourceName, URL: "https://shop.pagerduty.com/service-directory/maintenance-windows/MW2"},
	}
	if !reflect.DeepEqual(ms, want) {
		t.Errorf("got  %+v\nwant %+v", ms, want)
	}
	reqs := requests(srv, "/maintenance_windows")
	if len(reqs) != 3 { // MW1, MW2, MW3 open on PCHK/PPAY, pages of 1
		t.Errorf("%d pages, want 3", len(reqs))
	}
	if q := reqs[0].Query; q.Get("filter") != "open" || !reflect.DeepEqual(q["service_ids[]"], []string{"PCHK", "PPAY"}) {
		t.Errorf("query %v", q)
	}
	if ms, err := src.Mutes(context.Background(), target("search", "")); err != nil || len(ms) != 0 {
		t.Errorf("no identity: %+v %v", ms, err)
	}
}

// TestIncidentAcknowledgements: who acknowledged an incident and when, earliest first, and
// what PagerDuty has scheduled on it (the next escalation of a triggered incident).
func TestIncidentAcknowledgements(t *testing.T) {
	src, _ := start(t, world(), 10)
	incs, err := src.Incidents(context.Background(), checkout)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]model.Incident{}
	for _, in := range incs {
		byID[in.ID] = in
	}
	if got, want := byID["I2"].Acks, []model.Ack{{By: "Sam Okafor", At: t0.Add(-118 * time.Minute)}, {By: "Lena Fischer", At: t0.Add(-90 * time.Minute)}}; !reflect.DeepEqual(got, want) {
		t.Errorf("I2 acknowledgements %+v, want %+v", got, want)
	}
	// I1 triggered 1 h ago; PEP1 escalates at +30, +45, +55 and again from +85 (one loop).
	if got, want := byID["I1"].Scheduled, []model.Action{{Kind: model.ActionEscalate, At: t0.Add(25 * time.Minute)}}; !reflect.DeepEqual(got, want) || len(byID["I1"].Acks) != 0 {
		t.Errorf("I1 scheduled %+v (want %+v), acks %+v", got, want, byID["I1"].Acks)
	}
}

func TestChanges(t *testing.T) {
	src, srv := start(t, world(), 2)
	chs, err := src.Changes(context.Background(), checkout)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Change{
		{ID: "C1", Title: "checkout v2", Kind: "deploy", At: t0.Add(-30 * time.Minute), Author: "dev@acme.example", Service: "Checkout API",
			Version: "2.0.0", Source: SourceName, URL: "https://ci.example/1"},
		{ID: "C5", Title: "infra on other", Kind: "infra", At: t0.Add(-40 * time.Minute), Service: "Zeta", Source: SourceName,
			Risk: []string{"PagerDuty correlates it with incident #101"}},
		{ID: "C2", Title: "payments flag", Kind: "config", At: t0.Add(-50 * time.Minute), Author: "marco", Service: "Payments", Source: SourceName},
	}
	if !reflect.DeepEqual(chs, want) {
		t.Errorf("got  %+v\nwant %+v", chs, want)
	}
	list := requests(srv, "/change_events")
	if len(list) != 3 { // C1, C2, C3, C5 in the window: two full pages, and an empty one ends a list without `more`
		t.Fatalf("%d change event pages, want 3", len(list))
	}
	if q := list[0].Query; q.Get("since") != ago(2*time.Hour) || q.Get("until") != ago(0) {
		t.Errorf("window %v", q)
	}
	rel := requests(srv, "/incidents/")
	var relPaths []string
	for _, r := range rel {
		if strings.HasSuffix(r.Path, "/related_change_events") {
			relPaths = append(relPaths, r.Path)
		}
	}
	// The target's own open incidents (I1, I2, I3, I5, I4): at most DefaultMaxRelated.
	if len(relPaths) != DefaultMaxRelated || !slices.Contains(relPaths, "/incidents/I1/related_change_events") || slices.Contains(relPaths, "/incidents/I6/related_change_events") {
		t.Errorf("related change event requests %v", relPaths)
	}
}

// TestChangesBusyAccount: when the account-level list is longer than MaxPages, each
// service's change events are read instead.
func TestChangesBusyAccount(t *testing.T) {
	src, srv := start(t, world(), 1)
	src.o.MaxPages = 2
	chs, err := src.Changes(context.Background(), target("checkout", "PCHK", target("payments", "PPAY")))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range chs {
		ids = append(ids, c.ID)
	}
	if want := []string{"C1", "C5", "C2"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("changes %v, want %v", ids, want)
	}
	if n := len(requests(srv, "/change_events")); n != 2 {
		t.Errorf("%d account-level pages, want 2 (the cap)", n)
	}
	for _, p := range []string{"/services/PCHK/change_events", "/services/PPAY/change_events"} {
		if len(requests(srv, p)) == 0 {
			t.Errorf("no request to %s", p)
		}
	}
}

func TestFindIncident(t *testing.T) {
	tests := []struct {
		ref      string
		wantID   string
		requests int
	}{
		{"101", "I1", 1},
		{"#102", "I2", 1},
		{" I3 ", "I3", 1},
		{"999", "", 1},
		{"INC0012345", "", 1},
		{"P-2311", "", 0},
		{"-5723950718830532608_1732600000000V2", "", 0},
		{"checkout", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			src, srv := start(t, world(), 0)
			got, err := src.FindIncident(context.Background(), tt.ref)
			if n := len(srv.Requests()); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if tt.wantID == "" {
				if !errors.Is(err, connectors.ErrNotFound) {
					t.Errorf("err %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil || got.ID != tt.wantID || got.Source != SourceName || !reflect.DeepEqual(got.Services, []string{"PCHK", "Checkout API"}) ||
				got.StartedAt.IsZero() || got.Title != "incident "+tt.wantID || got.URL == "" {
				t.Errorf("got %+v, %v", got, err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		token string
		fault *fake.Fault
		call  func(*Source) error
		want  []string // substrings of the error; nil = success
		slow  time.Duration
	}{
		{name: "401 names the variable", token: "wrong", call: func(s *Source) error { _, err := s.Catalog(context.Background()); return err },
			want: []string{"HTTP 401", "Unauthorized", "check PAGERDUTY_API_TOKEN"}},
		{name: "403", fault: &fake.Fault{Status: 403, Body: `{"error":{"message":"Access Denied","code":2010}}`},
			call: func(s *Source) error { _, err := s.Incidents(context.Background(), checkout); return err },
			want: []string{"HTTP 403", "Access Denied", "PAGERDUTY_API_TOKEN"}},
		{name: "vendor error body", fault: &fake.Fault{Status: 400, Body: `{"error":{"message":"Invalid Input Provided","code":2001,"errors":["Since is invalid"]}}`},
			call: func(s *Source) error { _, err := s.Changes(context.Background(), checkout); return err },
			want: []string{"HTTP 400", "Invalid Input Provided", "Since is invalid"}},
		{name: "429 honours ratelimit-reset", fault: &fake.Fault{Times: 1, Status: 429, Header: http.Header{"Ratelimit-Reset": {"1"}},
			Body: `{"error":{"message":"Rate Limit Exceeded","code":2020}}`},
			call: func(s *Source) error { _, err := s.Catalog(context.Background()); return err }, slow: time.Second},
		{name: "check", call: func(s *Source) error { return s.Check(context.Background()) }},
		{name: "check names the URL on 404", fault: &fake.Fault{Status: 404, Body: `{"error":{"message":"Not Found","code":2100}}`},
			call: func(s *Source) error { return s.Check(context.Background()) }, want: []string{"HTTP 404", "check PAGERDUTY_API_URL"}},
		{name: "check names the token on 401", token: "nope", call: func(s *Source) error { return s.Check(context.Background()) },
			want: []string{"HTTP 401", "check PAGERDUTY_API_TOKEN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, srv := start(t, world(), 0)
			tok := testToken
			if tt.token != "" {
				tok = tt.token
			}
			src := newSource(t, srv.URL, tok, 0)
			if tt.fault != nil {
				srv.AddFault(*tt.fault)
			}
			began := time.Now()
			err := tt.call(src)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				if err == nil {
					t.Fatal("no error")
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if strings.Contains(err.Error(), tok) {
					t.Errorf("error leaks the token: %q", err)
				}
			}
			if el := time.Since(began); el < tt.slow || tt.slow > 0 && el > tt.slow+2*time.Second {
				t.Errorf("took %s, want about %s", el, tt.slow)
			}
			for _, r := range srv.Requests() {
				if r.Header.Get("Accept") != Accept || r.Header.Get("Authorization") != "Token token="+tok {
					t.Errorf("request headers %v", r.Header)
				}
			}
		})
	}
}

// TestAlertsPreferTheTarget: with a cap, the target's own incidents are read before its neighbours'.
func TestAlertsPreferTheTarget(t *testing.T) {
	src, srv := start(t, world(), 0)
	src.o.MaxAlertIncidents = 5
	if _, err := src.Alerts(context.Background(), checkout); !connectors.IsIncomplete(err) {
		t.Fatalf("err = %v, want the cap said", err)
	}
	for id, want := range map[string]int{"I1": 1, "I2": 1, "I3": 1, "I5": 1, "I4": 1, "I6": 0, "I7": 0} {
		if n := len(requests(srv, "/incidents/"+id+"/alerts")); n != want {
			t.Errorf("%d alert requests for %s, want %d", n, id, want)
		}
	}
}

// TestAlertsAndRelatedChangesSpeculate: the alerts and related change events of the
// incidents last seen open are requested while the incidents are listed again (so a hung
// listing still sees them asked for), reads of incidents the new listing no longer has are
// dropped from the answer, and answers equal those of a source that knew nothing.
func TestAlertsAndRelatedChangesSpeculate(t *testing.T) {
	ctx := context.Background()
	// answer is what Alerts and Changes say about checkout.
	answer := func(t *testing.T, src *Source) (as []model.Alert, cs []model.Change) {
		t.Helper()
		as, err := src.Alerts(ctx, checkout)
		if err == nil {
			cs, err = src.Changes(ctx, checkout)
		}
		if err != nil {
			t.Fatal(err)
		}
		return as, cs
	}
	base, _ := start(t, world(), 0)
	wantAlerts, wantChanges := answer(t, base)

	t.Run("warm reads start before the listing answers", func(t *testing.T) {
		src, srv := start(t, world(), 0)
		if err := src.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		srv.Reset()
		srv.AddFault(fake.Fault{Path: "/incidents", Hang: true})
		for what, call := range map[string]func(context.Context) error{
			"Alerts":  func(ctx context.Context) error { _, err := src.Alerts(ctx, checkout); return err },
			"Changes": func(ctx context.Context) error { _, err := src.Changes(ctx, checkout); return err },
		} {
			ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			if err := call(ctx); err == nil {
				t.Errorf("%s answered although the incident listing hung", what)
			}
			cancel()
		}
		for _, p := range []string{"/incidents/I1/alerts", "/incidents/I1/related_change_events"} {
			if n := len(requests(srv, p)); n != 1 {
				t.Errorf("%d requests for %s while the listing hung, want 1 (read speculatively)", n, p)
			}
		}
	})

	t.Run("incidents no longer open are dropped", func(t *testing.T) {
		src, srv := start(t, world(), 0)
		gone := incident{ID: "I9", IncidentNumber: 109, Service: ref{ID: "PCHK"}, CreatedAt: ago(time.Minute)}
		src.known.remember([]string{"PCHK"}, []incident{gone})
		got, gotChanges := answer(t, src)
		if !reflect.DeepEqual(got, wantAlerts) || !reflect.DeepEqual(gotChanges, wantChanges) {
			t.Errorf("a resolved incident's reads leaked into the answer:\nalerts  %+v\nwant    %+v\nchanges %+v\nwant    %+v", got, wantAlerts, gotChanges, wantChanges)
		}
		if n := len(requests(srv, "/incidents/I9/alerts")); n != 1 {
			t.Errorf("%d speculative alert reads of I9, want 1", n)
		}
	})

	t.Run("a fresh source reads ahead from an earlier one's hints", func(t *testing.T) {
		earlier, srv := start(t, world(), 0)
		if err := earlier.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		kept, err := earlier.Kept()
		if err != nil || !strings.Contains(string(kept), `"id":"I1"`) {
			t.Fatalf("Kept = %s, %v; want the open incidents' ids as hints", kept, err)
		}
		if strings.Contains(string(kept), "incident I1") || strings.Contains(string(kept), "Sam Okafor") {
			t.Errorf("Kept holds what an incident says, not only its id: %s", kept)
		}
		fresh := newSource(t, srv.URL, testToken, 0)
		if err := fresh.Keep(kept); err != nil {
			t.Fatal(err)
		}
		srv.Reset()
		srv.AddFault(fake.Fault{Path: "/incidents", Hang: true})
		ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if as, err := fresh.Alerts(ctx, checkout); err == nil || len(as) > 0 {
			t.Errorf("alerts %v, %v although the listing hung: a hint is no fact", as, err)
		}
		if n := len(requests(srv, "/incidents/I1/alerts")); n != 1 {
			t.Errorf("%d requests for I1's alerts while the listing hung, want 1 (read ahead from the hint)", n)
		}
		srv.ClearFaults()

		// A hint for an incident resolved since is read ahead and dropped.
		withGone := strings.Replace(string(kept), `"open":{"PCHK":[`, `"open":{"PCHK":[{"id":"I9","created_at":"`+ago(time.Minute)+`"},`, 1)
		fresh = newSource(t, srv.URL, testToken, 0)
		if err := fresh.Keep(json.RawMessage(withGone)); err != nil {
			t.Fatal(err)
		}
		srv.Reset()
		got, gotChanges := answer(t, fresh)
		if !reflect.DeepEqual(got, wantAlerts) || !reflect.DeepEqual(gotChanges, wantChanges) {
			t.Errorf("a hint of a resolved incident leaked into the answer:\nalerts  %+v\nwant    %+v\nchanges %+v\nwant    %+v", got, wantAlerts, gotChanges, wantChanges)
		}
		if n := len(requests(srv, "/incidents/I9/alerts")); n != 1 {
			t.Errorf("%d reads ahead of I9's alerts, want 1 (from its hint)", n)
		}
	})

	t.Run("warm answers equal cold ones", func(t *testing.T) {
		src, srv := start(t, world(), 0)
		if err := src.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		got, gotChanges := answer(t, src)
		if !reflect.DeepEqual(got, wantAlerts) || !reflect.DeepEqual(gotChanges, wantChanges) {
			t.Errorf("warm answer differs:\nalerts  %+v\nwant    %+v\nchanges %+v\nwant    %+v", got, wantAlerts, gotChanges, wantChanges)
		}
		for _, r := range srv.Requests() {
			if strings.HasSuffix(r.Path, "/alerts") || strings.HasSuffix(r.Path, "/related_change_events") {
				if n := len(requests(srv, r.Path)); n != 1 {
					t.Errorf("%s read %d times, want once (speculative and listed reads are shared)", r.Path, n)
				}
			}
		}
	})
}

// TestDetailsText: an alert's body.details is an object (Events API v2 custom_details), read as
// its description-like field or as key: value pairs; a string from older integrations is kept.
func TestDetailsText(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"description field", map[string]any{"description": " disk full ", "host": "db-1"}, "disk full"},
		{"pairs in key order", map[string]any{"p95_ms": "2400", "threshold_ms": 2000.0, "tags": []any{"a", "b"}, "none": nil},
			`none: ; p95_ms: 2400; tags: ["a","b"]; threshold_ms: 2000`},
		{"string from an older integration", "CPU above 90%", "CPU above 90%"},
		{"absent", nil, ""},
		{"control characters stripped", map[string]any{"summary": "a\x1b[31mb"}, "a[31mb"},
	}
	for _, tt := range tests {
		if got := detailsText(tt.in); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
