package bench

import (
	"context"
	"encoding/json"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/render"
)

// AnswerSize is the size of one incident_context answer as a client receives it: the
// markdown text content and the JSON structuredContent (both are sent).
type AnswerSize struct {
	Dataset, Service         string
	Detail                   answer.Detail
	MarkdownBytes, JSONBytes int
}

// MarkdownTokens estimates the tokens of the markdown text (see Tokens).
func (a AnswerSize) MarkdownTokens() int { return Tokens(a.MarkdownBytes) }

// JSONTokens estimates the tokens of the structuredContent (see Tokens).
func (a AnswerSize) JSONTokens() int { return Tokens(a.JSONBytes) }

// Details are the detail levels of incident_context, smallest first.
var Details = answer.Details

// AnswerSizes asks e for service at every detail level and measures the answers exactly as
// the incident_context tool renders them (render.IncidentContext and the JSON of the result).
func AnswerSizes(ctx context.Context, e *engine.Engine, dataset, service string) ([]AnswerSize, error) {
	var out []AnswerSize
	for _, d := range Details {
		ans, err := e.IncidentContext(ctx, engine.Query{Service: service, Detail: d})
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(ans)
		if err != nil {
			return nil, err
		}
		out = append(out, AnswerSize{Dataset: dataset, Service: service, Detail: d,
			MarkdownBytes: len(render.IncidentContext(ans)), JSONBytes: len(b)})
	}
	return out, nil
}

// BriefTokenBudget is the budget of a brief incident_context answer on the demo: issue 6's
// 400 tokens, plus 120 for the incident's clock (issue 22: the as-of time, the handover in
// the headline, the three soonest moments of the timeline, and the demo's silenced alert,
// listed apart), which the brief structured result keeps too, plus 20 for who can act on the
// cause when another team owns it (issue 12: its on-call, in the headline).
const BriefTokenBudget = 540
