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
		{name: "server error fails", data: shop(), target: checkoutTarget(), err: "HTTP 500",
			fault: &fake.Fault{PathPrefix: "/api/now/on_call_rota", Status: 500, Body: `{"error":{"message":"boom"},"status":"failure"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, tt.data, creds)
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
