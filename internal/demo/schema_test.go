package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/testkit/outputcheck"
)

// TestEveryAnswerMatchesItsSchema: every tool, about every service of the demo (quiet ones,
// telemetry-only ones, the failing database) and at every detail level, answers with
// structuredContent that a strict client accepts against the advertised outputSchema.
func TestEveryAnswerMatchesItsSchema(t *testing.T) {
	c, eng := mcpEngineClient(t, demo.Scenario{T0: time.Now()})
	ctx := context.Background()
	dir, _ := eng.Directory(ctx)
	names := dir.Names()
	if len(names) < 10 {
		t.Fatalf("demo directory has %d services", len(names))
	}
	type call struct {
		tool string
		args map[string]any
	}
	calls := []call{{"active_issues", map[string]any{}}, {"boundary_audit", map[string]any{}}}
	for _, n := range names {
		for _, detail := range []string{"brief", "standard", "full"} {
			calls = append(calls, call{"incident_context", map[string]any{"service": n, "detail": detail}})
		}
		for _, tool := range []string{"what_changed", "who_owns", "blast_radius", "active_issues", "boundary_audit"} {
			calls = append(calls, call{tool, map[string]any{"service": n}})
		}
		calls = append(calls, call{"find_service", map[string]any{"query": n}})
	}
	for _, call := range calls {
		var req mcp.CallToolRequest
		req.Params.Name, req.Params.Arguments = call.tool, call.args
		res, err := c.CallTool(ctx, req)
		if err != nil || res.IsError {
			t.Errorf("%s %v: err %v, result %+v", call.tool, call.args, err, res)
			continue
		}
		if err := outputcheck.Check(ctx, c, call.tool, res.StructuredContent); err != nil {
			t.Errorf("%s %v: %v", call.tool, call.args, err)
		}
	}
	t.Logf("%d answers about %d services checked", len(calls), len(names))
}
