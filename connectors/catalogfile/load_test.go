package catalogfile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func location(name string, targets ...string) string {
	return "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: " + name + "}\nspec:\n  targets: [" + strings.Join(targets, ", ") + "]\n"
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		paths   []string
		want    []string // entity refs in load order
		wantErr []string // error lines, exactly
	}{
		{
			name:  "directory walked recursively, yaml and yml, hidden and other files skipped",
			files: map[string]string{"catalog/a.yaml": checkoutDoc, "catalog/sub/b.yml": cartDoc, "catalog/.git/x.yaml": "bad", "catalog/.hidden.yaml": "bad", "catalog/README.md": "bad"},
			paths: []string{"catalog"},
			want:  []string{"component:default/checkout", "component:default/cart"},
		},
		{
			name:  "files and directories, a file reached twice is read once",
			files: map[string]string{"org.yaml": teamDoc, "catalog/a.yaml": checkoutDoc + "---\n" + cartDoc},
			paths: []string{"org.yaml", "catalog", "catalog/a.yaml"},
			want:  []string{"group:default/team-checkout", "component:default/checkout", "component:default/cart"},
		},
		{
			name:  "whole file system by default",
			files: map[string]string{"a.yaml": checkoutDoc},
			want:  []string{"component:default/checkout"},
		},
		{
			name: "location targets followed, relative, nested, globbed, cycles end",
			files: map[string]string{
				"root.yaml":          location("root", "./shop/all.yaml", "org/*.yaml", "https://github.com/x/catalog-info.yaml"),
				"shop/all.yaml":      location("shop", "checkout.yaml", "../root.yaml"),
				"shop/checkout.yaml": checkoutDoc,
				"org/team.yaml":      teamDoc,
				"unrelated.yaml":     cartDoc,
			},
			paths: []string{"root.yaml"},
			want:  []string{"location:default/root", "location:default/shop", "component:default/checkout", "group:default/team-checkout"},
		},
		{
			name:  "optional location target may be missing",
			files: map[string]string{"root.yaml": strings.Replace(location("root", "missing.yaml", "a.yaml"), "spec:\n", "spec:\n  presence: optional\n", 1), "a.yaml": cartDoc},
			paths: []string{"root.yaml"},
			want:  []string{"location:default/root", "component:default/cart"},
		},
		{
			name:    "missing location target",
			files:   map[string]string{"root.yaml": location("root", "missing.yaml")},
			paths:   []string{"root.yaml"},
			wantErr: []string{`root.yaml: document 1 (Location "root"): spec.targets[0]: open missing.yaml: file does not exist`},
		},
		{
			name:    "location target outside the file system",
			files:   map[string]string{"root.yaml": location("root", "../../etc/passwd")},
			paths:   []string{"root.yaml"},
			wantErr: []string{`root.yaml: document 1 (Location "root"): spec.targets[0]: "../../etc/passwd" is outside the catalog file system`},
		},
		{
			name:    "glob matching nothing",
			files:   map[string]string{"root.yaml": location("root", "teams/*.yaml")},
			paths:   []string{"root.yaml"},
			wantErr: []string{`root.yaml: document 1 (Location "root"): spec.targets[0]: no files match "teams/*.yaml"`},
		},
		{
			name:  "duplicate refs across files name both files",
			files: map[string]string{"a.yaml": checkoutDoc, "b.yaml": cartDoc + "---\n" + strings.Replace(checkoutDoc, "name: checkout", "name: Checkout", 1)},
			wantErr: []string{
				`b.yaml: document 2 (Component "Checkout"): duplicate entity component:default/checkout, also defined in a.yaml document 1`,
			},
		},
		{
			name:  "invalid documents in several files all reported",
			files: map[string]string{"a.yaml": "kind: Component\nmetadata: {name: a}\nspec: {type: s, lifecycle: l, owner: o}\n", "b.yaml": "x: [\n", "c.yaml": cartDoc},
			wantErr: []string{
				`a.yaml: document 1 (Component "a"): apiVersion: required`,
				`b.yaml: document 1: yaml: line 1: did not find expected node content`,
			},
		},
		{
			name:    "unreadable path",
			files:   map[string]string{"a.yaml": checkoutDoc},
			paths:   []string{"a.yaml", "nope"},
			wantErr: []string{"open nope: file does not exist"},
		},
		{
			name:    "path escaping the file system",
			files:   map[string]string{"a.yaml": checkoutDoc},
			paths:   []string{"../a.yaml"},
			wantErr: []string{"../a.yaml: not a valid path in the catalog file system"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := Load(context.Background(), Options{FS: mapFS(tt.files), Paths: tt.paths})
			if len(tt.wantErr) > 0 {
				if err == nil || err.Error() != strings.Join(tt.wantErr, "\n") {
					t.Fatalf("error =\n%v\nwant\n%s", err, strings.Join(tt.wantErr, "\n"))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(es); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("entities =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestLoadOS(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("catalog/a.yaml", checkoutDoc)
	write("catalog/nested/all.yaml", location("nested", "../../org/team.yml", filepath.Join(dir, "abs.yaml")))
	write("org/team.yml", teamDoc)
	write("abs.yaml", cartDoc)
	big := write("big/huge.yaml", "# "+strings.Repeat("x", MaxFileSize))

	tests := []struct {
		name    string
		paths   []string
		want    []string
		wantErr string
	}{
		{"directory with relative and absolute location targets", []string{filepath.Join(dir, "catalog")},
			[]string{"component:default/checkout", "location:default/nested", "group:default/team-checkout", "component:default/cart"}, ""},
		{"file too large", []string{big}, nil, "huge.yaml: file larger than 10 MiB"},
		{"missing path", []string{filepath.Join(dir, "missing")}, nil, "no such file or directory"},
		{"no paths", []string{" "}, nil, "no catalog paths configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := Load(context.Background(), Options{Paths: tt.paths})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(es); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("entities =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, Options{FS: mapFS(map[string]string{"a.yaml": checkoutDoc})})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("error = %v, want context canceled", err)
	}
}
