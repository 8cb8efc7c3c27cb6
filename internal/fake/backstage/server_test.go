package backstage

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	democatalog "github.com/opsctx/opsctx/internal/demo/catalog"
	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func start(t *testing.T) *Server {
	t.Helper()
	es, err := LoadYAML(democatalog.FS)
	if err != nil {
		t.Fatal(err)
	}
	srv := Start(es, Options{Token: "tok"})
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *Server, path string, q url.Values, tok string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path+"?"+q.Encode(), nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, b := faketest.Do(t, req)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return res.StatusCode, body
}

func names(body map[string]any) string {
	var out []string
	for _, it := range body["items"].([]any) {
		out = append(out, it.(map[string]any)["metadata"].(map[string]any)["name"].(string))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func TestFilters(t *testing.T) {
	srv := start(t)
	tests := []struct {
		filters []string
		want    string
	}{
		{[]string{"kind=resource"}, "order-queue orders-db payments-db session-cache"},
		{[]string{"kind=resource,kind=system"}, "order-queue orders-db payments-db session-cache shop"}, // same key: any of
		{[]string{"kind=group,metadata.name=team-checkout"}, "team-checkout"},                           // different keys: all
		{[]string{"kind=API", "metadata.name=shop"}, "payments-api shop"},                               // filters: any
		{[]string{"metadata.tags.tier-1"}, "checkout payments storefront"},
		{[]string{"kind=component,relations.ownedby=group:default/team-storefront"}, "cart inventory recommendations search storefront"},
		{[]string{"kind=component,metadata.annotations.servicenow.com/ci-name"}, "checkout payments recommendations"},
		{[]string{"kind=user,relations.memberof=group:default/team-platform"}, "dev-patel priya-nair"},
		{[]string{"kind=resource,relations.dependencyof=component:default/checkout"}, "order-queue orders-db"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.filters, "|"), func(t *testing.T) {
			status, body := get(t, srv, "/api/catalog/entities/by-query", url.Values{"filter": tt.filters, "limit": {"100"}}, "tok")
			if status != 200 {
				t.Fatalf("status %d: %v", status, body)
			}
			if got := names(body); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCursorFieldsAndErrors(t *testing.T) {
	srv := start(t)
	q := url.Values{"filter": {"kind=user"}, "limit": {"4"}, "fields": {"kind,metadata.name"}}
	var seen []string
	for page := 0; page < 5; page++ {
		status, body := get(t, srv, "/api/catalog/entities/by-query", q, "tok")
		if status != 200 || body["totalItems"] != 6.0 {
			t.Fatalf("status %d body %v", status, body)
		}
		for _, it := range body["items"].([]any) {
			m := it.(map[string]any)
			if len(m) != 2 || len(m["metadata"].(map[string]any)) != 1 {
				t.Errorf("fields not pruned: %v", m)
			}
		}
		seen = append(seen, names(body))
		next, _ := body["pageInfo"].(map[string]any)["nextCursor"].(string)
		if next == "" {
			break
		}
		q = url.Values{"cursor": {next}, "limit": {"4"}, "fields": {"kind,metadata.name"}, "filter": {"kind=group"}} // filter ignored
	}
	if len(seen) != 2 || strings.Count(strings.Join(seen, " "), " ")+1 != 6 {
		t.Errorf("pages %q, want 4 + 2 users", seen)
	}
	tests := []struct {
		path, tok string
		status    int
		name      string
	}{
		{"/api/catalog/entities/by-query", "", 401, "AuthenticationError"},
		{"/api/catalog/entities/by-query?cursor=%21%21", "tok", 400, "InputError"},
		{"/api/catalog/entities/by-name/component/default/nope", "tok", 404, "NotFoundError"},
		{"/api/catalog/nope", "tok", 404, "NotFoundError"},
	}
	for _, tt := range tests {
		path, raw, _ := strings.Cut(tt.path, "?")
		q, _ := url.ParseQuery(raw)
		status, body := get(t, srv, path, q, tt.tok)
		e, _ := body["error"].(map[string]any)
		resp, _ := body["response"].(map[string]any)
		if status != tt.status || e["name"] != tt.name || e["message"] == "" || resp["statusCode"] != float64(tt.status) {
			t.Errorf("%s: %d %v, want %d %s", tt.path, status, body, tt.status, tt.name)
		}
	}
	status, body := get(t, srv, "/api/catalog/entities/by-name/Component/default/Checkout", nil, "tok")
	md := body["metadata"].(map[string]any)
	if status != 200 || md["uid"] == "" || md["namespace"] != "default" || len(body["relations"].([]any)) < 5 {
		t.Errorf("by-name: %d %v", status, body)
	}
}
