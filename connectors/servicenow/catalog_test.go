package servicenow

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

func TestCatalogPagesAndQueries(t *testing.T) {
	srv := start(t, shop(), creds)
	t.Cleanup(func() { reqcontract.Check(t, "servicenow", srv.Requests()) }) // every request in the API reference
	s := source(t, srv, "opsctx", "s3cret", Options{PageSize: 2})
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// 5 cmdb_ci_service rows (4 + 1 subclass row) in pages of 2: offsets 0, 2, 4.
	ci := requests(srv, "/api/now/table/cmdb_ci_service")
	var offsets []string
	for _, q := range ci {
		offsets = append(offsets, q["sysparm_offset"]+"/"+q["sysparm_limit"])
	}
	slices.Sort(offsets) // pages after the first are fetched concurrently
	relQueries, relFields := map[string]int{}, map[string]string{}
	for _, q := range requests(srv, "/api/now/table/cmdb_rel_ci") {
		relQueries[q["sysparm_query"]]++
		relFields[q["sysparm_query"]] = q["sysparm_fields"]
	}
	const crossingQuery = "type.name=Depends on::Used by^parent.sys_class_nameINcmdb_ci_service^ORchild.sys_class_nameINcmdb_ci_service" +
		"^parent.sys_class_nameNOT INcmdb_ci_service^ORchild.sys_class_nameNOT INcmdb_ci_service^ORDERBYsys_id"
	tests := []struct {
		name      string
		got, want any
	}{
		{"CI pages", strings.Join(offsets, " "), "0/2 2/2 4/2"},
		{"CI query", ci[0]["sysparm_query"], "ORDERBYsys_id"},
		{"CI fields", ci[0]["sysparm_fields"], strings.Join(serviceFields, ",")},
		{"CI pages counted: the first only", counted(ci), "0"},
		{"raw values", ci[0]["sysparm_display_value"], "false"},
		{"no reference links", ci[0]["sysparm_exclude_reference_link"], "true"},
		// 4 Depends-on rows touch cmdb_ci_service (2 pages); 1 touches the subclass row's class.
		{"relation query (both directions)", relQueries["type.name=Depends on::Used by^parent.sys_class_nameINcmdb_ci_service^ORchild.sys_class_nameINcmdb_ci_service^ORDERBYsys_id"], 2},
		{"relation query for subclass rows", relQueries["type.name=Depends on::Used by^parent.sys_class_nameINcmdb_ci_service_auto^ORchild.sys_class_nameINcmdb_ci_service_auto^ORDERBYsys_id"], 1},
		// 3 rows cross the class boundary (r1, r4, r5; 2 pages), read with the outside CI's fields.
		{"crossing relations query", relQueries[crossingQuery], 2},
		{"crossing relations dot-walk the CI fields", strings.Contains(relFields[crossingQuery], ",child.support_group,"), true},
		{"crossing relations dot-walk the neighbour's owners", hasAll(relFields[crossingQuery],
			"child.support_group.sys_id", "child.support_group.name", "child.support_group.email", "parent.owned_by.email"), true},
		{"CI fields dot-walk the owners", hasAll(ci[0]["sysparm_fields"], "support_group.sys_id", "support_group.name", "support_group.email",
			"managed_by_group.sys_id", "managed_by_group.name", "owned_by.sys_id", "owned_by.name", "owned_by.email"), true},
		// 3 placement relations ("runs on" types; pages of 2), both ends and the type's name.
		{"placement query", relQueries["type.nameINRuns on::Runs,Hosted on::Hosts,Virtualized by::Virtualizes,Members::Member of^ORDERBYsys_id"], 2},
		{"placements dot-walk the host's fields", hasAll(relFields["type.nameINRuns on::Runs,Hosted on::Hosts,Virtualized by::Virtualizes,Members::Member of^ORDERBYsys_id"],
			"type", "child.name", "child.fqdn", "child.ip_address", "child.host_name", "child.support_group.name", "parent.sys_class_name"), true},
		{"relation requests", len(requests(srv, "/api/now/table/cmdb_rel_ci")), 7},
		{"neighbour from dot-walked fields: no lookup", len(requests(srv, "/api/now/table/cmdb_ci")), 0},
		// The owners came with the CIs: no lookup, one round trip (the subclass relation query aside).
		{"owners from dot-walked fields: no group lookup", len(requests(srv, "/api/now/table/sys_user_group")), 0},
		{"owners from dot-walked fields: no user lookup", len(requests(srv, "/api/now/table/sys_user")), 0},
		{"requests: CI pages and relation pages only", len(srv.Requests()), 3 + 7},
		{"services", len(cat.Services), 6},
		{"teams (with e-mail)", fmt.Sprint(cat.Teams[slices.IndexFunc(cat.Teams, func(t model.Team) bool { return t.Name == "Checkout Support" })].Email), "checkout-support@shop.example"},
		{"people", len(cat.People), 2},
		{"truncated", cat.Truncated, false},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestCatalogMapping(t *testing.T) {
	srv := start(t, shop(), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{})
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	svc := map[string]model.Service{}
	for _, x := range cat.Services {
		svc[x.Name] = x
	}
	co := svc["Checkout Service"]
	tests := []struct {
		name      string
		got, want any
	}{
		{"id", co.ID, id("Checkout Service")},
		{"kind", co.Kind, "cmdb_ci_service"},
		{"type", co.Type, "Business Service"},
		{"description", co.Description, "Turns carts into orders"},
		{"owner is the support group", co.Owner, "Checkout Support"},
		{"lifecycle", co.Lifecycle, "operational"},
		{"source", co.Source, "servicenow"},
		{"url", co.URL, srv.URL + "/nav_to.do?uri=cmdb_ci_service.do?sys_id=" + id("Checkout Service")},
		{"ci-name annotation", co.Annotations[AnnotationCIName], "Checkout Service"},
		{"sys-id annotation", co.Annotations[AnnotationSysID], id("Checkout Service")},
		{"support group annotation", co.Annotations[AnnotationSupportGroup], id("Checkout Support")},
		{"owner falls back to managed_by_group", svc["Payments Service"].Owner, "Payments Engineering"},
		{"owner falls back to owned_by", svc["Search Service"].Owner, "Marco Rossi"},
		{"no owner", svc["Legacy Service"].Owner, ""},
		{"retired", svc["Legacy Service"].Lifecycle, "retired"},
		{"subclass row read via parent class", svc["Cart App Service"].Kind, "cmdb_ci_service_auto"},
		{"neighbour outside the classes", svc["orders-db-prod"].Kind, "cmdb_ci_db_instance"},
		{"neighbour owner", svc["orders-db-prod"].Owner, "Database Operations"},
		{"a host is not a service", svc["db-host-01"].Name, ""},
		{"teams", len(cat.Teams), 5},
		{"team email", cat.Teams[slices.IndexFunc(cat.Teams, func(t model.Team) bool { return t.Name == "Checkout Support" })].Email, "checkout-support@shop.example"},
		{"people (owned_by)", len(cat.People), 2},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	var edges []string
	for _, d := range cat.Dependencies {
		edges = append(edges, fmt.Sprintf("%s>%s:%s:%s", d.From[:4], d.To[:4], d.Kind, d.Source))
	}
	slices.Sort(edges)
	want := []string{
		fmt.Sprintf("%s>%s:depends_on:servicenow", id("Cart App Service")[:4], id("Checkout Service")[:4]),
		fmt.Sprintf("%s>%s:depends_on:servicenow", id("Checkout Service")[:4], id("orders-db-prod")[:4]),
		fmt.Sprintf("%s>%s:depends_on:servicenow", id("Checkout Service")[:4], id("Payments Service")[:4]),
	}
	slices.Sort(want)
	if !slices.Equal(edges, want) {
		t.Errorf("dependencies = %v, want %v", edges, want)
	}
}

// TestCatalogPlacements reads what the services run on: "Runs on::Runs" from a service and
// from a neighbour, "Members::Member of" from a host to its cluster, and nothing a service
// does not reach.
func TestCatalogPlacements(t *testing.T) {
	srv := start(t, shop(), creds)
	cat, err := source(t, srv, "opsctx", "s3cret", Options{}).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]model.Host{}
	for _, h := range cat.Hosts {
		hosts[h.Name] = h
	}
	app := hosts["app-01"]
	tests := []struct {
		name      string
		got, want any
	}{
		{"hosts reached from services, not spare-99", slices.Sorted(maps.Keys(hosts)), []string{"app-01", "app-cluster", "db-host-01"}},
		{"id", app.ID, id("app-01")},
		{"kind", app.Kind, model.HostKindHost},
		{"class", app.Class, "cmdb_ci_linux_server"},
		{"fqdn from host_name", app.FQDN, "app-01.shop.example"},
		{"address", app.IPs, []string{"10.0.1.1"}},
		{"owner is the support group", app.Owner, "Linux Platform"},
		{"support group annotation (on-call)", app.Annotations[AnnotationSupportGroup], id("Linux Platform")},
		{"url", app.URL, srv.URL + "/nav_to.do?uri=cmdb_ci_linux_server.do?sys_id=" + id("app-01")},
		{"cluster kind", hosts["app-cluster"].Kind, model.HostKindCluster},
		{"cluster owner (managed_by_group)", hosts["app-cluster"].Owner, "Linux Platform"},
		{"no owner", hosts["db-host-01"].Owner, ""},
		{"edges", cat.RunsOn, []model.RunsOn{
			{From: id("orders-db-prod"), To: id("db-host-01"), Via: "Runs on::Runs", Source: "servicenow"},
			{From: id("Checkout Service"), To: id("app-01"), Via: "Runs on::Runs", Source: "servicenow"},
			{From: id("app-01"), To: id("app-cluster"), Via: "Members::Member of", Source: "servicenow"},
		}},
		{"teams include the hosts' owners", slices.ContainsFunc(cat.Teams, func(t model.Team) bool { return t.Name == "Linux Platform" }), true},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestCatalogRowCap(t *testing.T) {
	tests := []struct {
		name      string
		maxRows   int
		pageSize  int
		services  int // cmdb_ci_service rows kept
		truncated bool
		limits    string // sysparm_limit per CI page
	}{
		{"all rows", 100, 2, 5, false, "2 2 2"},
		{"cap equals total", 5, 2, 5, false, "2 2 1"},
		{"cap below total", 3, 2, 3, true, "2 1"},
		{"cap below page size", 2, 10, 2, true, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := shop()
			delete(d.Tables, "cmdb_rel_ci") // no neighbours: every service comes from the class pages
			srv := start(t, d, creds)
			s := source(t, srv, "opsctx", "s3cret", Options{MaxRows: tt.maxRows, PageSize: tt.pageSize})
			cat, err := s.Catalog(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var limits []string
			reqs := requests(srv, "/api/now/table/cmdb_ci_service")
			slices.SortFunc(reqs, func(a, b map[string]string) int { return strings.Compare(a["sysparm_offset"], b["sysparm_offset"]) }) // one-digit offsets
			for _, q := range reqs {
				limits = append(limits, q["sysparm_limit"])
			}
			n := len(cat.Services)
			if n != tt.services || cat.Truncated != tt.truncated || strings.Join(limits, " ") != tt.limits {
				t.Errorf("services=%d truncated=%v limits=%q, want %d %v %q", n, cat.Truncated, strings.Join(limits, " "),
					tt.services, tt.truncated, tt.limits)
			}
		})
	}
}

func TestCatalogClasses(t *testing.T) {
	srv := start(t, shop(), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{CIClasses: []string{"cmdb_ci_service_auto", "cmdb_ci_service", "cmdb_ci_service_auto"}})
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, x := range cat.Services {
		names[x.Name]++
	}
	if names["Cart App Service"] != 1 || names["Checkout Service"] != 1 || len(requests(srv, "/api/now/table/cmdb_ci_service_auto")) != 1 {
		t.Errorf("services %v (each once), auto-class requests %d (want 1)", names, len(requests(srv, "/api/now/table/cmdb_ci_service_auto")))
	}
}

// hasAll reports whether the comma-separated list has every one of want.
func hasAll(list string, want ...string) bool {
	fields := strings.Split(list, ",")
	for _, w := range want {
		if !slices.Contains(fields, w) {
			return false
		}
	}
	return true
}

// dropping returns a Source for srv through a proxy that removes from sysparm_fields the
// dot-walked fields drop matches, as an instance (or ACL) that ignores them would.
func dropping(t *testing.T, srv *snfake.Server, o Options, drop func(field string) bool) *Source {
	t.Helper()
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	direct := proxy.Director
	proxy.Director = func(r *http.Request) {
		direct(r)
		q := r.URL.Query()
		var kept []string
		for f := range strings.SplitSeq(q.Get("sysparm_fields"), ",") {
			if !strings.Contains(f, ".") || !drop(f) {
				kept = append(kept, f)
			}
		}
		q.Set("sysparm_fields", strings.Join(kept, ","))
		r.URL.RawQuery = q.Encode()
	}
	p := httptest.NewServer(proxy)
	t.Cleanup(p.Close)
	c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: p.URL, Auth: func(r *http.Request) { r.SetBasicAuth("opsctx", "s3cret") }})
	t.Cleanup(c.CloseIdleConnections)
	o.Client, o.InstanceURL = c, srv.URL
	return New(o)
}

// sysIDs is the query of a lookup of the named records: "sys_idIN" and their sorted sys_ids.
func sysIDs(names ...string) string {
	var ids []string
	for _, n := range names {
		ids = append(ids, id(n))
	}
	slices.Sort(ids)
	return "sys_idIN" + strings.Join(ids, ",")
}

// TestCatalogWithoutDotWalkedFields: the catalog is the same whether the outside CIs and the
// owners come as dot-walked fields or are looked up by sys_id (an instance or ACL that
// drops the dot-walked fields: the Table API ignores fields it does not know; a reference
// to a record that does not exist). The reference catalog is read through a proxy that
// drops every dot-walked field, so everything is looked up, as before dot-walking; each
// case then makes exactly the lookups it lists, each in one batch.
func TestCatalogWithoutDotWalkedFields(t *testing.T) {
	all := func(string) bool { return true }
	ownerFields := func(f string) bool { // the owners' dot-walked fields, the CI's own kept
		for _, o := range owners {
			if strings.Contains("."+f, "."+o.field+".") {
				return true
			}
		}
		return false
	}
	withDangling := func() snfake.Data { // references to records that do not exist
		d := shop()
		svc := d.Tables["cmdb_ci_service"]
		svc[1] = maps.Clone(svc[1])
		svc[1]["support_group"] = id("Gone Group") // Payments Service: owner falls back to managed_by_group
		svc[2] = maps.Clone(svc[2])
		svc[2]["owned_by"] = id("Gone User") // Search Service: no owner left
		return d
	}
	ownerLookups := map[string]string{
		"/api/now/table/sys_user_group": sysIDs("Checkout Support", "Checkout Engineering", "Payments Engineering", "Database Operations", "Linux Platform"),
		"/api/now/table/sys_user":       sysIDs("Sam Okafor", "Marco Rossi"),
	}
	tests := []struct {
		name    string
		data    snfake.Data
		page    int
		drop    func(string) bool // nil: the instance honours every dot-walked field
		lookups map[string]string // path -> query of its one request; paths not listed: none
	}{
		{name: "dot-walked: no lookup", data: shop()},
		{name: "dot-walked, pages of 2: no lookup", data: shop(), page: 2},
		{name: "every dot-walked field dropped: neighbour, then owners looked up", data: shop(), drop: all,
			lookups: map[string]string{"/api/now/table/cmdb_ci": sysIDs("orders-db-prod", "db-host-01", "app-01", "app-cluster"),
				"/api/now/table/sys_user_group": ownerLookups["/api/now/table/sys_user_group"], "/api/now/table/sys_user": ownerLookups["/api/now/table/sys_user"]}},
		{name: "owners' dot-walked fields dropped: owners looked up", data: shop(), drop: ownerFields, lookups: ownerLookups},
		{name: "dot-walked sys_id dropped: owners looked up", data: shop(), drop: func(f string) bool { return strings.HasSuffix(f, ".sys_id") },
			lookups: ownerLookups},
		{name: "references to missing records: only they are looked up", data: withDangling(),
			lookups: map[string]string{"/api/now/table/sys_user_group": sysIDs("Gone Group"), "/api/now/table/sys_user": sysIDs("Gone User")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, tt.data, creds)
			want, err := dropping(t, srv, Options{PageSize: tt.page}, all).Catalog(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(want.Services) != 6 || len(want.Teams) == 0 || len(want.People) == 0 {
				t.Fatalf("reference catalog %+v: want 6 services, teams and people", want)
			}
			srv.Reset()
			s := source(t, srv, "opsctx", "s3cret", Options{PageSize: tt.page})
			if tt.drop != nil {
				s = dropping(t, srv, Options{PageSize: tt.page}, tt.drop)
			}
			got, err := s.Catalog(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("catalog differs from the lookup path:\n got %+v\nwant %+v", got, want)
			}
			for _, path := range []string{"/api/now/table/cmdb_ci", "/api/now/table/sys_user_group", "/api/now/table/sys_user"} {
				var queries []string
				for _, q := range requests(srv, path) {
					queries = append(queries, q["sysparm_query"])
				}
				var wantQ []string
				if q, ok := tt.lookups[path]; ok {
					wantQ = []string{q}
				}
				if !slices.Equal(queries, wantQ) {
					t.Errorf("%s lookups %v, want %v", path, queries, wantQ)
				}
			}
		})
	}
}
