package tools

import (
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/mcpcall"
	"github.com/opsctx/opsctx/internal/transport"
	"github.com/opsctx/opsctx/internal/workspace"
)

// countingFS counts every read of the disk.
type countingFS struct{ n atomic.Int64 }

func (c *countingFS) Lstat(name string) (fs.FileInfo, error) {
	c.n.Add(1)
	return workspace.OS.Lstat(name)
}
func (c *countingFS) EvalSymlinks(name string) (string, error) {
	c.n.Add(1)
	return workspace.OS.EvalSymlinks(name)
}
func (c *countingFS) ReadFile(name string, max int64) ([]byte, error) {
	c.n.Add(1)
	return workspace.OS.ReadFile(name, max)
}

// entryEngine has one service whose code lives in shop/cart.
func entryEngine() *engine.Engine {
	cat := &fake.Memory{SourceName: "catalogfile", Cat: model.Catalog{Services: []model.Service{{
		ID: "component:default/cart", Name: "cart", Owner: "team-storefront", Source: "catalogfile",
		Repos: catalogmodel.Repos(map[string]string{catalogmodel.AnnotationGitHubSlug: "shop/cart"})}}}}
	return engine.New(engine.Options{Sources: []connectors.Source{cat}})
}

// checkoutDir is a checkout of shop/cart.
func checkoutDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".git/config"), []byte("[remote \"origin\"]\nurl = git@github.com:shop/cart.git\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func callPath(t *testing.T, c *client.Client, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(context.Background(), mcp.InitializeRequest{}); err != nil {
		t.Fatal(err)
	}
	return mcpcall.Tool(t, c, "who_owns", args)
}

// TestPathOverHTTPIsRefused: over HTTP a path is refused with an error that says to pass
// repo, and nothing is read from the server's disk — even when the server was (wrongly)
// built as local.
func TestPathOverHTTPIsRefused(t *testing.T) {
	dir := checkoutDir(t)
	for _, local := range []bool{false, true} {
		disk := &countingFS{}
		srv := NewServer(Deps{Engine: entryEngine(), Local: local, Files: disk}, "test")
		ts := httptest.NewServer(transport.Handler(srv, transport.HTTPOptions{}))
		c, err := client.NewStreamableHttpClient(ts.URL + "/mcp")
		if err != nil {
			t.Fatal(err)
		}
		res := callPath(t, c, map[string]any{"path": dir})
		_ = c.Close()
		ts.Close()
		if txt := mcpcall.Text(res); !res.IsError || !strings.Contains(txt, "over HTTP the server never reads its own disk") || !strings.Contains(txt, "Pass repo instead") {
			t.Errorf("local=%v: path over HTTP answered %v: %s", local, res.IsError, txt)
		}
		if n := disk.n.Load(); n != 0 {
			t.Errorf("local=%v: %d reads of the disk for a refused path", local, n)
		}
	}
}

// TestPathOverStdio: a local server reads the checkout and answers for its service; with
// no argument the workspace folder stands in for path.
func TestPathOverStdio(t *testing.T) {
	dir := checkoutDir(t)
	for _, args := range []map[string]any{{"path": dir}, {"path": "."}, {}} {
		disk := &countingFS{}
		c, err := client.NewInProcessClient(NewServer(Deps{Engine: entryEngine(), Local: true, Files: disk, Workspace: dir}, "test"))
		if err != nil {
			t.Fatal(err)
		}
		res := callPath(t, c, args)
		_ = c.Close()
		if txt := mcpcall.Text(res); res.IsError || !strings.Contains(txt, "# Who owns cart") || !strings.Contains(txt, "Resolved from path") {
			t.Errorf("%v: %s", args, txt)
		}
		if disk.n.Load() == 0 {
			t.Errorf("%v: the checkout was not read", args)
		}
	}
}
