package transport_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/internal/engine"
	opstransport "github.com/opsctx/opsctx/internal/transport"
	"github.com/opsctx/opsctx/tools"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr, token string
		ok          bool
	}{
		{"127.0.0.1:8080", "", true},
		{"localhost:8080", "", true},
		{"[::1]:8080", "", true},
		{"0.0.0.0:8080", "", false},
		{":8080", "", false},
		{"10.1.2.3:8080", "", false},
		{"0.0.0.0:8080", "s3cret-token", true},
		{"nonsense", "", false},
	}
	for _, tt := range tests {
		err := opstransport.CheckAddr(tt.addr, tt.token)
		if (err == nil) != tt.ok {
			t.Errorf("CheckAddr(%q, token=%v) = %v, want ok=%v", tt.addr, tt.token != "", err, tt.ok)
		}
		if err != nil && tt.token == "" && !tt.ok && strings.Contains(tt.addr, ":") && tt.addr != "nonsense" && !strings.Contains(err.Error(), "OPSCTX_AUTH_TOKEN") {
			t.Errorf("refusal must say how to fix it: %v", err)
		}
	}
}

// serve starts the real handler on a loopback listener with a token.
func serve(t *testing.T, token string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	s := tools.NewServer(tools.Deps{Engine: engine.New(engine.Options{})}, "test")
	go func() { done <- opstransport.Serve(ctx, ln, s, opstransport.HTTPOptions{Token: token}) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`

func post(t *testing.T, url, auth, origin string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(initBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestBearerToken(t *testing.T) {
	base := serve(t, "canary-token-42")
	tests := []struct {
		name, auth, origin string
		want               int
	}{
		{"no token", "", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", "", http.StatusUnauthorized},
		{"basic auth", "Basic Y2FuYXJ5LXRva2VuLTQy", "", http.StatusUnauthorized},
		{"right token", "Bearer canary-token-42", "", http.StatusOK},
		{"foreign origin", "Bearer canary-token-42", "https://evil.example", http.StatusForbidden},
		{"loopback origin", "Bearer canary-token-42", "http://localhost:3000", http.StatusOK},
	}
	for _, tt := range tests {
		if got := post(t, base+"/mcp", tt.auth, tt.origin); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics without token: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

func TestHTTPClientCallsToolAndMetricsCountIt(t *testing.T) {
	base := serve(t, "canary-token-42")
	tr, err := transport.NewStreamableHTTP(base+"/mcp", transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer canary-token-42"}))
	if err != nil {
		t.Fatal(err)
	}
	c := client.NewClient(tr)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var ir mcp.InitializeRequest
	ir.Params.ClientInfo = mcp.Implementation{Name: "t", Version: "0"}
	if _, err := c.Initialize(ctx, ir); err != nil {
		t.Fatal(err)
	}
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = "find_service", map[string]any{"query": "anything"}
	if _, err := c.CallTool(ctx, req); err != nil {
		t.Fatal(err)
	}
	hreq, _ := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	hreq.Header.Set("Authorization", "Bearer canary-token-42")
	resp, err := http.DefaultClient.Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `opsctx_tool_call_duration_seconds_count{tool="find_service",outcome="ok"}`) {
		t.Errorf("/metrics lacks the tool call:\n%s", body)
	}
}

func TestRequestBodyLimit(t *testing.T) {
	base := serve(t, "")
	big := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", opstransport.MaxRequestBytes) + `"}}`
	req, _ := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("oversized request accepted")
	}
}
