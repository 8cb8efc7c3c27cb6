package catalogmodel

import (
	"reflect"
	"testing"

	"github.com/opsctx/opsctx/internal/model"
)

func TestRepos(t *testing.T) {
	src, slug, gl, managed := "annotation "+AnnotationSourceLocation, "annotation "+AnnotationGitHubSlug,
		"annotation "+AnnotationGitLabSlug, "annotation "+AnnotationManagedBy
	for _, tt := range []struct {
		name string
		ann  map[string]string
		want []model.Repo
	}{
		{"github slug", map[string]string{AnnotationGitHubSlug: "Shop/Checkout"},
			[]model.Repo{{Path: "shop/checkout", Via: slug}}},
		{"gitlab slug on an instance", map[string]string{AnnotationGitLabSlug: "shop/platform/orders-db", AnnotationGitLabInstance: "https://GitLab.shop.example/"},
			[]model.Repo{{Host: "gitlab.shop.example", Path: "shop/platform/orders-db", Via: gl}}},
		{"source url into a monorepo, catalog file beside it", map[string]string{
			AnnotationSourceLocation: "url:https://github.com/shop/mono/tree/main/services/cart/",
			AnnotationManagedBy:      "url:https://github.com/shop/mono/blob/main/services/cart/catalog-info.yaml"},
			[]model.Repo{{Host: "github.com", Path: "shop/mono", Dir: "services/cart", Via: src}}},
		{"relative dir: from the catalog file's location", map[string]string{
			AnnotationSourceLocation: "dir:../search-api",
			AnnotationManagedBy:      "url:https://github.com/shop/mono/blob/main/services/search/catalog-info.yaml"},
			[]model.Repo{{Host: "github.com", Path: "shop/mono", Dir: "services/search-api", Via: src},
				{Host: "github.com", Path: "shop/mono", Dir: "services/search", Via: managed}}},
		{"dir: and file: on disk", map[string]string{
			AnnotationSourceLocation: "dir:.", AnnotationManagedBy: "file:/home/me/src/shop/cart/catalog-info.yaml"},
			[]model.Repo{{Local: "/home/me/src/shop/cart", Via: src}}},
		{"absolute dir:", map[string]string{AnnotationSourceLocation: "dir:/srv/checkout/"},
			[]model.Repo{{Local: "/srv/checkout", Via: src}}},
		{"relative dir: without a base, unreadable values", map[string]string{
			AnnotationSourceLocation: "dir:./x", AnnotationGitHubSlug: "not a slug", AnnotationManagedBy: "url:ftp://x/y"}, nil},
	} {
		if got := Repos(tt.ann); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Repos = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
