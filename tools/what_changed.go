package tools

import (
	"context"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/render"
)

// WhatChangedArgs are the arguments of what_changed.
type WhatChangedArgs struct {
	Scope
	Service string `json:"service,omitempty" jsonschema:"Service name as you know it (catalog name, alias, CI name, PagerDuty or Dynatrace id). Or give one of incident, repo or path."`
	Entry
	Since               string `json:"since,omitempty" jsonschema:"How far back: Go duration or days, e.g. 6h, 24h, 3d. Default 24h."`
	IncludeDependencies *bool  `json:"include_dependencies,omitempty" jsonschema:"Also list changes on the services it depends on and that depend on it. Default true."`
	Limit               int    `json:"limit,omitempty" jsonschema:"Maximum changes to return (default 20, max 200)."`
}

func whatChangedTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("what_changed",
		append([]mcp.ToolOption{
			mcp.WithDescription("Changes from every source (ServiceNow change requests, PagerDuty change events, Dynatrace deployment and configuration events) on one timeline for a service and its dependency chain, ranked by suspicion with the reason: timing before the trouble started, on the root-cause entity or dependency path, kind, emergency/failed, deploys without a change record."),
			mcp.WithInputSchema[WhatChangedArgs](),
			mcp.WithOutputSchema[incident.WhatChangedResult](),
		}, readOnly("What changed")...)...)
	return typed(d, tool, func(ctx context.Context, a WhatChangedArgs) (*incident.WhatChangedResult, string, error) {
		s, err := d.subject(ctx, a.Service, a.Entry)
		if err != nil {
			return nil, "", err
		}
		since, err := duration("since", a.Since, 24*time.Hour)
		if err != nil {
			return nil, "", err
		}
		limit, err := bounded("limit", a.Limit, 20, 200)
		if err != nil {
			return nil, "", err
		}
		deps := a.IncludeDependencies == nil || *a.IncludeDependencies
		r, err := d.Engine.WhatChanged(ctx, s, since, deps, limit)
		if err != nil {
			return nil, "", err
		}
		return r, render.WhatChanged(r), nil
	})
}
