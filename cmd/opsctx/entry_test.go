package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkoutAt writes a checkout whose origin is remote (and the files given) under a fresh
// folder, and returns the folder.
func checkoutAt(t *testing.T, remote string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files[".git/config"] = "[remote \"origin\"]\n\turl = " + remote + "\n"
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestContextEntryPoints: opsctx context answers from a repository, a problem number and a
// path as it does from a service name, for the service they lead to, and says how.
func TestContextEntryPoints(t *testing.T) {
	mono := checkoutAt(t, "git@github.com:shop/storefront.git", map[string]string{"services/search/indexer/main.py": "print()\n"})
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{name: "repo", args: []string{"--repo", "git@github.com:Shop/Checkout.git"},
			stdout: []string{"# Checkout (checkout)", `Resolved from repo "git@github.com:Shop/Checkout.git" via annotation github.com/project-slug`}},
		{name: "repo into a monorepo folder", args: []string{"--repo", "https://github.com/shop/storefront/blob/main/services/cart/index.js"},
			stdout: []string{"# Cart (cart)", "annotation backstage.io/source-location (github.com/shop/storefront:services/cart), the longest stated folder containing it"}},
		{name: "a monorepo's root is not picked", args: []string{"--repo", "shop/storefront"}, code: 1,
			stderr: []string{`repository "shop/storefront" matches 2 equally well; none is picked`, "- cart (team-storefront;", "- search (team-storefront;"}},
		{name: "problem number", args: []string{"--incident", "P-2311"},
			stdout: []string{"# Checkout (checkout)", "via dynatrace problem P-2311: its impacted service", "root cause: orders-db", "also: orders-db (root cause, team-platform)"}},
		{name: "path in a monorepo checkout", args: []string{"--path", filepath.Join(mono, "services/search/indexer")},
			stdout: []string{"# Search (search)", "origin remote git@github.com:shop/storefront.git", "annotation backstage.io/managed-by-location"}},
		{name: "host", args: []string{"--host", "db-prod-01:9100"},
			stdout: []string{"# Orders database (orders-db)", `Resolved from host "db-prod-01:9100" via runs on host db-prod-01 (servicenow Runs on::Runs)`}},
		{name: "kubernetes workload", args: []string{"--host", "shop/cart", "--detail", "brief"},
			stdout: []string{"# Cart (cart)", `Resolved from host "shop/cart" via annotation backstage.io/kubernetes-id cart in namespace shop`}},
		{name: "unknown host", args: []string{"--host", "nowhere.shop.example"}, code: 1, stderr: []string{`unknown host "nowhere.shop.example"`}},
		{name: "unknown repository", args: []string{"--repo", "shop/nowhere"}, code: 1, stderr: []string{`unknown repository "shop/nowhere"`, "No catalog states this repository"}},
		{name: "bad repository", args: []string{"--repo", "ftp://x/y"}, code: 1, stderr: []string{"repo: not a repository reference"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, append([]string{"context", "--demo"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
		})
	}
}

// TestContextInsideACheckout: with no service, opsctx context answers for the checkout of
// the current folder (its nearest catalog-info.yaml here), and outside any checkout it
// says how to ask.
func TestContextInsideACheckout(t *testing.T) {
	repo := checkoutAt(t, "https://github.com/shop/other.git", map[string]string{
		"services/cart/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: cart}\nspec: {type: service, lifecycle: production, owner: team-storefront}\n",
		"services/cart/src/app.js":        "",
	})
	t.Chdir(filepath.Join(repo, "services/cart/src"))
	code, out, errOut := runCLI(t, nil, "context", "--demo", "--detail", "brief")
	if code != 0 || !strings.Contains(out, "# Cart (cart)") || !strings.Contains(out, "Resolved from path") ||
		!strings.Contains(out, "via the nearest catalog file "+filepath.Join(repo, "services/cart/catalog-info.yaml")) {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	t.Chdir(t.TempDir())
	code, _, errOut = runCLI(t, nil, "context", "--demo")
	if code != 2 || !strings.Contains(errOut, "no service given and") || !strings.Contains(errOut, "usage: opsctx context") {
		t.Errorf("outside a checkout: exit %d\n%s", code, errOut)
	}
}
