package tools

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer/find"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/render"
)

// FindServiceArgs are the arguments of find_service.
type FindServiceArgs struct {
	Scope
	Query string `json:"query,omitempty" jsonschema:"A service name, title, alias or id from any system, e.g. checkout, Checkout Service, PCHKOUT, SERVICE-5B2C... Or give one of incident, repo or path. * (or nothing at all) lists the whole catalog, by name, a page at a time."`
	Entry
	Offset int `json:"offset,omitempty" jsonschema:"Listing only: how many services to skip (the next_offset of the page before). Default 0."`
	Limit  int `json:"limit,omitempty" jsonschema:"Listing only: services per page, 1 to 200. Default 50."`
}

// Catalog listing pages: the default and the largest page.
const (
	listDefault = 50
	listMax     = 200
)

// listing reports a find_service call that asks for the whole catalog: query "*", or no
// argument at all where no workspace stands in for one.
func (d Deps) listing(a FindServiceArgs) bool {
	if !isBlank(a.Incident, a.Repo, a.Path) {
		return false
	}
	q := strings.TrimSpace(a.Query)
	return q == "*" || q == "" && d.Workspace == ""
}

func findServiceTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("find_service",
		append([]mcp.ToolOption{
			mcp.WithDescription("Find services across every catalog source (Backstage, ServiceNow CMDB, PagerDuty, Dynatrace...) and show how each matched: exact name, id, alias, normalised name or similar name — or, from an incident, a repository or a path, the services it leads to, best first, with the evidence. Use it when a name is unknown or ambiguous; query * lists the catalog."),
			mcp.WithInputSchema[FindServiceArgs](),
			mcp.WithOutputSchema[find.Result](),
		}, readOnly("Find service")...)...)
	return typed(d, tool, func(ctx context.Context, a FindServiceArgs) (*find.Result, string, error) {
		if d.listing(a) {
			limit, err := bounded("limit", a.Limit, listDefault, listMax)
			if err != nil {
				return nil, "", err
			}
			if a.Offset < 0 {
				return nil, "", badArg("offset must not be negative, not %d", a.Offset)
			}
			r := d.Engine.ListServices(ctx, a.Offset, limit)
			return r, render.FindService(r), nil
		}
		if a.Offset != 0 || a.Limit != 0 {
			return nil, "", badArg("offset and limit page the catalog listing (query \"*\"), not a search")
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
