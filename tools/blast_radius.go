package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer/blast"
	"github.com/opsctx/opsctx/internal/render"
)

// BlastRadiusArgs are the arguments of blast_radius.
type BlastRadiusArgs struct {
	Scope
	Service string `json:"service,omitempty" jsonschema:"Service name as you know it, or a host, cluster or namespace no service is named after. Or give one of incident, repo or path."`
	Entry
	Depth int `json:"depth,omitempty" jsonschema:"How many hops to follow each way (default 2, max 6)."`
}

func blastRadiusTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("blast_radius",
		append([]mcp.ToolOption{
			mcp.WithDescription("What else is affected: the services a service depends on (upstream) and that depend on it (downstream), to a depth, with each one's current health and owner; hops that cross team boundaries are marked, and the downstream teams to notify are listed. Asked about a host, cluster or namespace (its name, FQDN, address or Dynatrace HOST id), it lists every service that runs there with owners, and what depends on those."),
			mcp.WithInputSchema[BlastRadiusArgs](),
			mcp.WithOutputSchema[blast.Result](),
		}, readOnly("Blast radius")...)...)
	return typed(d, tool, func(ctx context.Context, a BlastRadiusArgs) (*blast.Result, string, error) {
		s, err := d.subject(ctx, a.Service, a.Entry)
		if err != nil {
			return nil, "", err
		}
		depth, err := bounded("depth", a.Depth, 2, 6)
		if err != nil {
			return nil, "", err
		}
		r, err := d.Engine.BlastRadius(ctx, s, depth)
		if err != nil {
			return nil, "", err
		}
		return r, render.BlastRadius(r), nil
	})
}
