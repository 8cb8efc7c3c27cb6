package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree writes files (path -> content; a content starting with "->" makes a symlink to the
// rest) under a fresh folder and returns it with symlinks resolved.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if strings.HasSuffix(p, "/") {
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const component = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: %s}\nspec: {type: service, lifecycle: production, owner: team-a}\n"

func comp(name string) string { return strings.ReplaceAll(component, "%s", name) }

func originConfig(url string) string {
	return "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = " + url + "\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
}

func TestFind(t *testing.T) {
	for _, tt := range []struct {
		name     string
		files    map[string]string
		at       string
		catalog  string // relative to the tree
		entities []string
		root     string
		remote   string
		dir      string
	}{
		{name: "catalog file above, in a checkout",
			files: map[string]string{".git/config": originConfig("git@github.com:shop/mono.git"), "services/cart/catalog-info.yaml": comp("cart"),
				"services/cart/cmd/main.go": "package main"},
			at: "services/cart/cmd", catalog: "services/cart/catalog-info.yaml", entities: []string{"component:default/cart"},
			root: ".", remote: "git@github.com:shop/mono.git", dir: "services/cart/cmd"},
		{name: "a file as the path",
			files: map[string]string{".git/config": originConfig("https://github.com/shop/mono"), "services/cart/cmd/main.go": "package main"},
			at:    "services/cart/cmd/main.go", root: ".", remote: "https://github.com/shop/mono", dir: "services/cart/cmd/main.go"},
		{name: "nested checkout: the nearest .git wins, catalog files above it are another tree's",
			files: map[string]string{".git/config": originConfig("git@github.com:shop/outer.git"), "catalog-info.yaml": comp("outer"),
				"vendor/lib/.git/config": originConfig("https://github.com/other/lib.git"), "vendor/lib/src/x.go": "package x"},
			at: "vendor/lib/src", root: "vendor/lib", remote: "https://github.com/other/lib.git", dir: "src"},
		{name: "worktree: .git file pointing at the common directory",
			files: map[string]string{"main/.git/config": originConfig("git@github.com:shop/checkout.git"), "main/.git/worktrees/wt/commondir": "../..\n",
				"wt/.git": "gitdir: ../main/.git/worktrees/wt\n", "wt/pkg/": ""},
			at: "wt/pkg", root: "wt", remote: "git@github.com:shop/checkout.git", dir: "pkg"},
		{name: "credentials and insteadOf",
			files: map[string]string{".git/config": "[url \"https://github.com/\"]\n  insteadOf = gh:\n[remote \"origin\"]\n  url = gh:shop/checkout ; comment\n",
				"a/": ""},
			at: "a", root: ".", remote: "https://github.com/shop/checkout", dir: "a"},
		{name: "token in the remote is removed",
			files: map[string]string{".git/config": originConfig("https://x-access-token:ghp_canary@github.com/shop/checkout.git")},
			at:    ".", root: ".", remote: "https://github.com/shop/checkout.git"},
		{name: "no origin: the only remote",
			files: map[string]string{".git/config": "[remote \"upstream\"]\nurl = \"git@github.com:shop/checkout.git\"\n"},
			at:    ".", root: ".", remote: "git@github.com:shop/checkout.git"},
		{name: "catalog file without a checkout",
			files: map[string]string{"svc/catalog-info.yaml": comp("svc") + "---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: svc-sys}\nspec: {owner: team-a}\n", "svc/x/": ""},
			at:    "svc/x", catalog: "svc/catalog-info.yaml", entities: []string{"component:default/svc", "system:default/svc-sys"}},
		{name: "a symlinked catalog file inside the checkout is followed",
			files: map[string]string{".git/config": originConfig("git@github.com:shop/mono.git"), "catalog/cart.yaml": comp("cart"),
				"services/cart/catalog-info.yaml": "->../../catalog/cart.yaml"},
			at: "services/cart", catalog: "services/cart/catalog-info.yaml", entities: []string{"component:default/cart"},
			root: ".", remote: "git@github.com:shop/mono.git", dir: "services/cart"},
		{name: "a symlinked catalog file out of the checkout is not",
			files: map[string]string{"outside.yaml": comp("outside"), "repo/.git/config": originConfig("git@github.com:shop/repo.git"),
				"repo/catalog-info.yaml": "->../outside.yaml"},
			at: "repo", root: "repo", remote: "git@github.com:shop/repo.git"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			base := tree(t, tt.files)
			c, err := Find(OS, filepath.Join(base, tt.at))
			if err != nil {
				t.Fatal(err)
			}
			rel := func(p string) string {
				if p == "" {
					return ""
				}
				r, _ := filepath.Rel(base, p)
				return filepath.ToSlash(r)
			}
			if rel(c.Catalog) != tt.catalog || !slices.Equal(c.Entities, tt.entities) || rel(c.Root) != tt.root || c.Remote != tt.remote || c.Dir != tt.dir {
				t.Errorf("Find = catalog %q %v, root %q, remote %q, dir %q\nwant catalog %q %v, root %q, remote %q, dir %q",
					rel(c.Catalog), c.Entities, rel(c.Root), c.Remote, c.Dir, tt.catalog, tt.entities, tt.root, tt.remote, tt.dir)
			}
		})
	}
}

func TestFindRefuses(t *testing.T) {
	base := tree(t, map[string]string{"plain/x/": "", "loop/a": "->b", "loop/b": "->a", "big/.git/config": strings.Repeat("#", MaxFile+1)})
	if _, err := Find(OS, filepath.Join(base, "plain/x")); !errors.Is(err, ErrNothing) {
		t.Errorf("no checkout: %v, want ErrNothing", err)
	}
	if _, err := Find(OS, filepath.Join(base, "loop/a")); err == nil || !strings.Contains(err.Error(), "loop/a") {
		t.Errorf("symlink loop: %v, want an error naming the path", err)
	}
	if _, err := Find(OS, filepath.Join(base, "missing")); err == nil {
		t.Error("a missing path must be an error")
	}
	c, err := Find(OS, filepath.Join(base, "big"))
	if err != nil || c.Remote != "" || c.Root == "" {
		t.Errorf("an oversized git config is not read: %+v, %v", c, err)
	}
}

// countingFS counts what Find asks of the disk.
type countingFS struct {
	FS
	calls int
}

func (c *countingFS) Lstat(n string) (os.FileInfo, error) { c.calls++; return c.FS.Lstat(n) }
func (c *countingFS) EvalSymlinks(n string) (string, error) {
	c.calls++
	return c.FS.EvalSymlinks(n)
}
func (c *countingFS) ReadFile(n string, max int64) ([]byte, error) {
	c.calls++
	return c.FS.ReadFile(n, max)
}

// TestFindIsBounded walks from a path deeper than MaxLevels with nothing on the way: the
// walk stops after MaxLevels folders.
func TestFindIsBounded(t *testing.T) {
	deep := strings.Repeat("d/", MaxLevels+5)
	base := tree(t, map[string]string{deep: "", ".git/config": originConfig("git@github.com:shop/far.git")})
	fsys := &countingFS{FS: OS}
	_, err := Find(fsys, filepath.Join(base, deep))
	if !errors.Is(err, ErrNothing) {
		t.Errorf("a checkout more than %d levels up must not be found: %v", MaxLevels, err)
	}
	if limit := 2 + MaxLevels*(len(catalogNames)+1); fsys.calls > limit {
		t.Errorf("%d file system calls, want at most %d", fsys.calls, limit)
	}
}
