package tools

import (
	"context"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/render"
)

// IncidentContextArgs are the arguments of incident_context.
type IncidentContextArgs struct {
	Scope
	Service  string `json:"service,omitempty" jsonschema:"Service name as you know it: catalog name, title, alias, ServiceNow CI name or sys_id, PagerDuty service id or name, Dynatrace entity id or name. Give service or incident, not both."`
	Incident string `json:"incident,omitempty" jsonschema:"Incident reference instead of a service: PagerDuty incident id or number, ServiceNow INC number, Dynatrace problem id or display id (P-...), Opsgenie alert id or tiny id."`
	Since    string `json:"since,omitempty" jsonschema:"How far back to look for changes and alerts: Go duration or days, e.g. 90m, 2h, 3d. Default 2h."`
	Horizon  string `json:"horizon,omitempty" jsonschema:"How far ahead to look for handovers, escalations, silences and maintenance that end, scheduled changes and alerts about to fire: Go duration or days, e.g. 2h, 12h. Default 12h."`
	Detail   string `json:"detail,omitempty" jsonschema:"enum=brief,enum=standard,enum=full" jsonschema_description:"Answer size: brief (headline and top items), standard (default), full."`
}

func incidentContextTool(d Deps) server.ServerTool {
	tool := mcp.NewTool("incident_context",
		append([]mcp.ToolOption{
			mcp.WithDescription("The joined picture of one service or incident in one call: what is broken, the likely root cause, what changed (ranked by suspicion), who owns it, who is on call and when it escalates, what else is affected, runbooks, and how fresh each fact is. Failing sources are named in `sources`, never hidden."),
			mcp.WithInputSchema[IncidentContextArgs](),
			mcp.WithOutputSchema[answer.IncidentContext](),
		}, readOnly("Incident context")...)...)
	return typed(d, tool, func(ctx context.Context, a IncidentContextArgs) (*answer.IncidentContext, string, error) {
		q, err := contextQuery(a)
		if err != nil {
			return nil, "", err
		}
		ans, err := d.Engine.IncidentContext(ctx, q)
		if err != nil {
			return nil, "", err
		}
		return ans, render.IncidentContext(ans), nil
	})
}

// contextQuery validates incident_context arguments.
func contextQuery(a IncidentContextArgs) (engine.Query, error) {
	a.Service, a.Incident = strings.TrimSpace(a.Service), strings.TrimSpace(a.Incident)
	switch {
	case a.Service == "" && a.Incident == "":
		return engine.Query{}, badArg("give either service (e.g. \"checkout\") or incident (e.g. \"INC0012345\")")
	case a.Service != "" && a.Incident != "":
		return engine.Query{}, badArg("give service or incident, not both")
	}
	detail, err := answer.ParseDetail(a.Detail)
	if err != nil {
		return engine.Query{}, badArg("%v", err)
	}
	q := engine.Query{Service: a.Service, Incident: a.Incident, Detail: detail}
	if q.Since, err = duration("since", a.Since, 0); err != nil {
		return q, err
	}
	q.Horizon, err = horizon(a.Horizon)
	return q, err
}
