package servicenow

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/fake"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/model"
)

func TestResponders(t *testing.T) {
	noPlugin := shop()
	noPlugin.OnCall = nil
	annotated := model.Target{Name: "checkout", Records: []model.Service{{Name: "checkout", Source: "catalogfile",
		Annotations: map[string]string{AnnotationCIName: "Checkout Service"}}}}
	tests := []struct {
		name    string
		data    snfake.Data
		fault   *fake.Fault
		target  model.Target
		oncall  string // "name/email/level/schedule"
		note    string // substring of Note
		err     string // substring of the error
		cmdbReq int    // CI reads needed to find the support group
		group   string // the support group asked about, when not Checkout Support
		denied  []string
	}{
		{name: "own record", data: shop(), target: checkoutTarget(),
			oncall: "Sam Okafor/sam.okafor@shop.example/1/Checkout Support"},
		{name: "annotation only", data: shop(), target: annotated, cmdbReq: 1,
			oncall: "Sam Okafor/sam.okafor@shop.example/1/Checkout Support"},
		{name: "a host's support group", data: shop(), target: model.Target{Name: "app-01", Records: []model.Service{
			(model.Host{ID: id("app-01"), Name: "app-01", Source: "servicenow", Annotations: map[string]string{AnnotationSupportGroup: id("Linux Platform")}}).Record()}},
			oncall: "Dev Patel/dev.patel@shop.example/1/Linux Platform", group: "Linux Platform"},
		{name: "no support group", data: shop(), target: model.Target{Name: "s", Records: []model.Service{snRecord("Search Service", "")}}},
		{name: "zero target", data: shop(), target: model.Target{}},
		{name: "plugin REST API missing (400)", data: noPlugin, target: checkoutTarget(), note: "answered HTTP 400"},
		{name: "endpoint not found (404)", data: shop(), target: checkoutTarget(), note: "on-call unavailable from ServiceNow",
			fault: &fake.Fault{PathPrefix: "/api/now/on_call_rota", Status: 404, Body: `{"error":{"message":"Not found"},"status":"failure"}`}},
		{name: "unexpected shape", data: shop(), target: checkoutTarget(), note: "unexpected whoisoncall answer",
			fault: &fake.Fault{PathPrefix: "/api/now/on_call_rota", Status: 200, Body: `{"result":{"userId":"x"}}`}},
		{name: "endpoint missing: the rosters from the tables, nobody claimed on call", data: rostered(), target: checkoutTarget(),
			note:  `answered HTTP 404 (On-Call Scheduling REST API not available on this instance); who takes part, not whose turn it is now — shift "Checkout 24x7" (cmn_rota): Primary: Sam Okafor, Marco Rossi; Secondary: Priya Nair`,
			fault: &fake.Fault{PathPrefix: "/api/now/on_call_rota", Status: 404, Body: `{"error":{"message":"Not found"},"status":"failure"}`}},
		{name: "endpoint and tables missing", data: rostered(), target: checkoutTarget(), denied: []string{"cmn_rota"},
			note:  "answered HTTP 400 (On-Call Scheduling REST API not available on this instance); the On-Call Scheduling tables cannot be read either (HTTP 403)",
			fault: &fake.Fault{PathPrefix: "/api/now/on_call_rota", Status: 400, Body: `{"error":{"message":"Requested URI does not represent any resource"},"status":"failure"}`}},
		{name: "server error fails", data: shop(), target: checkoutTarget(), err: "HTTP 500",
			fault: &fake.Fault{PathPrefix: "/api/now/on_call_rota", Status: 500, Body: `{"error":{"message":"boom"},"status":"failure"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := creds
			o.Denied = tt.denied
			srv := start(t, tt.data, o)
			if tt.fault != nil {
				srv.AddFault(*tt.fault)
			}
			s := source(t, srv, "opsctx", "s3cret", Options{})
			got, err := s.Responders(context.Background(), tt.target)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var oc []string
			for _, o := range got.OnCall {
				oc = append(oc, fmt.Sprintf("%s/%s/%d/%s", o.Name, o.Email, o.Level, o.Schedule))
				if o.Source != "servicenow" {
					t.Errorf("on-call source %q", o.Source)
				}
			}
			if strings.Join(oc, ";") != tt.oncall {
				t.Errorf("on-call = %v, want %q", oc, tt.oncall)
			}
			if tt.note == "" && got.Note != "" || !strings.Contains(got.Note, tt.note) {
				t.Errorf("note = %q, want %q", got.Note, tt.note)
			}
			if n := len(requests(srv, "/api/now/table/cmdb_ci")); n != tt.cmdbReq {
				t.Errorf("cmdb_ci reads = %d, want %d", n, tt.cmdbReq)
			}
			if group := cmp.Or(tt.group, "Checkout Support"); tt.oncall != "" {
				if q := requests(srv, "/api/now/on_call_rota/whoisoncall")[0]["group_ids"]; q != id(group) {
					t.Errorf("group_ids = %q", q)
				}
				if got.Policy != group {
					t.Errorf("policy = %q", got.Policy)
				}
			}
		})
	}
}

// rostered is shop() with Checkout Support's shift "Checkout 24x7": roster Primary (Sam Okafor,
// then Marco Rossi, whose membership ended, then Marco again as a current member) and roster
// Secondary (Priya Nair); Sam is on call now.
func rostered() snfake.Data {
	d := shop()
	g, rota := id("Checkout Support"), id("rota:checkout")
	d.OnCall[g] = []snfake.OnCall{
		{UserID: id("Sam Okafor"), Group: g, Rota: rota, Roster: id("roster:primary"), Order: 1, Shift: "Checkout 24x7"},
		{UserID: id("Priya Nair"), Group: g, Rota: rota, Roster: id("roster:secondary"), Order: 1, RosterName: "Secondary"},
	}
	d.Tables["cmn_rota_roster"] = []snfake.Record{
		{"sys_id": id("roster:secondary"), "name": "Secondary", "rota": rota, "order": "200", "active": "true"},
		{"sys_id": id("roster:retired"), "name": "Retired", "rota": rota, "order": "300", "active": "false"},
	}
	d.Tables["cmn_rota_member"] = []snfake.Record{
		{"sys_id": id("m:marco-old"), "member": id("Marco Rossi"), "roster": id("roster:primary"), "order": "1", "to": "2024-12-31"},
		{"sys_id": id("m:marco"), "member": id("Marco Rossi"), "roster": id("roster:primary"), "order": "2", "from": "2025-01-01"},
	}
	return d
}

// TestWhoIsOnCallDocumentedShape: whoIsOnCall's documented fields are read: isOverride marks
// an override, userIds name the users of a custom escalation, and a notification device is
// counted, not listed as a person.
func TestWhoIsOnCallDocumentedShape(t *testing.T) {
	g := id("Checkout Support")
	srv := start(t, shop(), creds)
	srv.AddFault(fake.Fault{PathPrefix: "/api/now/on_call_rota", Status: 200, Times: 1, Body: `{"result":[` +
		`{"userId":"` + id("Sam Okafor") + `","group":"` + g + `","order":1,"isOverride":false,"isDevice":false},` +
		`{"userId":"` + id("Priya Nair") + `","group":"` + g + `","order":"2","isOverride":true,"isDevice":false},` +
		`{"userId":"","userIds":["` + id("Marco Rossi") + `"],"group":"` + g + `","order":3,"isOverride":false,"isDevice":false},` +
		`{"userId":"","deviceId":"d1","group":"` + g + `","order":4,"isOverride":false,"isDevice":true}]}`})
	got, err := source(t, srv, "opsctx", "s3cret", Options{}).Responders(context.Background(), checkoutTarget())
	if err != nil {
		t.Fatal(err)
	}
	var oc []string
	for _, o := range got.OnCall {
		oc = append(oc, fmt.Sprintf("%s/%d/%v", o.Name, o.Level, o.Override))
	}
	if want := "Sam Okafor/1/false;Priya Nair/2/true;Marco Rossi/3/false"; strings.Join(oc, ";") != want {
		t.Errorf("on-call = %v, want %s", oc, want)
	}
	if want := "1 on-call entry from ServiceNow is a notification device, not a person (not listed)"; got.Note != want {
		t.Errorf("note = %q, want %q", got.Note, want)
	}
}
