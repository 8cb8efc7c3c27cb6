package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {type: service, lifecycle: production}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		stdout   []string
		stderr   []string
		noStdout string
	}{
		{name: "version", args: []string{"version"}, stdout: []string{"opsctx dev"}},
		{name: "no command", args: nil, code: 2, stderr: []string{"usage: opsctx"}},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: []string{`unknown command "frobnicate"`}},
		{name: "context demo", args: []string{"context", "checkout", "--demo"}, stdout: []string{"# Checkout (checkout)", "owner: Checkout team", "Checkout runbook", "catalogfile ok"}},
		{name: "context unknown", args: []string{"context", "chekout", "--demo"}, code: 1, stderr: []string{`Did you mean "checkout"`}},
		{name: "context needs one target", args: []string{"context", "checkout", "--demo", "--repo", "shop/checkout"}, code: 2, stderr: []string{"not several"}},
		{name: "context bad since", args: []string{"context", "checkout", "--demo", "--since", "x"}, code: 2, stderr: []string{"--since"}},
		{name: "context environment", args: []string{"context", "checkout", "--demo", "--environment", "dynatrace"}, stdout: []string{"dynatrace ok", "alertmanager ok"}},
		{name: "context unknown environment", args: []string{"context", "checkout", "--demo", "--environment", "eu-west-9"}, code: 2,
			stderr: []string{`unknown environment "eu-west-9"`}},
		{name: "context flags before the service", args: []string{"context", "--demo", "checkout", "--detail", "brief"}, stdout: []string{"# Checkout (checkout)"},
			noStdout: "## Dependencies"},
		{name: "context flags after the service", args: []string{"context", "checkout", "--json", "--demo"}, stdout: []string{`"service": {`}},
		{name: "context extra argument", args: []string{"context", "checkout", "extra", "--demo"}, code: 2, stderr: []string{`not also "extra"`}},
		{name: "context misspelt detail", args: []string{"context", "--demo", "checkout", "--detail", "brif"}, code: 2,
			stderr: []string{"--detail must be brief, standard or full", `"brif"`}},
		{name: "context huge service", args: []string{"context", strings.Repeat("x", 10<<10), "--demo"}, code: 2, stderr: []string{"service is too long", "the limit is 256"}},
		{name: "context nothing configured", args: []string{"context", "checkout"}, code: 1, stderr: []string{"no source is configured; see README", "try --demo"},
			noStdout: "find_service"},
		{name: "context after --", args: []string{"context", "--demo", "--", "--checkout"}, stdout: []string{"# Checkout (checkout)"}}, // a name, not a flag
		{name: "check flags anywhere, no stray argument", args: []string{"check", "extra", "--demo"}, code: 2, stderr: []string{`check takes no arguments, only flags; not "extra"`}},
		{name: "check demo", args: []string{"check", "--demo"}, stdout: []string{"SOURCE", "catalogfile", "pagerduty", "dynatrace", "ok"}},
		{name: "check nothing configured", args: []string{"check"}, code: 1, stderr: []string{"no source is configured"}},
		{name: "serve nothing configured says so loudly", env: map[string]string{"OPSCTX_CACHE_DIR": dir}, args: []string{"serve"},
			stderr: []string{"NO SOURCE IS CONFIGURED"}},
		{name: "check invalid catalog", env: map[string]string{"OPSCTX_CATALOG": bad}, args: []string{"check"}, code: 1,
			stdout: []string{"FAIL", "bad.yaml: document 1", "spec.owner"}},
		{name: "config error names field", env: map[string]string{"SERVICENOW_USERNAME": "u", "SERVICENOW_INSTANCE_URL": "https://x.service-now.com", "SERVICENOW_PASSWORD": ""}, args: []string{"check"}, code: 1,
			stderr: []string{"SERVICENOW_PASSWORD"}},
		{name: "serve off-loopback without token", args: []string{"serve", "--demo", "--http", "0.0.0.0:0"}, code: 1, stderr: []string{"refusing", "OPSCTX_AUTH_TOKEN"}},
		{name: "secrets never printed", env: map[string]string{"PAGERDUTY_API_TOKEN": "canary-secret-pd-123", "OPSCTX_CATALOG": bad}, args: []string{"check"}, code: 1,
			noStdout: "canary-secret-pd-123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.env, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
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
			if tt.noStdout != "" && (strings.Contains(out, tt.noStdout) || strings.Contains(errOut, tt.noStdout)) {
				t.Errorf("secret printed:\n%s\n%s", out, errOut)
			}
		})
	}
}

func TestContextJSON(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "context", "checkout", "--demo", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var ans struct {
		Service struct {
			Name      string `json:"name"`
			OwnerTeam string `json:"owner_team"`
		} `json:"service"`
		Sources []struct{ Name, Status string } `json:"sources"`
	}
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if ans.Service.Name != "checkout" || ans.Service.OwnerTeam != "team-checkout" || len(ans.Sources) == 0 {
		t.Errorf("answer = %+v", ans)
	}
}

func TestServeHTTPShutsDownGracefully(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("canary-http-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--http", "127.0.0.1:0", "--auth-token-file", tokenFile}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	}()
	time.Sleep(300 * time.Millisecond)
	cancel() // what SIGINT/SIGTERM do through signal.NotifyContext
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	if out.Len() != 0 {
		t.Errorf("HTTP mode wrote to stdout: %q", out.String())
	}
	if !strings.Contains(errb.String(), "shutting down") || strings.Contains(errb.String(), "canary-http-token") {
		t.Errorf("stderr: %s", errb.String())
	}
}

// syncBuffer is a bytes.Buffer safe to read while the server writes its log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServeLoadsCatalogsAtStart: serve loads every catalog before the first question, so
// that question pays no catalog round trip.
func TestServeLoadsCatalogsAtStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--http", "127.0.0.1:0"}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	}()
	loaded := regexp.MustCompile(`msg="catalogs loaded" services=(\d+) took=\S+ failing=\[\]`)
	for deadline := time.Now().Add(10 * time.Second); !loaded.MatchString(errb.String()); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no catalogs loaded at start, every source ok:\n%s", errb.String())
		}
	}
	if n := loaded.FindStringSubmatch(errb.String())[1]; n == "0" {
		t.Errorf("catalogs loaded with 0 services:\n%s", errb.String())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}
