package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/render"
)

// IncidentContextArgs are the arguments of incident_context.
type IncidentContextArgs struct {
	Scope
	Service string `json:"service,omitempty" jsonschema:"Service name as you know it: catalog name, title, alias, ServiceNow CI name or sys_id, PagerDuty service id or name, Dynatrace entity id or name. Give service, or one of incident, repo or path."`
	Entry
	Since   string `json:"since,omitempty" jsonschema:"How far back to look for changes and alerts: Go duration or days, e.g. 90m, 2h, 3d. Default 2h."`
	Horizon string `json:"horizon,omitempty" jsonschema:"How far ahead to look for handovers, escalations, silences and maintenance that end, scheduled changes and alerts about to fire: Go duration or days, e.g. 2h, 12h. Default 12h."`
	Detail  string `json:"detail,omitempty" jsonschema:"enum=brief,enum=standard,enum=full" jsonschema_description:"Answer size: brief (headline and top items), standard (default), full."`
}

func incidentContextTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("incident_context",
		append([]mcp.ToolOption{
			mcp.WithDescription("The joined picture of one service in one call — asked by name, or by what you hold: an incident or problem number, a repository, a path in your checkout, a host or Kubernetes workload. What is broken, the likely root cause, what changed (ranked by suspicion), who owns it, who is on call and when it escalates, what else is affected, runbooks, and how fresh each fact is. Failing sources are named in `sources`, never hidden; `resolved_from` says how a service not named was found."),
			mcp.WithInputSchema[IncidentContextArgs](),
			mcp.WithOutputSchema[answer.IncidentContext](),
		}, readOnly("Incident context")...)...)
	return typed(d, tool, func(ctx context.Context, a IncidentContextArgs) (*answer.IncidentContext, string, error) {
		q, err := ContextQuery(a)
		if err != nil {
			return nil, "", err
		}
		s, err := d.subject(ctx, a.Service, a.Entry)
		if err != nil {
			return nil, "", err
		}
		q.Service, q.Incident, q.Repo, q.Host, q.Checkout = s.Service, s.Incident, s.Repo, s.Host, s.Checkout
		ans, err := d.Engine.IncidentContext(ctx, q)
		if err != nil {
			return nil, "", err
		}
		return ans, render.IncidentContext(ans), nil
	})
}

// ContextQuery checks the window and detail arguments of incident_context: the one check
// the tool, its prompts and the CLI (opsctx context) share.
func ContextQuery(a IncidentContextArgs) (engine.Query, error) {
	detail, err := answer.ParseDetail(a.Detail)
	if err != nil {
		return engine.Query{}, badArg("%v", err)
	}
	q := engine.Query{Detail: detail}
	if q.Since, err = duration("since", a.Since, 0); err != nil {
		return q, err
	}
	q.Horizon, err = horizon(a.Horizon)
	return q, err
}
