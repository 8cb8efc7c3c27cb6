package repourl

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	gh := func(path, dir string) Repo { return Repo{Host: "github.com", Path: path, Dir: dir} }
	for _, tt := range []struct {
		in   string
		want Repo
	}{
		// owner/name, any case, with or without .git and trailing slash
		{"shop/checkout", Repo{Path: "shop/checkout"}},
		{"Shop/Checkout.git", Repo{Path: "shop/checkout"}},
		{" shop/checkout/ ", Repo{Path: "shop/checkout"}},
		{"github.com/shop/checkout", gh("shop/checkout", "")},
		// https
		{"https://github.com/shop/checkout", gh("shop/checkout", "")},
		{"https://GitHub.com/Shop/Checkout.git", gh("shop/checkout", "")},
		{"https://github.com/shop/checkout/", gh("shop/checkout", "")},
		{"http://github.com/shop/checkout.git/", gh("shop/checkout", "")},
		{"https://x-access-token:ghp_secret@github.com/shop/checkout.git", gh("shop/checkout", "")},
		{"https://github.com/shop/checkout/pull/42", gh("shop/checkout", "")},
		{"url:https://github.com/shop/checkout/tree/main/", gh("shop/checkout", "")},
		// ssh and scp-style
		{"ssh://git@github.com/shop/checkout.git", gh("shop/checkout", "")},
		{"ssh://git@github.com:22/Shop/Checkout", gh("shop/checkout", "")},
		{"git+ssh://git@github.com/shop/checkout.git", gh("shop/checkout", "")},
		{"git@github.com:shop/checkout.git", gh("shop/checkout", "")},
		{"git@GitHub.com:Shop/Checkout/", gh("shop/checkout", "")},
		{"github.com:shop/checkout", gh("shop/checkout", "")},
		// monorepo folders and files
		{"https://github.com/shop/mono/tree/main/services/cart", gh("shop/mono", "services/cart")},
		{"https://github.com/shop/mono/tree/main/services/cart/", gh("shop/mono", "services/cart")},
		{"https://github.com/Shop/Mono/blob/main/services/Cart/cmd/main.go", gh("shop/mono", "services/cart/cmd/main.go")},
		{"url:https://github.com/shop/mono/blob/main/services/search/catalog-info.yaml", gh("shop/mono", "services/search/catalog-info.yaml")},
		{"shop/mono/tree/main/services/cart", Repo{Path: "shop/mono", Dir: "services/cart"}},
		// GitLab with subgroups
		{"https://gitlab.com/shop/platform/orders-db", Repo{Host: "gitlab.com", Path: "shop/platform/orders-db"}},
		{"git@gitlab.example.com:shop/platform/orders-db.git", Repo{Host: "gitlab.example.com", Path: "shop/platform/orders-db"}},
		{"https://gitlab.com/shop/platform/mono/-/tree/main/services/cart", Repo{Host: "gitlab.com", Path: "shop/platform/mono", Dir: "services/cart"}},
		{"https://gitlab.com/shop/mono/-/blob/main/services/cart/main.go?ref_type=heads", Repo{Host: "gitlab.com", Path: "shop/mono", Dir: "services/cart/main.go"}},
		// Bitbucket, Gitea, Azure DevOps
		{"https://bitbucket.org/shop/mono/src/main/services/cart/", Repo{Host: "bitbucket.org", Path: "shop/mono", Dir: "services/cart"}},
		{"https://git.shop.example/shop/mono/src/branch/main/services/cart", Repo{Host: "git.shop.example", Path: "shop/mono", Dir: "services/cart"}},
		{"https://bitbucket.shop.example/projects/SHOP/repos/mono/browse/services/cart", Repo{Host: "bitbucket.shop.example", Path: "shop/mono", Dir: "services/cart"}},
		{"https://bitbucket.shop.example/scm/shop/mono.git", Repo{Host: "bitbucket.shop.example", Path: "shop/mono"}},
		{"https://dev.azure.com/shop/platform/_git/mono?path=/services/cart", Repo{Host: "dev.azure.com", Path: "shop/platform/_git/mono", Dir: "services/cart"}},
		// a host with one-level repositories
		{"https://git.shop.example/checkout.git", Repo{Host: "git.shop.example", Path: "checkout"}},
	} {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{
		"", "   ", "checkout", "file:///home/me/src/checkout", "https:///shop/checkout", "shop/../../etc/passwd",
		"shop/check out", "shop/check\nout", "ftp://github.com/shop/checkout", "https://github.com/",
	} {
		if r, err := Parse(in); !errors.Is(err, ErrNotRepo) {
			t.Errorf("Parse(%q) = %+v, %v; want an ErrNotRepo error", in, r, err)
		}
	}
	_, err := Parse("https://user:hunter2@github.com/shop/check out")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v must not echo the password", err)
	}
}

func TestContainsAndSameRepo(t *testing.T) {
	root, cart := Repo{Path: "shop/mono"}, Repo{Path: "shop/mono", Dir: "services/cart"}
	for _, tt := range []struct {
		a, b Repo
		want bool
	}{
		{root, cart, true},
		{cart, Repo{Path: "shop/mono", Dir: "services/cart/cmd/main.go"}, true},
		{cart, cart, true},
		{cart, Repo{Path: "shop/mono", Dir: "services/cartography"}, false},
		{cart, root, false},
	} {
		if got := tt.a.Contains(tt.b); got != tt.want {
			t.Errorf("%v.Contains(%v) = %v", tt.a, tt.b, got)
		}
	}
	if !(Repo{Path: "a/b"}).SameRepo(Repo{Host: "gitlab.com", Path: "a/b"}) || (Repo{Host: "github.com", Path: "a/b"}).SameRepo(Repo{Host: "gitlab.com", Path: "a/b"}) {
		t.Error("SameRepo: a host is compared only when both state one")
	}
}

func TestJoin(t *testing.T) {
	base := Repo{Host: "github.com", Path: "shop/mono", Dir: "services/cart"}
	for rel, want := range map[string]string{".": "services/cart", "./": "services/cart", "cmd": "services/cart/cmd", "../search/": "services/search", "../..": ""} {
		if got, ok := base.Join(rel); !ok || got.Dir != want {
			t.Errorf("Join(%q) = %+v, %v; want dir %q", rel, got, ok, want)
		}
	}
	if _, ok := base.Join("../../.."); ok {
		t.Error("Join may not leave the repository")
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://x-access-token:ghp_secret@github.com/shop/checkout.git": "https://github.com/shop/checkout.git",
		"https://ghp_secret@github.com/shop/checkout":                    "https://github.com/shop/checkout",
		"ssh://git:secret@github.com/shop/checkout":                      "ssh://git@github.com/shop/checkout",
		"git@github.com:shop/checkout.git":                               "git@github.com:shop/checkout.git",
		"https://github.com/shop/a@b":                                    "https://github.com/shop/a@b",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
