package transport_test

import (
	"bufio"
	"context"
	"encoding/json"
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
		addr   string
		signIn bool
		ok     bool
	}{
		{"127.0.0.1:8080", false, true},
		{"localhost:8080", false, true},
		{"[::1]:8080", false, true},
		{"0.0.0.0:8080", false, false},
		{":8080", false, false},
		{"10.1.2.3:8080", false, false},
		{"0.0.0.0:8080", true, true},
		{"nonsense", true, false},
	}
	for _, tt := range tests {
		err := opstransport.CheckAddr(tt.addr, tt.signIn)
		if (err == nil) != tt.ok {
			t.Errorf("CheckAddr(%q, signIn=%v) = %v, want ok=%v", tt.addr, tt.signIn, err, tt.ok)
		}
		if err != nil && !tt.signIn && tt.addr != "nonsense" && !strings.Contains(err.Error(), "OPSCTX_AUTH_TOKEN") {
			t.Errorf("refusal must say how to fix it: %v", err)
		}
	}
}

// serve starts the real handler on a loopback listener.
func serve(t *testing.T, o opstransport.HTTPOptions) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	s := tools.NewServer(tools.Deps{Engine: engine.New(engine.Options{})}, "test")
	go func() { done <- opstransport.Serve(ctx, ln, s, o) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

const initBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`

// request sends one request and returns the response with its body read.
func request(t *testing.T, method, url, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestBearerToken(t *testing.T) {
	base := serve(t, opstransport.HTTPOptions{Token: "canary-token-42"})
	tests := []struct {
		name, auth, origin string
		want               int
	}{
		{"no token", "", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", "", http.StatusUnauthorized},
		{"basic auth", "Basic Y2FuYXJ5LXRva2VuLTQy", "", http.StatusUnauthorized},
		{"scheme only", "Bearer ", "", http.StatusUnauthorized},
		{"right token", "Bearer canary-token-42", "", http.StatusOK},
		{"lower-case scheme", "bearer canary-token-42", "", http.StatusOK},
		{"upper-case scheme", "BEARER canary-token-42", "", http.StatusOK},
		{"foreign origin", "Bearer canary-token-42", "https://evil.example", http.StatusForbidden},
		{"loopback origin", "Bearer canary-token-42", "http://localhost:3000", http.StatusOK},
	}
	for _, tt := range tests {
		resp, _ := request(t, http.MethodPost, base+"/mcp", initBody, map[string]string{"Authorization": tt.auth, "Origin": tt.origin})
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
		if resp.StatusCode == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer ") {
			t.Errorf("%s: 401 without a Bearer challenge", tt.name)
		}
	}
	if resp, _ := request(t, http.MethodGet, base+"/healthz", "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	if resp, _ := request(t, http.MethodGet, base+"/metrics", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics without token: %d", resp.StatusCode)
	}
	if resp, _ := request(t, http.MethodGet, base+"/metrics", "", map[string]string{"Authorization": "bearer canary-token-42"}); resp.StatusCode != http.StatusOK {
		t.Errorf("/metrics with the token: %d", resp.StatusCode)
	}
}

// TestHostCheck: a loopback server answers only requests naming a loopback host, on /mcp
// and on /metrics alike (DNS rebinding); /healthz stays open for probes.
func TestHostCheck(t *testing.T) {
	base := serve(t, opstransport.HTTPOptions{})
	tests := []struct {
		method, path, host string
		want               int
	}{
		{http.MethodPost, "/mcp", "", http.StatusOK},
		{http.MethodPost, "/mcp", "localhost:9999", http.StatusOK},
		{http.MethodPost, "/mcp", "rebound.attacker.example:8080", http.StatusForbidden},
		{http.MethodGet, "/metrics", "", http.StatusOK},
		{http.MethodGet, "/metrics", "rebound.attacker.example", http.StatusForbidden},
		{http.MethodGet, "/healthz", "rebound.attacker.example", http.StatusOK},
	}
	for _, tt := range tests {
		h := map[string]string{}
		if tt.host != "" {
			h["Host"] = tt.host
		}
		if resp, body := request(t, tt.method, base+tt.path, initBody, h); resp.StatusCode != tt.want {
			t.Errorf("%s %s Host=%q: %d %s, want %d", tt.method, tt.path, tt.host, resp.StatusCode, body, tt.want)
		}
	}
}

func TestHTTPClientCallsToolAndMetricsCountIt(t *testing.T) {
	base := serve(t, opstransport.HTTPOptions{Token: "canary-token-42"})
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
	_, body := request(t, http.MethodGet, base+"/metrics", "", map[string]string{"Authorization": "Bearer canary-token-42"})
	if !strings.Contains(body, `opsctx_tool_call_duration_seconds_count{tool="find_service",outcome="ok"}`) {
		t.Errorf("/metrics lacks the tool call:\n%s", body)
	}
}

func TestRequestBodyLimit(t *testing.T) {
	base := serve(t, opstransport.HTTPOptions{})
	big := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", opstransport.MaxRequestBytes) + `"}}`
	if resp, _ := request(t, http.MethodPost, base+"/mcp", big, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized request: %d, want 413", resp.StatusCode)
	}
}

// TestBatchAnswered: a JSON-RPC batch gets an Invalid Request error (MCP has no batches
// since 2025-06-18), not a parse error; a single message still works.
func TestBatchAnswered(t *testing.T) {
	base := serve(t, opstransport.HTTPOptions{})
	resp, body := request(t, http.MethodPost, base+"/mcp", " ["+initBody+`,{"jsonrpc":"2.0","id":2,"method":"ping"}]`, nil)
	var msg struct {
		JSONRPC string `json:"jsonrpc"`
		ID      any    `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &msg); err != nil {
		t.Fatalf("batch answer is not JSON-RPC: %v %s", err, body)
	}
	if resp.StatusCode != http.StatusBadRequest || msg.JSONRPC != "2.0" || msg.ID != nil || msg.Error.Code != mcp.INVALID_REQUEST ||
		!strings.Contains(msg.Error.Message, "batches are not supported") {
		t.Errorf("batch: %d %s", resp.StatusCode, body)
	}
	if resp, body := request(t, http.MethodPost, base+"/mcp", initBody, nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"protocolVersion"`) {
		t.Errorf("single message after a batch: %d %s", resp.StatusCode, body)
	}
}

// openStream opens GET /mcp as a client of protocol 2025-06-18 does.
func openStream(t *testing.T, base string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/mcp", nil)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestEventStreams: GET /mcp streams are capped, carry keep-alives and close when idle;
// a GET that does not ask for a stream (a plain curl) is answered at once.
func TestEventStreams(t *testing.T) {
	capped := serve(t, opstransport.HTTPOptions{Streams: opstransport.StreamLimits{Max: 2, Idle: time.Hour}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, body := request(t, http.MethodGet, capped+"/mcp", "", map[string]string{"Accept": "*/*"}); resp.StatusCode != http.StatusNotAcceptable {
			t.Errorf("plain GET: %d %s, want 406", resp.StatusCode, body)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("a plain GET /mcp hangs")
	}

	a, b := openStream(t, capped), openStream(t, capped)
	if a.StatusCode != http.StatusOK || b.StatusCode != http.StatusOK || a.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("streams: %d %d %q", a.StatusCode, b.StatusCode, a.Header.Get("Content-Type"))
	}
	third := openStream(t, capped)
	third.Body.Close()
	if third.StatusCode != http.StatusServiceUnavailable || third.Header.Get("Retry-After") == "" {
		t.Errorf("stream over the cap: %d, want 503 with Retry-After", third.StatusCode)
	}
	a.Body.Close()
	b.Body.Close()
	// Closed streams free their places.
	for deadline := time.Now().Add(30 * time.Second); ; {
		s := openStream(t, capped)
		s.Body.Close()
		if s.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("closed streams still count against the cap: %d", s.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A stream carries keep-alives, then the server closes it for idleness.
	idle := serve(t, opstransport.HTTPOptions{Streams: opstransport.StreamLimits{KeepAlive: 20 * time.Millisecond, Idle: time.Second}})
	s := openStream(t, idle)
	defer s.Body.Close()
	pings := 0
	closed := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(s.Body)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"method":"ping"`) {
				pings++
			}
		}
		closed <- sc.Err()
	}()
	select {
	case <-closed:
	case <-time.After(60 * time.Second):
		t.Fatal("an idle stream stayed open")
	}
	if pings == 0 {
		t.Error("no keep-alive on the stream")
	}
}
