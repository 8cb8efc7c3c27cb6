package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/fake/issuer"
)

// serving runs serve in the background until the test ends and returns its base URL
// (read from the log) and its log.
func serving(t *testing.T, env map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), io.Discard, &errb, func(k string) string { return env[k] })
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	})
	addr := regexp.MustCompile(`msg="serving MCP over HTTP" addr=\S+:(\d+)`)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := addr.FindStringSubmatch(errb.String()); m != nil {
			return "http://127.0.0.1:" + m[1], &errb
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited %d: %s", code, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen: %s", errb.String())
		}
	}
}

// post sends an MCP message with an Authorization header and returns the status and body.
func post(t *testing.T, url, auth, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const (
	initMsg = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`
	callMsg = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"who_owns","arguments":{"service":"checkout"}}}`
)

// TestDemoKeepsSignIn: --demo replaces the sources only; the token from the environment or
// the config file still guards HTTP, and it lets serve bind beyond loopback.
func TestDemoKeepsSignIn(t *testing.T) {
	file := filepath.Join(t.TempDir(), "opsctx.yaml")
	if err := os.WriteFile(file, []byte("http:\n  auth_token: canary-file-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		env   map[string]string
		args  []string
		token string
	}{
		{"environment", map[string]string{"OPSCTX_AUTH_TOKEN": "canary-env-token"}, []string{"--http", "127.0.0.1:0"}, "canary-env-token"},
		{"config file", map[string]string{"OPSCTX_CONFIG": file}, []string{"--http", "127.0.0.1:0"}, "canary-file-token"},
		{"beyond loopback", map[string]string{"OPSCTX_AUTH_TOKEN": "canary-env-token"}, []string{"--http", "0.0.0.0:0"}, "canary-env-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, log := serving(t, tt.env, append(tt.args, "--demo")...)
			if code, _ := post(t, base+"/mcp", "", initMsg); code != http.StatusUnauthorized {
				t.Errorf("without the token: %d, want 401", code)
			}
			if code, body := post(t, base+"/mcp", "Bearer "+tt.token, callMsg); code != http.StatusOK || !strings.Contains(body, "team-checkout") {
				t.Errorf("with the token: %d %.300s", code, body)
			}
			if strings.Contains(log.String(), "canary-") {
				t.Errorf("the log prints the token:\n%s", log)
			}
		})
	}
}

// TestServeChecksSettingsFirst: a bad address, sign-in or workspace is refused before the
// demo starts or a catalog is loaded.
func TestServeChecksSettingsFirst(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"beyond loopback without sign-in", nil, []string{"--http", "0.0.0.0:0"}, "refusing to serve on 0.0.0.0:0 without sign-in"},
		{"malformed address", nil, []string{"--http", "localhost"}, "use host:port"},
		{"missing token file", nil, []string{"--http", "127.0.0.1:0", "--auth-token-file", filepath.Join(dir, "none")}, "--auth-token-file"},
		{"token file and oauth", map[string]string{"OPSCTX_OAUTH_ISSUER": "https://idp.example.com", "OPSCTX_OAUTH_AUDIENCE": "https://opsctx.example.com/mcp"},
			[]string{"--http", "127.0.0.1:0", "--auth-token-file", file}, "use one sign-in"},
		{"workspace over http", nil, []string{"--http", "127.0.0.1:0", "--workspace", dir}, "stdio only"},
		{"workspace from the environment over http", map[string]string{"OPSCTX_WORKSPACE": dir}, []string{"--http", "127.0.0.1:0"}, "stdio only"},
		{"workspace missing", nil, []string{"--workspace", filepath.Join(dir, "none")}, "no such file or directory"},
		{"workspace is a file", nil, []string{"--workspace", file}, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.env, append([]string{"serve", "--demo"}, tt.args...)...)
			if code != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want 1 and %q", code, errOut, tt.want)
			}
			if strings.Contains(errOut, "catalogs loaded") || out != "" {
				t.Errorf("serve started before refusing:\n%s%s", out, errOut)
			}
		})
	}
}

// TestWorkspaceOverStdio: serve --workspace DIR (or OPSCTX_WORKSPACE) serves stdio with DIR
// as the workspace.
func TestWorkspaceOverStdio(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		env  map[string]string
		args []string
	}{{nil, []string{"--workspace", dir}}, {map[string]string{"OPSCTX_WORKSPACE": dir}, nil}} {
		code, _, errOut := runCLI(t, tt.env, append([]string{"serve", "--demo"}, tt.args...)...)
		if code != 0 || !strings.Contains(errOut, "workspace="+dir) {
			t.Errorf("%v %v: exit %d\n%s", tt.env, tt.args, code, errOut)
		}
	}
}

// TestOAuthServe: with OPSCTX_OAUTH_ISSUER and OPSCTX_OAUTH_AUDIENCE, serve --http takes
// the issuer's access tokens, and logs each tool call with the subject and client id but
// never the token.
func TestOAuthServe(t *testing.T) {
	is := issuer.Start(issuer.Options{})
	defer is.Close()
	const aud = "https://opsctx.example.com/mcp"
	base, log := serving(t, map[string]string{"OPSCTX_OAUTH_ISSUER": is.ID, "OPSCTX_OAUTH_AUDIENCE": aud}, "--demo", "--http", "127.0.0.1:0")
	token := is.Token(is.Claims(aud))
	if code, body := post(t, base+"/mcp", "Bearer "+token, callMsg); code != http.StatusOK || !strings.Contains(body, "team-checkout") {
		t.Fatalf("with a token: %d %.300s", code, body)
	}
	if code, _ := post(t, base+"/mcp", "Bearer "+is.Token(is.Claims("https://other.example.com/mcp")), callMsg); code != http.StatusUnauthorized {
		t.Errorf("token for another server: %d, want 401", code)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), `msg="tool call" tool=who_owns`); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no tool call logged:\n%s", log)
		}
	}
	if l := log.String(); !strings.Contains(l, "sign-in ready") || !strings.Contains(l, `sub=alice@example.com client_id=desktop-client`) {
		t.Errorf("the tool call is not logged with its caller:\n%s", l)
	}
	if strings.Contains(log.String(), token[strings.LastIndexByte(token, '.')+1:]) {
		t.Errorf("the log prints the token")
	}
}
