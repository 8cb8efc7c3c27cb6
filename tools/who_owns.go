package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/render"
)

// WhoOwnsArgs are the arguments of who_owns.
type WhoOwnsArgs struct {
	Scope
	Service string `json:"service,omitempty" jsonschema:"Service name as you know it (catalog name, alias, CI name, PagerDuty or Dynatrace id). Or give one of incident, repo or path."`
	Entry
	Horizon string `json:"horizon,omitempty" jsonschema:"How far ahead to look for handovers, escalations and what else happens next: Go duration or days, e.g. 2h, 12h. Default 12h."`
}

func whoOwnsTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("who_owns",
		append([]mcp.ToolOption{
			mcp.WithDescription("Who owns a service: the owning team per source (disagreements shown side by side), contacts, who is on call now per level and who takes over when, the escalation path timed from the service's own open page (stopped once acknowledged), who has acknowledged, what happens next (handovers, escalations, silences ending, scheduled changes), and runbooks."),
			mcp.WithInputSchema[WhoOwnsArgs](),
			mcp.WithOutputSchema[incident.WhoOwnsResult](),
		}, readOnly("Who owns")...)...)
	return typed(d, tool, func(ctx context.Context, a WhoOwnsArgs) (*incident.WhoOwnsResult, string, error) {
		s, err := d.subject(ctx, a.Service, a.Entry)
		if err != nil {
			return nil, "", err
		}
		h, err := horizon(a.Horizon)
		if err != nil {
			return nil, "", err
		}
		r, err := d.Engine.WhoOwns(ctx, s, h)
		if err != nil {
			return nil, "", err
		}
		return r, render.WhoOwns(r), nil
	})
}
