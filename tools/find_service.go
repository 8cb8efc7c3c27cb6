package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer/find"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/render"
)

// FindServiceArgs are the arguments of find_service.
type FindServiceArgs struct {
	Scope
	Query string `json:"query,omitempty" jsonschema:"A service name, title, alias or id from any system, e.g. checkout, Checkout Service, PCHKOUT, SERVICE-5B2C... Or give one of incident, repo or path."`
	Entry
}

func findServiceTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("find_service",
		append([]mcp.ToolOption{
			mcp.WithDescription("Find services across every catalog source (Backstage, ServiceNow CMDB, PagerDuty, Dynatrace...) and show how each matched: exact name, id, alias, normalised name or similar name — or, from an incident, a repository or a path, the services it leads to, best first, with the evidence. Use it when a name is unknown or ambiguous."),
			mcp.WithInputSchema[FindServiceArgs](),
			mcp.WithOutputSchema[find.Result](),
		}, readOnly("Find service")...)...)
	return typed(d, tool, func(ctx context.Context, a FindServiceArgs) (*find.Result, string, error) {
		if isBlank(a.Query, a.Incident, a.Repo, a.Path) && d.Workspace == "" {
			return nil, "", badArg("query must not be empty")
		}
		if err := engine.CheckArg("query", a.Query); err != nil {
			return nil, "", err
		}
		s, err := d.subject(ctx, a.Query, a.Entry)
		if err != nil {
			return nil, "", err
		}
		r, err := d.Engine.FindService(ctx, s)
		if err != nil {
			return nil, "", err
		}
		return r, render.FindService(r), nil
	})
}
