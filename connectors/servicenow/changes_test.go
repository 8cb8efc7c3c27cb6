package servicenow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/model"
)

// checkoutTarget is checkout as the join resolves it: a catalog record with the ci-name
// annotation and this source's record, with orders-db (known to the catalog only by
// annotation) and payments (known by name only) as related services.
func checkoutTarget() model.Target {
	return model.Target{
		Name: "checkout",
		Records: []model.Service{
			{ID: "component:default/checkout", Name: "checkout", Source: "catalogfile", Annotations: map[string]string{AnnotationCIName: "Checkout Service"}},
			snRecord("Checkout Service", "Checkout Support"),
		},
		Related: []model.Target{
			{Name: "orders-db", Records: []model.Service{{ID: "resource:default/orders-db", Name: "orders-db", Source: "catalogfile",
				Annotations: map[string]string{AnnotationCIName: "orders-db-prod"}}}},
			{Name: "Payments Service"},
		},
		Since: t0.Add(-2 * time.Hour),
		Until: t0,
	}
}

// TestChangesOnHosts asks for the changes on the hosts a service runs on with its own: a
// host known to this source by its record, another only by name.
func TestChangesOnHosts(t *testing.T) {
	srv := start(t, shop(), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{})
	tg := checkoutTarget()
	tg.Related = nil
	tg.Hosts = []model.Target{
		{Name: "app-01", Records: []model.Service{(model.Host{ID: id("app-01"), Name: "app-01", Source: "servicenow"}).Record()}},
		{Name: "web-07.shop.example", Records: []model.Service{(model.Host{ID: "HOST-7", Name: "web-07.shop.example", Source: "dynatrace"}).Record()}},
	}
	got, err := s.Changes(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	q := requests(srv, "/api/now/table/change_request")[0]["sysparm_query"]
	if ids := strings.Split(strings.TrimPrefix(strings.Split(q, "^")[0], "cmdb_ciIN"), ","); !slices.Contains(ids, id("app-01")) ||
		!slices.Contains(ids, id("Checkout Service")) || !strings.Contains(q, "cmdb_ci.nameINHOST-7,web-07.shop.example") {
		t.Errorf("query %s: want the hosts' CIs by sys_id and by name", q)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID+"@"+c.Service)
	}
	if strings.Join(ids, " ") != "CHG0030020@Checkout Service CHG0030021@app-01" {
		t.Errorf("changes = %v, want the checkout rollback and the patch on app-01", ids)
	}
}

func TestChanges(t *testing.T) {
	srv := start(t, shop(), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{})
	got, err := s.Changes(context.Background(), checkoutTarget())
	if err != nil {
		t.Fatal(err)
	}
	q := requests(srv, "/api/now/table/change_request")[0]
	wantQuery := "cmdb_ciIN" + id("Checkout Service") + "^ORbusiness_serviceIN" + id("Checkout Service") +
		"^ORcmdb_ci.nameINPayments Service,orders-db-prod^ORbusiness_service.nameINPayments Service,orders-db-prod" +
		"^work_start>=2025-03-09 20:00:00^ORstart_date>=2025-03-09 20:00:00" +
		"^work_start<=2025-03-11 02:00:00^ORstart_date<=2025-03-11 02:00:00^ORDERBYDESCstart_date"
	if q["sysparm_query"] != wantQuery {
		t.Errorf("query =\n%s\nwant\n%s", q["sysparm_query"], wantQuery)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	// CHG0030018 is on another service; CHG0029001 is older than the window.
	if strings.Join(ids, " ") != "CHG0030020 CHG0030017 CHG0030012" {
		t.Fatalf("changes = %v, want CHG0030020 CHG0030017 CHG0030012", ids)
	}
	culprit, emergency, innocent := got[1], got[0], got[2]
	tests := []struct {
		name      string
		got, want any
	}{
		{"title", culprit.Title, "raise orders-db statement timeout"},
		{"kind", culprit.Kind, "change_request"},
		{"at is the actual start", culprit.At, t0.Add(-31 * time.Minute)},
		{"end is the planned end without work_end", culprit.EndAt, t0.Add(25 * time.Minute)},
		{"author is the assignee", culprit.Author, "Priya Nair"},
		{"service is the CI name", culprit.Service, "orders-db-prod"},
		{"state label", culprit.State, "implement"},
		{"no risk", len(culprit.Risk), 0},
		{"source", culprit.Source, "servicenow"},
		{"url", culprit.URL, srv.URL + "/nav_to.do?uri=change_request.do?sys_id=" + id("CHG0030017")},
		{"at falls back to the planned start", innocent.At, t0.Add(-100 * time.Minute)},
		{"author falls back to the requester", innocent.Author, "Marco Rossi"},
		{"service from business_service", innocent.Service, "Payments Service"},
		{"closed", innocent.State, "closed"},
		{"risk flags", strings.Join(emergency.Risk, ","), "emergency,failed"},
		{"author falls back to the group", emergency.Author, "Checkout Engineering"},
		{"own-record CI name needs no lookup", emergency.Service, "Checkout Service"},
		{"display values asked", q["sysparm_display_value"], "all"},
		{"names from display values: no lookup beside the approvals", len(srv.Requests()), 2},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestChangesIdentities(t *testing.T) {
	tests := []struct {
		name   string
		target model.Target
		query  string // prefix of sysparm_query; "" = no request
	}{
		{"zero target", model.Target{}, ""},
		{"own record", model.Target{Name: "x", Records: []model.Service{snRecord("Search Service", "")}},
			"cmdb_ciIN" + id("Search Service") + "^ORbusiness_serviceIN" + id("Search Service") + "^ORDERBY"},
		{"annotations", model.Target{Name: "x", Records: []model.Service{{Name: "x", Source: "catalogfile",
			Annotations: map[string]string{AnnotationSysID: "abc", AnnotationCIName: "Search Service"}}}},
			"cmdb_ciINabc^ORbusiness_serviceINabc^ORcmdb_ci.nameINSearch Service^ORbusiness_service.nameINSearch Service^ORDERBY"},
		{"names, one with a comma", model.Target{Name: "search", Records: []model.Service{{Name: "search", Title: "Search, v2", Source: "catalogfile"}}},
			"cmdb_ci.nameINsearch^ORcmdb_ci.name=Search, v2^ORbusiness_service.nameINsearch^ORbusiness_service.name=Search, v2^ORDERBY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, shop(), creds)
			s := source(t, srv, "opsctx", "s3cret", Options{})
			if _, err := s.Changes(context.Background(), tt.target); err != nil {
				t.Fatal(err)
			}
			reqs := requests(srv, "/api/now/table/change_request")
			switch {
			case tt.query == "" && len(reqs) > 0:
				t.Errorf("made %d requests, want none", len(reqs))
			case tt.query != "" && (len(reqs) != 1 || !strings.HasPrefix(reqs[0]["sysparm_query"], tt.query)):
				t.Errorf("requests %v, want one with query %q", reqs, tt.query)
			}
		})
	}
}

// TestChangeRecordsAhead: the change record of each change (planned and actual window,
// requester, implementer, approval with the approvers, backout plan), and the changes
// scheduled to start within the horizon, asked for in the same request.
func TestChangeRecordsAhead(t *testing.T) {
	d := shop()
	for i, r := range d.Tables["change_request"] {
		if r["number"] == "CHG0030017" {
			r["backout_plan"], r["approval"], r["requested_by"] = "ALTER SYSTEM SET statement_timeout = '30s'; reload", "approved", id("Sam Okafor")
			d.Tables["change_request"][i] = r
		}
	}
	d.Tables["change_request"] = append(d.Tables["change_request"], snfake.Record{"sys_id": id("CHG0030040"), "number": "CHG0030040",
		"short_description": "orders-db failover test", "type": "normal", "state": "-2", "start_date": at(-45 * time.Minute),
		"end_date": at(-105 * time.Minute), "requested_by": id("Priya Nair"), "cmdb_ci": id("orders-db-prod")})
	d.Tables["sysapproval_approver"] = []snfake.Record{
		{"sys_id": id("appr1"), "approver": id("Marco Rossi"), "sysapproval": id("CHG0030017"), "state": "approved"},
		{"sys_id": id("appr2"), "approver": id("Sam Okafor"), "sysapproval": id("CHG0030017"), "state": "rejected"},
		{"sys_id": id("appr3"), "approver": id("Priya Nair"), "sysapproval": id("CHG0030012"), "state": "approved"},
	}
	srv := start(t, d, creds)
	s := source(t, srv, "opsctx", "s3cret", Options{})
	for _, ahead := range []time.Duration{0, 12 * time.Hour} {
		tg := checkoutTarget()
		if ahead > 0 {
			tg.Ahead = t0.Add(ahead)
		}
		got, err := s.Changes(context.Background(), tg)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]model.Change{}
		for _, c := range got {
			byID[c.ID] = c
		}
		scheduled, ok := byID["CHG0030040"]
		if ok != (ahead > 0) || ok && (!scheduled.At.Equal(t0.Add(45*time.Minute)) || scheduled.State != "scheduled") {
			t.Errorf("horizon %s: scheduled change %+v (listed %v)", ahead, scheduled, ok)
		}
		want := model.ChangeRecord{PlannedStart: t0.Add(-35 * time.Minute), PlannedEnd: t0.Add(25 * time.Minute), WorkStart: t0.Add(-31 * time.Minute),
			RequestedBy: "Sam Okafor", Implementer: "Priya Nair", ApprovedBy: "Marco Rossi", Approval: "approved",
			BackoutPlan: "ALTER SYSTEM SET statement_timeout = '30s'; reload"}
		if r := byID["CHG0030017"].Record; r == nil || *r != want {
			t.Errorf("record %+v, want %+v", r, want)
		}
		if r := byID["CHG0030012"].Record; r == nil || r.ApprovedBy != "Priya Nair" || r.BackoutPlan != "" {
			t.Errorf("CHG0030012 record %+v", r)
		}
	}
	q := requests(srv, "/api/now/table/sysapproval_approver")
	if len(q) != 2 || !strings.Contains(q[0]["sysparm_query"], "state=approved") || !strings.Contains(q[0]["sysparm_query"], "sysapproval.cmdb_ciIN") {
		t.Errorf("approval requests %v", q)
	}
}
