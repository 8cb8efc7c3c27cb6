package servicenow

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// t0 is the fixture's "now".
var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

func at(before time.Duration) string { return t0.Add(-before).Format(snfake.Time) }

// id is the fixture's sys_id for a name.
func id(name string) string { return snfake.SysID(name) }

// shop is a small CMDB: three services, a database reached only through a relation, the
// servers they run on ("Runs on::Runs"), the cluster one of them is a member of, changes,
// incidents and on-call.
func shop() snfake.Data {
	dep, runs, members := id("rel:depends"), id("rel:runs"), id("rel:members")
	return snfake.Data{
		Tables: map[string][]snfake.Record{
			"cmdb_rel_type": {{"sys_id": dep, "name": "Depends on::Used by"}, {"sys_id": runs, "name": "Runs on::Runs"},
				{"sys_id": members, "name": "Members::Member of"}},
			"sys_user_group": {
				{"sys_id": id("Checkout Support"), "name": "Checkout Support", "email": "checkout-support@shop.example"},
				{"sys_id": id("Checkout Engineering"), "name": "Checkout Engineering"},
				{"sys_id": id("Payments Engineering"), "name": "Payments Engineering"},
				{"sys_id": id("Database Operations"), "name": "Database Operations"},
				{"sys_id": id("Linux Platform"), "name": "Linux Platform", "email": "linux@shop.example"},
			},
			"sys_user": {
				{"sys_id": id("Priya Nair"), "name": "Priya Nair", "email": "priya.nair@shop.example", "user_name": "priya.nair"},
				{"sys_id": id("Sam Okafor"), "name": "Sam Okafor", "email": "sam.okafor@shop.example", "user_name": "sam.okafor"},
				{"sys_id": id("Marco Rossi"), "name": "Marco Rossi", "email": "marco.rossi@shop.example", "user_name": "marco.rossi"},
				{"sys_id": id("Dev Patel"), "name": "Dev Patel", "email": "dev.patel@shop.example", "user_name": "dev.patel"},
			},
			"cmdb_ci_service": {
				{"sys_id": id("Checkout Service"), "name": "Checkout Service", "short_description": "Turns carts into orders",
					"service_classification": "Business Service", "operational_status": "1",
					"support_group": id("Checkout Support"), "managed_by_group": id("Checkout Engineering"), "owned_by": id("Sam Okafor")},
				{"sys_id": id("Payments Service"), "name": "Payments Service", "operational_status": "1",
					"managed_by_group": id("Payments Engineering")},
				{"sys_id": id("Search Service"), "name": "Search Service", "owned_by": id("Marco Rossi")},
				{"sys_id": id("Legacy Service"), "name": "Legacy Service", "operational_status": "6"},
			},
			"cmdb_ci_service_auto": {
				{"sys_id": id("Cart App Service"), "name": "Cart App Service"},
			},
			"cmdb_ci_db_instance": {
				{"sys_id": id("orders-db-prod"), "name": "orders-db-prod", "support_group": id("Database Operations")},
			},
			"cmdb_ci_linux_server": {
				{"sys_id": id("db-host-01"), "name": "db-host-01"},
				{"sys_id": id("app-01"), "name": "app-01", "host_name": "app-01.shop.example", "ip_address": "10.0.1.1",
					"support_group": id("Linux Platform")},
				{"sys_id": id("spare-99"), "name": "spare-99"},
			},
			"cmdb_ci_cluster": {{"sys_id": id("app-cluster"), "name": "app-cluster", "managed_by_group": id("Linux Platform")}},
			"cmdb_ci_appl":    {{"sys_id": id("batch-app"), "name": "batch-app"}},
			"cmdb_rel_ci": {
				{"sys_id": id("r1"), "parent": id("Checkout Service"), "child": id("orders-db-prod"), "type": dep},
				{"sys_id": id("r2"), "parent": id("Checkout Service"), "child": id("Payments Service"), "type": dep},
				{"sys_id": id("r3"), "parent": id("orders-db-prod"), "child": id("db-host-01"), "type": runs},
				{"sys_id": id("r4"), "parent": id("Cart App Service"), "child": id("Checkout Service"), "type": dep},
				{"sys_id": id("r5"), "parent": id("Checkout Service"), "child": id("orders-db-prod"), "type": dep}, // duplicate edge
				{"sys_id": id("r6"), "parent": id("Checkout Service"), "child": id("app-01"), "type": runs},
				{"sys_id": id("r7"), "parent": id("app-cluster"), "child": id("app-01"), "type": members},
				{"sys_id": id("r8"), "parent": id("batch-app"), "child": id("spare-99"), "type": runs}, // no service runs there
			},
			"change_request": {
				{"sys_id": id("CHG0030017"), "number": "CHG0030017", "short_description": "raise orders-db statement timeout",
					"type": "normal", "state": "-1", "start_date": at(35 * time.Minute), "end_date": at(-25 * time.Minute),
					"work_start": at(31 * time.Minute), "assigned_to": id("Priya Nair"), "assignment_group": id("Database Operations"),
					"cmdb_ci": id("orders-db-prod")},
				{"sys_id": id("CHG0030012"), "number": "CHG0030012", "short_description": "rotate payments TLS certificate",
					"type": "standard", "state": "3", "close_code": "successful", "start_date": at(100 * time.Minute),
					"end_date": at(90 * time.Minute), "requested_by": id("Marco Rossi"), "business_service": id("Payments Service")},
				{"sys_id": id("CHG0030020"), "number": "CHG0030020", "short_description": "emergency checkout rollback",
					"type": "emergency", "state": "3", "close_code": "unsuccessful", "start_date": at(10 * time.Minute),
					"assignment_group": id("Checkout Engineering"), "cmdb_ci": id("Checkout Service")},
				{"sys_id": id("CHG0029001"), "number": "CHG0029001", "short_description": "old checkout change",
					"type": "normal", "state": "3", "work_start": at(72 * time.Hour), "cmdb_ci": id("Checkout Service")},
				{"sys_id": id("CHG0030021"), "number": "CHG0030021", "short_description": "patch and reboot app-01",
					"type": "standard", "state": "3", "work_start": at(40 * time.Minute), "work_end": at(30 * time.Minute),
					"assignment_group": id("Linux Platform"), "cmdb_ci": id("app-01")},
				{"sys_id": id("CHG0030018"), "number": "CHG0030018", "short_description": "search reindex",
					"type": "standard", "state": "-1", "work_start": at(20 * time.Minute), "cmdb_ci": id("Search Service")},
				{"sys_id": id("CHG0030030"), "number": "CHG0030030", "short_description": "patch db-host-01",
					"type": "normal", "state": "3", "work_start": at(50 * time.Hour), "cmdb_ci": id("db-host-01"), "business_service": id("Cart App Service")},
			},
			"incident": {
				{"sys_id": id("INC0012345"), "number": "INC0012345", "short_description": "Checkout payments failing intermittently",
					"priority": "2", "urgency": "2", "state": "2", "active": "true", "opened_at": at(15 * time.Minute),
					"business_service": id("Checkout Service"), "assignment_group": id("Checkout Support"), "assigned_to": id("Sam Okafor")},
				{"sys_id": id("INC0012001"), "number": "INC0012001", "short_description": "Checkout slow yesterday",
					"priority": "3", "state": "6", "active": "false", "opened_at": at(30 * time.Hour), "business_service": id("Checkout Service")},
				{"sys_id": id("INC0012500"), "number": "INC0012500", "short_description": "Checkout orders not saved",
					"priority": "3", "state": "7", "active": "false", "opened_at": at(40 * time.Hour), "business_service": id("Checkout Service"),
					"cmdb_ci": id("orders-db-prod")},
				{"sys_id": id("INC0012400"), "number": "INC0012400", "short_description": "Search results stale",
					"priority": "4", "state": "1", "active": "true", "opened_at": at(5 * time.Minute), "cmdb_ci": id("Search Service")},
			},
		},
		OnCall: map[string][]snfake.OnCall{
			id("Checkout Support"): {{UserID: id("Sam Okafor"), Group: id("Checkout Support"), Rota: id("rota"), Order: 1}},
			id("Linux Platform"):   {{UserID: id("Dev Patel"), Group: id("Linux Platform"), Rota: id("rota:linux"), Order: 1}},
		},
	}
}

// creds are the fixture's basic credentials.
var creds = snfake.Options{Username: "opsctx", Password: "s3cret"}

// start starts the fake with d and o.
func start(t testing.TB, d snfake.Data, o snfake.Options) *snfake.Server {
	t.Helper()
	srv := snfake.Start(d, o)
	t.Cleanup(srv.Close)
	return srv
}

// source returns a Source for srv using basic auth user/pass and fast retries.
func source(t testing.TB, srv *snfake.Server, user, pass string, o Options) *Source {
	t.Helper()
	c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL, RetryWaitMin: time.Millisecond,
		RetryWaitMax: 10 * time.Millisecond, Secrets: []string{pass},
		Auth: func(r *http.Request) { r.SetBasicAuth(user, pass) }})
	t.Cleanup(c.CloseIdleConnections)
	o.Client, o.InstanceURL = c, srv.URL
	return New(o)
}

// snRecord is this source's record for a CI, as the join would pass it back in a Target.
func snRecord(name, supportGroup string) model.Service {
	s := model.Service{ID: id(name), Name: name, Source: SourceName, Annotations: map[string]string{}}
	if supportGroup != "" {
		s.Annotations[AnnotationSupportGroup] = id(supportGroup)
	}
	return s
}

// requests returns the recorded requests to path.
func requests(srv *snfake.Server, path string) []map[string]string {
	var out []map[string]string
	for _, r := range srv.Requests() {
		if r.Path == path {
			m := map[string]string{}
			for k := range r.Query {
				m[k] = r.Query.Get(k)
			}
			out = append(out, m)
		}
	}
	return out
}

// counted returns the offsets of the requests that did not send sysparm_no_count=true (the
// instance counted the rows for them), sorted.
func counted(reqs []map[string]string) string {
	var out []string
	for _, q := range reqs {
		if q["sysparm_no_count"] != "true" {
			out = append(out, q["sysparm_offset"])
		}
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}
