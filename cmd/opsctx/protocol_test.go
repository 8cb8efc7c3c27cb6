package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/testkit/mcpcall"
	"github.com/opsctx/opsctx/internal/testkit/outputcheck"
	"github.com/opsctx/opsctx/tools"
)

// demoServerClient returns an initialized in-process client of the production server on the demo.
func demoClient(t *testing.T) *client.Client {
	t.Helper()
	ctx := context.Background()
	d, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	eng := app.Engine(d.Config, app.Options{CatalogFS: d.CatalogFS})
	c, err := client.NewInProcessClient(tools.NewServer(tools.Deps{Engine: eng}, "test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	initialize(t, c)
	return c
}

func initialize(t *testing.T, c *client.Client) {
	t.Helper()
	var ir mcp.InitializeRequest
	ir.Params.ClientInfo = mcp.Implementation{Name: "opsctx-test", Version: "0"}
	ir.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	if _, err := c.Initialize(context.Background(), ir); err != nil {
		t.Fatalf("initialize: %v", err)
	}
}

func callTool(t *testing.T, c *client.Client, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	var req mcp.CallToolRequest
	req.Params.Name, req.Params.Arguments = name, args
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: protocol error %v", name, err)
	}
	return res
}

// checkAgainstOutputSchema validates a result's structuredContent against the tool's
// advertised outputSchema, as a strict client would.
func checkAgainstOutputSchema(t *testing.T, c *client.Client, tool string, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	if res.IsError {
		t.Fatalf("%s returned an error: %v", tool, res.Content)
	}
	if err := outputcheck.Check(context.Background(), c, tool, res.StructuredContent); err != nil {
		t.Fatal(err) // what a strict client would reject
	}
	raw, _ := json.Marshal(res.StructuredContent)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// text is the markdown of a result.
var text = mcpcall.Text

func TestInProcessProtocol(t *testing.T) {
	c := demoClient(t)
	list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, tl := range list.Tools {
		names[tl.Name] = true
	}
	for _, want := range []string{"incident_context", "what_changed", "who_owns", "blast_radius", "active_issues", "boundary_audit", "find_service"} {
		if !names[want] {
			t.Errorf("tools/list lacks %s", want)
		}
	}

	res := callTool(t, c, "incident_context", map[string]any{"service": "checkout"})
	out := checkAgainstOutputSchema(t, c, "incident_context", res)
	svc := out["service"].(map[string]any)
	if svc["name"] != "checkout" || svc["owner_team"] != "team-checkout" {
		t.Errorf("service = %v", svc)
	}
	if !strings.Contains(text(res), "Checkout runbook") {
		t.Errorf("markdown lacks the runbook:\n%s", text(res))
	}

	// Every tool answers on the demo with structuredContent valid against its outputSchema.
	for tool, args := range map[string]map[string]any{
		"what_changed":   {"service": "checkout", "since": "3d"},
		"who_owns":       {"service": "checkout-api"},
		"blast_radius":   {"service": "orders-db", "depth": 3},
		"active_issues":  {},
		"boundary_audit": {"team": "team-storefront"},
	} {
		checkAgainstOutputSchema(t, c, tool, callTool(t, c, tool, args))
	}

	res = callTool(t, c, "find_service", map[string]any{"query": "Checkout Service"})
	out = checkAgainstOutputSchema(t, c, "find_service", res)
	if cands := out["candidates"].([]any); len(cands) != 1 || cands[0].(map[string]any)["name"] != "checkout" {
		t.Errorf("find_service candidates = %v", out["candidates"])
	}
}

func TestToolErrorsAreActionable(t *testing.T) {
	c := demoClient(t)
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"incident_context", map[string]any{"service": "chekout"}, `Did you mean "checkout"`},
		{"incident_context", map[string]any{"service": "checkout", "servce": "x"}, "valid arguments: detail, environment, horizon, host, incident, path, repo, service, since"},
		{"incident_context", map[string]any{}, "give a service"},
		{"incident_context", map[string]any{"repo": "shop/checkout", "incident": "P-2311"}, "not several (incident, repo)"},
		{"who_owns", map[string]any{"repo": "not a repo"}, "repo: not a repository reference"},
		{"incident_context", map[string]any{"service": "checkout", "since": "soon"}, "since:"},
		{"find_service", map[string]any{"query": "*", "limit": 500}, "limit must be between 1 and 200"},
		{"what_changed", map[string]any{"service": "chekout"}, `Did you mean "checkout"`},
		{"who_owns", map[string]any{"service": "chekout"}, `Did you mean "checkout"`},
		{"blast_radius", map[string]any{"service": "chekout"}, `Did you mean "checkout"`},
		{"active_issues", map[string]any{"service": "chekout"}, `Did you mean "checkout"`},
		{"boundary_audit", map[string]any{"service": "chekout"}, `Did you mean "checkout"`},
		{"blast_radius", map[string]any{"service": "checkout", "depth": 99}, "depth must be between 1 and 6"},
		{"active_issues", map[string]any{"min_severity": "loud"}, "min_severity must be"},
		{"what_changed", map[string]any{"service": "checkout", "include_dependencies": "yes please"}, "invalid arguments"},
	}
	for _, tt := range tests {
		res := callTool(t, c, tt.tool, tt.args)
		if !res.IsError || !strings.Contains(text(res), tt.want) {
			t.Errorf("%s %v: isError=%v text=%q, want %q", tt.tool, tt.args, res.IsError, text(res), tt.want)
		}
	}
}

// TestStdioSubprocess runs the built binary as a desktop client would.
func TestStdioSubprocess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	var stderr bytes.Buffer
	c, err := client.NewStdioMCPClient(bin, []string{"OPSCTX_LOG_LEVEL=debug", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}, "serve", "--demo")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if r, ok := client.GetStderr(c); ok {
		go func() { _, _ = stderr.ReadFrom(r) }()
	}
	initialize(t, c)
	res := callTool(t, c, "incident_context", map[string]any{"service": "checkout", "detail": "brief"})
	out := checkAgainstOutputSchema(t, c, "incident_context", res)
	if out["service"].(map[string]any)["name"] != "checkout" {
		t.Errorf("service = %v", out["service"])
	}
}

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "opsctx")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestPromptsAndResources(t *testing.T) {
	c := demoClient(t)
	ctx := context.Background()
	for _, name := range []string{"incident_brief", "stakeholder_update"} {
		var req mcp.GetPromptRequest
		req.Params.Name = name
		req.Params.Arguments = map[string]string{"service": "checkout", "next_update_minutes": "15"}
		res, err := c.GetPrompt(ctx, req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		txt := res.Messages[0].Content.(mcp.TextContent).Text
		if !strings.Contains(txt, "<context") || !strings.Contains(txt, "Checkout team") {
			t.Errorf("%s prompt lacks the context: %s", name, txt)
		}
		if name == "stakeholder_update" && !strings.Contains(txt, "in 15 minutes") {
			t.Errorf("next update time not used: %s", txt)
		}
	}
	var rr mcp.ReadResourceRequest
	rr.Params.URI = "opsctx://services/checkout-api"
	res, err := c.ReadResource(ctx, rr)
	if err != nil {
		t.Fatal(err)
	}
	var svc struct {
		Name  string `json:"name"`
		Edges []any  `json:"edges"`
	}
	if err := json.Unmarshal([]byte(res.Contents[0].(mcp.TextResourceContents).Text), &svc); err != nil || svc.Name != "checkout" || len(svc.Edges) == 0 {
		t.Errorf("service resource = %+v %v", svc, err)
	}
	rr.Params.URI = "opsctx://sources"
	res, err = c.ReadResource(ctx, rr)
	if err != nil || !strings.Contains(res.Contents[0].(mcp.TextResourceContents).Text, `"catalogfile"`) {
		t.Errorf("sources resource: %v %v", res, err)
	}
}

// TestResourceNotFound: reading a service opsctx does not know is "resource not found":
// -32002 for clients of protocol versions up to 2025-11-25, -32602 (invalid params) under
// 2026-07-28, which aligned the condition with JSON-RPC; never an internal error.
func TestResourceNotFound(t *testing.T) {
	d, err := demo.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s := tools.NewServer(tools.Deps{Engine: app.Engine(d.Config, app.Options{CatalogFS: d.CatalogFS})}, "test")
	for _, uri := range []string{"opsctx://services/chekout", "opsctx://services/" + strings.Repeat("x", 5000), "opsctx://nothing"} {
		msg, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": map[string]any{"uri": uri}})
		raw, _ := json.Marshal(s.HandleMessage(context.Background(), msg))
		var resp struct {
			Error *struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw, &resp); err != nil || resp.Error == nil || resp.Error.Code != mcp.RESOURCE_NOT_FOUND {
			t.Errorf("legacy resources/read %.60s: %s, want code %d", uri, raw, mcp.RESOURCE_NOT_FOUND)
			continue
		}
		if len(resp.Error.Message) > 400 {
			t.Errorf("the error echoes the whole name: %d bytes", len(resp.Error.Message))
		}
	}

	c := demoClient(t) // negotiates 2026-07-28
	var rr mcp.ReadResourceRequest
	rr.Params.URI = "opsctx://services/chekout"
	if _, err := c.ReadResource(context.Background(), rr); !errors.Is(err, mcp.ErrInvalidParams) || !strings.Contains(err.Error(), `no service named "chekout"`) {
		t.Errorf("modern resources/read of an unknown service: %v", err)
	}
	rr.Params.URI = "opsctx://services/checkout"
	if _, err := c.ReadResource(context.Background(), rr); err != nil {
		t.Errorf("known service: %v", err)
	}
}
