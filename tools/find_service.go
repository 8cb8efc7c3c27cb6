package tools

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/render"
)

// FindServiceArgs are the arguments of find_service.
type FindServiceArgs struct {
	Scope
	Query string `json:"query" jsonschema:"A service name, title, alias or id from any system, e.g. checkout, Checkout Service, PCHKOUT, SERVICE-5B2C..."`
}

func findServiceTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("find_service",
		append([]mcp.ToolOption{
			mcp.WithDescription("Find services across every catalog source (Backstage, ServiceNow CMDB, PagerDuty, Dynatrace...) and show how each matched: exact name, id, alias, normalised name or similar name. Use it when a name is unknown or ambiguous."),
			mcp.WithInputSchema[FindServiceArgs](),
			mcp.WithOutputSchema[answer.FindResult](),
		}, readOnly("Find service")...)...)
	return typed(d, tool, func(ctx context.Context, a FindServiceArgs) (*answer.FindResult, string, error) {
		if strings.TrimSpace(a.Query) == "" {
			return nil, "", badArg("query must not be empty")
		}
		r := d.Engine.FindService(ctx, strings.TrimSpace(a.Query))
		return r, render.FindService(r), nil
	})
}
