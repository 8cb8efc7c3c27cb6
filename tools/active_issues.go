package tools

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer/issues"
	"github.com/opsctx/opsctx/internal/render"
)

// ActiveIssuesArgs are the arguments of active_issues.
type ActiveIssuesArgs struct {
	Scope
	Team        string `json:"team,omitempty" jsonschema:"Only services owned by this team (name or display name)."`
	Service     string `json:"service,omitempty" jsonschema:"Only this service."`
	MinSeverity string `json:"min_severity,omitempty" jsonschema:"enum=critical,enum=high,enum=warning,enum=low,enum=info" jsonschema_description:"Leave out anything less severe: critical, high, warning, low, info."`
	Limit       int    `json:"limit,omitempty" jsonschema:"Maximum groups to return (default 20, max 200)."`
}

func activeIssuesTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("active_issues",
		append([]mcp.ToolOption{
			mcp.WithDescription("Everything open right now across sources (problems, alerts, incidents), deduplicated and grouped by root cause: alerts on services downstream of a failing root cause are listed under it, not as separate fires. Optionally for one team or service, above a severity."),
			mcp.WithInputSchema[ActiveIssuesArgs](),
			mcp.WithOutputSchema[issues.Result](),
		}, readOnly("Active issues")...)...)
	return typed(d, tool, func(ctx context.Context, a ActiveIssuesArgs) (*issues.Result, string, error) {
		switch strings.ToLower(a.MinSeverity) {
		case "", "critical", "high", "warning", "low", "info":
		default:
			return nil, "", badArg("min_severity must be critical, high, warning, low or info, not %q", a.MinSeverity)
		}
		limit, err := bounded("limit", a.Limit, 20, 200)
		if err != nil {
			return nil, "", err
		}
		r, err := d.Engine.ActiveIssues(ctx, issues.Filter{Team: strings.TrimSpace(a.Team), Service: strings.TrimSpace(a.Service), MinSeverity: strings.ToLower(a.MinSeverity), Limit: limit})
		if err != nil {
			return nil, "", err
		}
		return r, render.ActiveIssues(r), nil
	})
}
