package servicenow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/model"
)

// onCall renders responders as "name/email/level/schedule;...".
func onCall(r model.Responders) string {
	var out []string
	for _, o := range r.OnCall {
		out = append(out, fmt.Sprintf("%s/%s/%d/%s", o.Name, o.Email, o.Level, o.Schedule))
	}
	return strings.Join(out, ";")
}

// withOverride is shop() where Priya Nair, who is in no rota, covers the secondary shift of
// Checkout Support (an override: not a cmn_rota_member, so Warm does not know her).
func withOverride() snfake.Data {
	d := shop()
	g := id("Checkout Support")
	d.OnCall[g] = append(d.OnCall[g], snfake.OnCall{UserID: id("Priya Nair"), Group: g, Rota: id("rota"), Order: 2, IsOverride: true})
	return d
}

// TestRequestsPerCapability pins the requests each capability makes, in the order of their
// round trips: per-service calls make one round trip when the names are inline (display
// values) or kept (Warm, catalog), and a fallback lookup only for what is not.
func TestRequestsPerCapability(t *testing.T) {
	ctx := context.Background()
	warm := func(s *Source) error { return s.Warm(ctx) }
	catalogAndWarm := func(s *Source) error {
		if _, err := s.Catalog(ctx); err != nil {
			return err
		}
		return s.Warm(ctx)
	}
	responders := func(s *Source) (string, error) {
		r, err := s.Responders(ctx, checkoutTarget())
		return onCall(r), err
	}
	tests := []struct {
		name   string
		data   snfake.Data
		fault  *fake.Fault
		before func(*Source) error // not counted
		call   func(*Source) (string, error)
		want   string   // the call's answer, summarised
		paths  []string // requests of the call, sorted
		// concurrent calls make their requests in any order (else the first is paths[0])
		concurrent bool
	}{
		{name: "changes: the change requests and their approvers, concurrently, no lookup", data: shop(), concurrent: true,
			call: func(s *Source) (string, error) {
				cs, err := s.Changes(ctx, checkoutTarget())
				var out []string
				for _, c := range cs {
					out = append(out, c.ID+"/"+c.Author+"/"+c.Service)
				}
				return strings.Join(out, ";"), err
			},
			want:  "CHG0030020/Checkout Engineering/Checkout Service;CHG0030017/Priya Nair/orders-db-prod;CHG0030012/Marco Rossi/Payments Service",
			paths: []string{"/api/now/table/change_request", "/api/now/table/sysapproval_approver"}},
		{name: "incidents: one incident request, no lookup", data: shop(),
			call: func(s *Source) (string, error) {
				is, err := s.Incidents(ctx, model.Target{})
				var out []string
				for _, i := range is {
					out = append(out, i.Number+"/"+i.Service+"/"+i.Team+"/"+strings.Join(i.Assignees, ","))
				}
				return strings.Join(out, ";"), err
			},
			want:  "INC0012400/Search Service//;INC0012345/Checkout Service/Checkout Support/Sam Okafor",
			paths: []string{"/api/now/table/incident"}},
		{name: "warm: rota members, then one user batch", data: shop(), call: func(s *Source) (string, error) { return "", s.Warm(ctx) },
			paths: []string{"/api/now/table/cmn_rota_member", "/api/now/table/sys_user"}},
		{name: "warm again: the users are still fresh", data: shop(), before: warm,
			call:  func(s *Source) (string, error) { return "", s.Warm(ctx) },
			paths: []string{"/api/now/table/cmn_rota_member"}},
		{name: "warm without readable rota tables: nothing to warm, no error", data: shop(),
			fault: &fake.Fault{PathPrefix: "/api/now/table/cmn_rota_member", Status: 403, Body: `{"error":{"message":"Operation Failed"},"status":"failure"}`},
			call:  func(s *Source) (string, error) { return "", s.Warm(ctx) },
			paths: []string{"/api/now/table/cmn_rota_member"}},
		{name: "responders after the catalog alone: whoisoncall only (its dot-walked owners are kept)", data: shop(),
			before: func(s *Source) error { _, err := s.Catalog(ctx); return err }, call: responders,
			want:  "Sam Okafor/sam.okafor@shop.example/1/Checkout Support",
			paths: []string{"/api/now/on_call_rota/whoisoncall"}},
		{name: "responders after catalog and warm: whoisoncall only", data: shop(), before: catalogAndWarm, call: responders,
			want:  "Sam Okafor/sam.okafor@shop.example/1/Checkout Support",
			paths: []string{"/api/now/on_call_rota/whoisoncall"}},
		{name: "responders: a person Warm does not know is looked up", data: withOverride(), before: catalogAndWarm, call: responders,
			want:  "Sam Okafor/sam.okafor@shop.example/1/Checkout Support;Priya Nair/priya.nair@shop.example/2/Checkout Support",
			paths: []string{"/api/now/on_call_rota/whoisoncall", "/api/now/table/sys_user"}},
		{name: "responders cold: whoisoncall, then one batch per table", data: shop(), call: responders,
			want:  "Sam Okafor/sam.okafor@shop.example/1/Checkout Support",
			paths: []string{"/api/now/on_call_rota/whoisoncall", "/api/now/table/sys_user", "/api/now/table/sys_user_group"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, tt.data, creds)
			if tt.fault != nil {
				srv.AddFault(*tt.fault)
			}
			s := source(t, srv, "opsctx", "s3cret", Options{})
			if tt.before != nil {
				if err := tt.before(s); err != nil {
					t.Fatal(err)
				}
			}
			srv.Reset()
			got, err := tt.call(s)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("answer = %q, want %q", got, tt.want)
			}
			var paths []string
			for _, r := range srv.Requests() {
				paths = append(paths, r.Path)
			}
			if len(paths) > 0 && !tt.concurrent && paths[0] != tt.paths[0] {
				t.Errorf("first request %s, want %s", paths[0], tt.paths[0])
			}
			slices.Sort(paths)
			want := slices.Sorted(slices.Values(tt.paths))
			if !slices.Equal(paths, want) {
				t.Errorf("requests = %v, want %v", paths, want)
			}
		})
	}
}

// TestFallbackLooksUpOnlyTheUnknown: after Warm, the person on call whom Warm does not know
// is the only sys_id of the fallback lookup.
func TestFallbackLooksUpOnlyTheUnknown(t *testing.T) {
	srv := start(t, withOverride(), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{})
	if err := s.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Reset()
	if _, err := s.Responders(context.Background(), checkoutTarget()); err != nil {
		t.Fatal(err)
	}
	if q := requests(srv, "/api/now/table/sys_user"); len(q) != 1 || q[0]["sysparm_query"] != "sys_idIN"+id("Priya Nair") {
		t.Errorf("user lookups %v, want one for Priya Nair only", q)
	}
}

// TestDisplayValuePayloads: reference fields of a list read with sysparm_display_value=all,
// in every shape a valid answer may take; the names come from the display value when there
// is one and from one batched lookup when not, and times always parse from the raw value.
func TestDisplayValuePayloads(t *testing.T) {
	priya := id("Priya Nair")
	tests := []struct {
		name       string
		assignedTo any // the change's assigned_to as answered
		author     string
		lookups    int // sys_user requests
	}{
		{"object with display value", map[string]any{"display_value": "Priya Nair", "value": priya}, "Priya Nair", 0},
		{"object with link", map[string]any{"display_value": "Priya Nair", "value": priya, "link": "https://x/api/now/table/sys_user/" + priya}, "Priya Nair", 0},
		{"display value differs from the stored name", map[string]any{"display_value": "P. Nair", "value": priya}, "P. Nair", 0},
		{"plain sys_id (display values not honoured)", priya, "Priya Nair", 1},
		{"object without display value", map[string]any{"value": priya, "link": "x"}, "Priya Nair", 1},
		{"empty string", "", "Checkout Engineering", 0},
		{"empty object", map[string]any{"display_value": "", "value": ""}, "Checkout Engineering", 0},
		{"missing record (display is the sys_id)", map[string]any{"display_value": id("gone"), "value": id("gone")}, "Checkout Engineering", 0},
		{"missing record (empty display)", map[string]any{"display_value": "", "value": id("gone")}, "Checkout Engineering", 0},
		{"absent", nil, "Checkout Engineering", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := map[string]any{
				"sys_id": map[string]any{"display_value": id("CHG1"), "value": id("CHG1")},
				"number": map[string]any{"display_value": "CHG1", "value": "CHG1"},
				"state":  map[string]any{"display_value": "Implement", "value": "-1"},
				// display values of times are in the user's zone and format: only value counts
				"work_start":       map[string]any{"display_value": "03/10/2025 04:29:00 AM", "value": at(31 * time.Minute)},
				"end_date":         map[string]any{"display_value": "10.03.2025 13:25", "value": at(-25 * time.Minute)},
				"assignment_group": map[string]any{"display_value": "Checkout Engineering", "value": id("Checkout Engineering")},
				"cmdb_ci":          map[string]any{"display_value": "Checkout Service", "value": id("Checkout Service")},
			}
			if tt.assignedTo != nil {
				r["assigned_to"] = tt.assignedTo
			}
			body, _ := json.Marshal(map[string]any{"result": []any{r}})
			srv := start(t, shop(), creds)
			srv.AddFault(fake.Fault{Path: "/api/now/table/change_request", Status: 200, Body: string(body)})
			s := source(t, srv, "opsctx", "s3cret", Options{})
			got, err := s.Changes(context.Background(), checkoutTarget())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("changes = %+v, want one", got)
			}
			c := got[0]
			if c.Author != tt.author || c.Service != "Checkout Service" || c.State != "implement" || c.ID != "CHG1" ||
				!c.At.Equal(t0.Add(-31*time.Minute)) || !c.EndAt.Equal(t0.Add(25*time.Minute)) {
				t.Errorf("change = %+v, want author %q, CHG1 on Checkout Service, implement, times from value", c, tt.author)
			}
			if n := len(requests(srv, "/api/now/table/sys_user")); n != tt.lookups {
				t.Errorf("sys_user lookups = %d, want %d", n, tt.lookups)
			}
			if n := len(srv.Requests()) - 1 - tt.lookups - len(requests(srv, "/api/now/table/sysapproval_approver")); n != 0 {
				t.Errorf("%d other requests, want none: %v", n, srv.Requests())
			}
		})
	}
}
