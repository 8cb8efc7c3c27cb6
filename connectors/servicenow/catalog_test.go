package servicenow

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

func TestCatalogPagesAndQueries(t *testing.T) {
	srv := start(t, shop(), creds)
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
		{"CI fields", ci[0]["sysparm_fields"], strings.Join(ciFields, ",")},
		{"raw values", ci[0]["sysparm_display_value"], "false"},
		{"no reference links", ci[0]["sysparm_exclude_reference_link"], "true"},
		// 4 Depends-on rows touch cmdb_ci_service (2 pages); 1 touches the subclass row's class.
		{"relation query (both directions)", relQueries["type.name=Depends on::Used by^parent.sys_class_nameINcmdb_ci_service^ORchild.sys_class_nameINcmdb_ci_service^ORDERBYsys_id"], 2},
		{"relation query for subclass rows", relQueries["type.name=Depends on::Used by^parent.sys_class_nameINcmdb_ci_service_auto^ORchild.sys_class_nameINcmdb_ci_service_auto^ORDERBYsys_id"], 1},
		// 3 rows cross the class boundary (r1, r4, r5; 2 pages), read with the outside CI's fields.
		{"crossing relations query", relQueries[crossingQuery], 2},
		{"crossing relations dot-walk the CI fields", strings.Contains(relFields[crossingQuery], ",child.support_group,"), true},
		{"relation requests", len(requests(srv, "/api/now/table/cmdb_rel_ci")), 5},
		{"neighbour from dot-walked fields: no lookup", len(requests(srv, "/api/now/table/cmdb_ci")), 0},
		{"one group batch", len(requests(srv, "/api/now/table/sys_user_group")), 1},
		{"one user batch", len(requests(srv, "/api/now/table/sys_user")), 1},
		{"group batch query", strings.Count(requests(srv, "/api/now/table/sys_user_group")[0]["sysparm_query"], ","), 3},
		{"services", len(cat.Services), 6},
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
		{"runs-on neighbour ignored", svc["db-host-01"].Name, ""},
		{"teams", len(cat.Teams), 4},
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

// TestCatalogWithoutDotWalkedFields: on an instance that drops the dot-walked fields (the
// Table API ignores fields it does not know), the outside CIs are looked up by sys_id in
// one batch, and the catalog is the same.
func TestCatalogWithoutDotWalkedFields(t *testing.T) {
	srv := start(t, shop(), creds)
	want, err := source(t, srv, "opsctx", "s3cret", Options{}).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	direct := proxy.Director
	proxy.Director = func(r *http.Request) {
		direct(r)
		q := r.URL.Query()
		var kept []string
		for f := range strings.SplitSeq(q.Get("sysparm_fields"), ",") {
			if !strings.Contains(f, ".") {
				kept = append(kept, f)
			}
		}
		q.Set("sysparm_fields", strings.Join(kept, ","))
		r.URL.RawQuery = q.Encode()
	}
	dropping := httptest.NewServer(proxy)
	t.Cleanup(dropping.Close)
	c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: dropping.URL, Auth: func(r *http.Request) { r.SetBasicAuth("opsctx", "s3cret") }})
	t.Cleanup(c.CloseIdleConnections)
	srv.Reset()
	got, err := New(Options{Client: c, InstanceURL: srv.URL}).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("catalog without dot-walked fields differs:\n got %+v\nwant %+v", got, want)
	}
	if q := requests(srv, "/api/now/table/cmdb_ci"); len(q) != 1 || q[0]["sysparm_query"] != "sys_idIN"+id("orders-db-prod") {
		t.Errorf("neighbour lookups %v, want one for orders-db-prod", q)
	}
}
