package tools

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer/audit"
	"github.com/opsctx/opsctx/internal/render"
)

// BoundaryAuditArgs are the arguments of boundary_audit.
type BoundaryAuditArgs struct {
	Scope
	Service string `json:"service,omitempty" jsonschema:"Audit only this service and its edges."`
	Team    string `json:"team,omitempty" jsonschema:"Audit only services owned by this team."`
	Limit   int    `json:"limit,omitempty" jsonschema:"Maximum findings to return (default 50, max 500)."`
}

func boundaryAuditTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("boundary_audit",
		append([]mcp.ToolOption{
			mcp.WithDescription("Where incidents hide: services without an owner, on-call, runbook or alerting; cross-team dependencies with no declared contract; drift between declared (catalog/CMDB) and measured (telemetry) dependencies; owners that disagree between sources."),
			mcp.WithInputSchema[BoundaryAuditArgs](),
			mcp.WithOutputSchema[audit.Result](),
		}, readOnly("Boundary audit")...)...)
	return typed(d, tool, func(ctx context.Context, a BoundaryAuditArgs) (*audit.Result, string, error) {
		if a.Service != "" && a.Team != "" {
			return nil, "", badArg("give service or team, not both")
		}
		limit, err := bounded("limit", a.Limit, 50, 500)
		if err != nil {
			return nil, "", err
		}
		r, err := d.Engine.BoundaryAudit(ctx, strings.TrimSpace(a.Service), strings.TrimSpace(a.Team), limit)
		if err != nil {
			return nil, "", err
		}
		return r, render.Audit(r), nil
	})
}
