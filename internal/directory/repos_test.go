package directory

import (
	"slices"
	"testing"

	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/repourl"
)

// repoCatalog has a plain repository (checkout), a monorepo with two services and a
// root-level system (shop/mono), a monorepo whose components all state the repository's
// slug (shop/platform: an ambiguous root), the same owner/name on GitLab (orders-db) and
// a component on disk.
func repoCatalog() *Directory {
	svc := func(name string, ann map[string]string) model.Service {
		return model.Service{ID: "component:default/" + name, Name: name, Owner: "team-" + name, Repos: catalogmodel.Repos(ann)}
	}
	cat := model.Catalog{Services: []model.Service{
		svc("checkout", map[string]string{catalogmodel.AnnotationGitHubSlug: "shop/checkout"}),
		svc("cart", map[string]string{catalogmodel.AnnotationSourceLocation: "url:https://github.com/shop/mono/tree/main/services/cart/"}),
		svc("search", map[string]string{catalogmodel.AnnotationManagedBy: "url:https://github.com/shop/mono/blob/main/services/search/catalog-info.yaml"}),
		svc("search-indexer", map[string]string{catalogmodel.AnnotationSourceLocation: "url:https://github.com/shop/mono/tree/main/services/search/indexer"}),
		svc("queue", map[string]string{catalogmodel.AnnotationGitHubSlug: "shop/platform",
			catalogmodel.AnnotationManagedBy: "url:https://github.com/shop/platform/blob/main/queue/catalog-info.yaml"}),
		svc("cache", map[string]string{catalogmodel.AnnotationGitHubSlug: "shop/platform",
			catalogmodel.AnnotationManagedBy: "url:https://github.com/shop/platform/blob/main/cache/catalog-info.yaml"}),
		svc("orders-gh", map[string]string{catalogmodel.AnnotationSourceLocation: "url:https://github.com/shop/orders"}),
		svc("orders-gl", map[string]string{catalogmodel.AnnotationSourceLocation: "url:https://gitlab.com/shop/orders"}),
		svc("local", map[string]string{catalogmodel.AnnotationSourceLocation: "dir:/home/me/src/local-svc"}),
	}}
	return Build([]SourceCatalog{{"catalogfile", cat}}, nil)
}

func TestLookupRepo(t *testing.T) {
	d := repoCatalog()
	for _, tt := range []struct {
		in    string
		want  []string
		below bool
	}{
		{"shop/checkout", []string{"checkout"}, false},
		{"git@github.com:Shop/Checkout.git", []string{"checkout"}, false},
		{"https://ghe.shop.example/shop/checkout", []string{"checkout"}, false}, // a slug names no host
		{"https://github.com/shop/mono/tree/main/services/cart", []string{"cart"}, false},
		{"https://github.com/shop/mono/blob/main/services/cart/cmd/main.go", []string{"cart"}, false},
		{"https://github.com/shop/mono/tree/main/services/search/api", []string{"search"}, false},
		{"https://github.com/shop/mono/tree/main/services/search/indexer/x.go", []string{"search-indexer"}, false}, // longest prefix
		{"https://github.com/shop/mono/tree/main/services/cartography", nil, false},
		{"https://github.com/shop/mono", []string{"cart", "search", "search-indexer"}, true}, // root: every service below
		{"shop/platform", []string{"queue", "cache"}, false},                                 // equal matches at the root
		{"shop/platform/tree/main/cache/redis.conf", []string{"cache"}, false},
		{"https://github.com/shop/orders", []string{"orders-gh"}, false},
		{"https://gitlab.com/shop/orders.git", []string{"orders-gl"}, false},
		{"shop/orders", []string{"orders-gh", "orders-gl"}, false}, // no host given: both
		{"shop/nothing", nil, false},
	} {
		q, err := repourl.Parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		l := d.LookupRepo(q)
		var got []string
		for _, m := range l.Matches {
			got = append(got, m.Entity.Name)
		}
		if !slices.Equal(got, tt.want) || l.Below != tt.below {
			t.Errorf("LookupRepo(%q) = %v (below %v), want %v (below %v)", tt.in, got, l.Below, tt.want, tt.below)
		}
	}
}

func TestLookupLocal(t *testing.T) {
	d := repoCatalog()
	for p, want := range map[string]string{
		"/home/me/src/local-svc":             "local",
		"/home/me/src/local-svc/cmd/main.go": "local",
		"/home/me/src/local-svc-other":       "",
		"/home/me/src":                       "",
	} {
		l := d.LookupLocal(p)
		got := ""
		if len(l.Matches) == 1 {
			got = l.Matches[0].Entity.Name
		}
		if got != want || len(l.Matches) > 1 {
			t.Errorf("LookupLocal(%q) = %+v, want %q", p, l, want)
		}
	}
}
