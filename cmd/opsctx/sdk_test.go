package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestOfficialTypeScriptSDK drives the built binary with the official MCP TypeScript SDK
// client (testdata/sdk/check.mjs) over stdio and streamable HTTP, in both result forms
// (OPSCTX_RESULT_FORM both and text); the SDK validates every structuredContent against the
// tool's outputSchema. It needs node and the SDK installed in $OPSCTX_MCP_SDK_DIR (.ci/run
// installs it with npm), and is skipped without them (failing under CI=true).
func TestOfficialTypeScriptSDK(t *testing.T) {
	dir := os.Getenv("OPSCTX_MCP_SDK_DIR")
	node, err := exec.LookPath("node")
	if dir == "" || err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must run the TypeScript SDK client: .ci/run installs it and sets OPSCTX_MCP_SDK_DIR")
		}
		t.Skip("set OPSCTX_MCP_SDK_DIR to a folder with node_modules/@modelcontextprotocol/sdk (and have node) to run the SDK client")
	}
	bin := buildBinary(t)
	work := t.TempDir() // the script must sit beside a node_modules for ES module resolution
	script, err := os.ReadFile(filepath.Join("testdata", "sdk", "check.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "check.mjs"), script, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "node_modules"), filepath.Join(work, "node_modules")); err != nil {
		t.Fatal(err)
	}

	for _, form := range []string{"both", "text"} {
		t.Run(form, func(t *testing.T) {
			addr := freeAddr(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			srv := exec.CommandContext(ctx, bin, "serve", "--demo", "--http", addr)
			srv.Env = append(os.Environ(), "OPSCTX_RESULT_FORM="+form)
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				if c, err := net.Dial("tcp", addr); err == nil {
					c.Close()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("serve --http %s did not listen", addr)
				}
			}
			out, err := exec.CommandContext(ctx, node, filepath.Join(work, "check.mjs"), bin, fmt.Sprintf("http://%s/mcp", addr), form).CombinedOutput()
			if err != nil {
				t.Fatalf("the TypeScript SDK client failed: %v\n%s", err, out)
			}
		})
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
