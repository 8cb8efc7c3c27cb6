package backstage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/catalogmodel"
	democatalog "github.com/opsctx/opsctx/internal/demo/catalog"
	"github.com/opsctx/opsctx/internal/fake"
	bsfake "github.com/opsctx/opsctx/internal/fake/backstage"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const token = "bs-token-123"

// shop returns the demo catalog's entities (13 services, 4 groups, 6 users).
func shop(t *testing.T) []catalogmodel.Entity {
	t.Helper()
	es, err := bsfake.LoadYAML(democatalog.FS)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func start(t *testing.T) *bsfake.Server {
	t.Helper()
	srv := bsfake.Start(shop(t), bsfake.Options{Token: token})
	t.Cleanup(srv.Close)
	return srv
}

// source returns a Source for base sending tok (none when empty).
func source(t *testing.T, base, tok string, o Options) *Source {
	t.Helper()
	c := httpx.New(httpx.Options{Source: "backstage", BaseURL: base, Secrets: []string{tok},
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
		Auth: func(r *http.Request) {
			if tok != "" {
				r.Header.Set("Authorization", "Bearer "+tok)
			}
		}})
	t.Cleanup(c.CloseIdleConnections)
	o.Client = c
	return New(o)
}

func TestCatalogCursorPaging(t *testing.T) {
	srv := start(t)
	t.Cleanup(func() { reqcontract.Check(t, "backstage", srv.Requests()) }) // every request in the API reference
	cat, err := source(t, srv.URL, token, Options{PageSize: 5}).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 5 { // 22 entities in pages of 5
		t.Fatalf("requests = %d, want 5", len(reqs))
	}
	first := reqs[0].Query
	// One filter set per kind: sets are ORed, a set's conditions ANDed.
	if got := strings.Join(first["filter"], "&"); got != "kind=component&kind=resource&kind=system&kind=api&kind=group&kind=user" {
		t.Errorf("filter = %q", got)
	}
	if first.Get("limit") != "5" || first.Get("fields") != entityFields || first.Has("cursor") {
		t.Errorf("first request query = %v", first)
	}
	for i, r := range reqs[1:] {
		if r.Query.Get("cursor") == "" || r.Query.Has("filter") || r.Query.Get("limit") != "5" || r.Query.Get("fields") != entityFields {
			t.Errorf("follow-up %d query = %v, want cursor, limit and fields only", i+1, r.Query)
		}
		if r.Path != "/api/catalog/entities/by-query" || r.Header.Get("Authorization") != "Bearer "+token {
			t.Errorf("follow-up %d: path %s, auth %q", i+1, r.Path, r.Header.Get("Authorization"))
		}
	}
	if len(cat.Services) != 13 || len(cat.Teams) != 4 || len(cat.People) != 6 || len(cat.Dependencies) != 13 || cat.Truncated {
		t.Errorf("catalog: %d services, %d teams, %d people, %d edges, truncated %v; want 13, 4, 6, 13, false",
			len(cat.Services), len(cat.Teams), len(cat.People), len(cat.Dependencies), cat.Truncated)
	}
}

// TestCatalogSharesTheFileMapping checks that entities served by the backend (with uid,
// namespace and computed relations) map exactly like the same catalog-info files.
func TestCatalogSharesTheFileMapping(t *testing.T) {
	srv := start(t)
	got, err := source(t, srv.URL, token, Options{}).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := catalogmodel.ToCatalog(shop(t), "backstage")
	for name, pair := range map[string][2]any{
		"services": {got.Services, want.Services}, "teams": {got.Teams, want.Teams},
		"people": {got.People, want.People}, "dependencies": {got.Dependencies, want.Dependencies},
	} {
		if !reflect.DeepEqual(pair[0], pair[1]) {
			t.Errorf("%s differ:\n got %+v\nwant %+v", name, pair[0], pair[1])
		}
	}
	var owner string
	for _, s := range got.Services {
		if s.Name == "checkout" {
			owner = s.Owner + "/" + s.Source + "/" + s.Annotations["servicenow.com/ci-name"]
		}
	}
	if owner != "team-checkout/backstage/Checkout Service" {
		t.Errorf("checkout owner/source/ci-name = %q", owner)
	}
}

func TestCatalogKindsAndCap(t *testing.T) {
	tests := []struct {
		name      string
		o         Options
		services  int
		teams     int
		requests  int
		truncated bool
	}{
		{"components only", Options{Kinds: []string{"Component"}}, 7, 0, 1, false},
		{"groups and users", Options{Kinds: []string{"group", "user"}, PageSize: 4}, 0, 4, 3, false},
		{"cap", Options{MaxEntities: 7, PageSize: 5}, 0, 0, 2, true},
		{"cap at the end", Options{MaxEntities: 23, PageSize: 12}, 13, 4, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t)
			cat, err := source(t, srv.URL, token, tt.o).Catalog(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			n := len(cat.Services) + len(cat.Teams) + len(cat.People)
			if tt.name == "cap" && n != 7 {
				t.Errorf("entities = %d, want 7", n)
			}
			if tt.name != "cap" && (len(cat.Services) != tt.services || len(cat.Teams) != tt.teams) {
				t.Errorf("services %d teams %d, want %d %d", len(cat.Services), len(cat.Teams), tt.services, tt.teams)
			}
			if len(srv.Requests()) != tt.requests || cat.Truncated != tt.truncated {
				t.Errorf("requests %d truncated %v, want %d %v", len(srv.Requests()), cat.Truncated, tt.requests, tt.truncated)
			}
		})
	}
}

func TestEntityByName(t *testing.T) {
	tests := []struct {
		ref, path, owner string
		notFound         bool
	}{
		{ref: "component:default/checkout", path: "/api/catalog/entities/by-name/component/default/checkout", owner: "team-checkout"},
		{ref: "checkout", path: "/api/catalog/entities/by-name/component/default/checkout", owner: "team-checkout"},
		{ref: "Resource:orders-db", path: "/api/catalog/entities/by-name/resource/default/orders-db", owner: "team-platform"},
		{ref: "group:default/team-checkout", path: "/api/catalog/entities/by-name/group/default/team-checkout"},
		{ref: "component:default/nope", path: "/api/catalog/entities/by-name/component/default/nope", notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			srv := start(t)
			e, err := source(t, srv.URL, token, Options{}).Entity(context.Background(), tt.ref)
			if p := srv.Requests()[0].Path; p != tt.path {
				t.Errorf("path = %s, want %s", p, tt.path)
			}
			if tt.notFound {
				if !errors.Is(err, connectors.ErrNotFound) {
					t.Errorf("err = %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if e.SpecString("owner") != tt.owner || e.Metadata.UID == "" || e.Metadata.Namespace != "default" || len(e.Relations) == 0 {
				t.Errorf("entity %+v: want owner %q, uid, namespace and relations", e, tt.owner)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		tok   string
		base  string // appended to the fake URL
		fault *fake.Fault
		want  []string
	}{
		{name: "ok", tok: token},
		{name: "wrong token", tok: "wrong-tok", want: []string{"backstage: HTTP 401", "Invalid token", "check BACKSTAGE_TOKEN"}},
		{name: "no token", want: []string{"HTTP 401", "Missing credentials", "check BACKSTAGE_TOKEN"}},
		{name: "catalog API path in the URL", tok: token, base: "/api/catalog", want: []string{"HTTP 404", "check BACKSTAGE_URL"}},
		{name: "cursor does not advance", tok: token, fault: &fake.Fault{Status: 200,
			Body: `{"items":[{"apiVersion":"backstage.io/v1alpha1","kind":"Group","metadata":{"name":"g"},"spec":{"type":"team","children":[]}}],"totalItems":9,"pageInfo":{"nextCursor":"same"}}`},
			want: []string{"paging loops", "repeats an earlier page"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t)
			if tt.fault != nil {
				srv.AddFault(*tt.fault)
			}
			s := source(t, srv.URL+tt.base, tt.tok, Options{})
			_, catErr := s.Catalog(context.Background())
			errs := map[string]error{"Catalog": catErr}
			if tt.fault == nil {
				errs["Check"] = s.Check(context.Background())
			}
			for what, err := range errs {
				if len(tt.want) == 0 {
					if err != nil {
						t.Errorf("%s: %v", what, err)
					}
					continue
				}
				if err == nil {
					t.Fatalf("%s: no error", what)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s error %q does not contain %q", what, err, w)
					}
				}
				if strings.Contains(err.Error(), "wrong-tok") {
					t.Errorf("%s error leaks the token: %v", what, err)
				}
			}
		})
	}
}

func TestCheckIsCheap(t *testing.T) {
	srv := start(t)
	if err := source(t, srv.URL, token, Options{}).Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := srv.Requests()
	if got := fmt.Sprint(len(r), " ", r[0].Query.Get("limit"), " ", r[0].Query.Get("fields")); got != "1 1 metadata.name" {
		t.Errorf("check requests = %s, want one with limit 1 and fields metadata.name", got)
	}
}
