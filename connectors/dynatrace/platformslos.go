package dynatrace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

// The platform SLO service (Dynatrace's Service-Level Objectives app, on the platform URL with
// Bearer credentials and scope slo:slos:read): GET /platform/slo/v1/slos lists the SLOs
// (page-size on the first request, page-key alone on the next ones), and an SLO is evaluated
// by POST /platform/slo/v1/slos/evaluation:start {"id": …}, which answers with the results or,
// while the evaluation runs, with an evaluation token for GET …/evaluation:poll.
const (
	sloServicePath  = "platform/slo/v1/slos"
	sloServiceScope = "slo:slos:read"
	// sloServicePageSize is the page-size of the listing (the service allows at most 100).
	sloServicePageSize = 100
	// evalPollTimeout is how long one poll may wait for an evaluation (request-timeout-milliseconds).
	evalPollTimeout = 5 * time.Second
	// maxEvalPolls bounds the polls of one evaluation.
	maxEvalPolls = 6
	// evalParallel is how many evaluations run at once.
	evalParallel = 4
	// maxPlatformEvaluations bounds the SLOs one call evaluates; beyond it the answer says
	// the SLO list may be incomplete.
	maxPlatformEvaluations = 100
)

// platformSLO is the service's SLO, limited to the fields opsctx reads.
type platformSLO struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
	Criteria    []struct {
		TimeframeFrom string   `json:"timeframeFrom"`
		TimeframeTo   string   `json:"timeframeTo"`
		Target        float64  `json:"target"`
		Warning       *float64 `json:"warning"`
	} `json:"criteria"`
	CustomSLI *struct {
		Indicator string `json:"indicator"`
	} `json:"customSli"`
	SLIReference *struct {
		TemplateID string `json:"templateId"`
		Variables  []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"variables"`
	} `json:"sliReference"`
}

// evaluation is the service's evaluation answer.
type evaluation struct {
	EvaluationToken   string `json:"evaluationToken"`
	EvaluationResults []struct {
		Criteria    string   `json:"criteria"`
		Status      string   `json:"status"`
		Value       *float64 `json:"value"`
		ErrorBudget *float64 `json:"errorBudget"`
		Message     string   `json:"message"`
	} `json:"evaluationResults"`
}

// listPlatformSLOs reads the service's SLO listing to its end (at most MaxPages pages; then
// the SLOs read come with a *connectors.Incomplete).
func (s *Source) listPlatformSLOs(ctx context.Context) ([]platformSLO, error) {
	var out []platformSLO
	size := sloServicePageSize
	if s.o.PageSize > 0 {
		size = min(s.o.PageSize, sloServicePageSize)
	}
	q := url.Values{"page-size": {fmt.Sprint(size)}}
	for pages := 1; ; pages++ {
		var p struct {
			SLOs        []platformSLO `json:"slos"`
			TotalCount  int           `json:"totalCount"`
			NextPageKey string        `json:"nextPageKey"`
		}
		if _, err := s.o.Client.GetJSON(ctx, sloServicePath, q, &p); err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, p.SLOs...)
		if p.NextPageKey == "" {
			return out, nil
		}
		if pages >= s.o.MaxPages {
			return out, &connectors.Incomplete{What: "GET /" + sloServicePath,
				Why: fmt.Sprintf("%d of %d SLOs in %d pages read, more remain (MaxPages)", len(out), p.TotalCount, pages)}
		}
		q = url.Values{"page-key": {p.NextPageKey}}
	}
}

// entityIDRef matches Dynatrace entity ids in an SLI's DQL or template variables.
var entityIDRef = regexp.MustCompile(`\b[A-Z][A-Z_]*-[0-9A-F]{16}\b`)

// matchPlatform reports whether a platform SLO is about the target: its indicator (DQL) or
// one of its template variables names one of ids, or one of its tags is service:<name> for
// one of names (case-insensitive). It returns the id or name found.
func matchPlatform(x platformSLO, ids, names []string) (string, bool) {
	var texts []string
	if x.CustomSLI != nil {
		texts = append(texts, x.CustomSLI.Indicator)
	}
	if x.SLIReference != nil {
		for _, v := range x.SLIReference.Variables {
			texts = append(texts, v.Value)
		}
	}
	for _, t := range texts {
		for _, id := range entityIDRef.FindAllString(t, -1) {
			if slices.Contains(ids, id) {
				return id, true
			}
		}
	}
	for _, tag := range x.Tags {
		if v, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(tag)), "service:"); ok && slices.Contains(names, v) {
			return v, true
		}
	}
	return "", false
}

// platformService is the service a platform SLO names, for listings without a target: the
// first entity id of its SLI, else its service: tag, else "".
func platformService(x platformSLO) string {
	if x.CustomSLI != nil {
		if id := entityIDRef.FindString(x.CustomSLI.Indicator); id != "" {
			return id
		}
	}
	if x.SLIReference != nil {
		for _, v := range x.SLIReference.Variables {
			if id := entityIDRef.FindString(v.Value); id != "" {
				return id
			}
		}
	}
	for _, tag := range x.Tags {
		if v, ok := strings.CutPrefix(strings.TrimSpace(tag), "service:"); ok {
			return v
		}
	}
	return ""
}

// evaluatePlatform evaluates SLOs (each with the service it is tied to) on the SLO service,
// evalParallel at a time, at most maxPlatformEvaluations (the rest is said incomplete). An
// SLO whose evaluation fails keeps its definition and carries the error.
func (s *Source) evaluatePlatform(ctx context.Context, xs []platformSLO, service []string) ([]model.SLO, error) {
	var cut error
	if len(xs) > maxPlatformEvaluations {
		cut = &connectors.Incomplete{What: "platform SLO evaluations",
			Why: fmt.Sprintf("%d of %d SLOs evaluated (at most %d per answer)", maxPlatformEvaluations, len(xs), maxPlatformEvaluations)}
		xs, service = xs[:maxPlatformEvaluations], service[:maxPlatformEvaluations]
	}
	out := make([]model.SLO, len(xs))
	sem := make(chan struct{}, evalParallel)
	var wg sync.WaitGroup
	for i, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				out[i] = s.platformSLOModel(x, service[i], nil, ctx.Err())
				return
			}
			ev, err := s.evaluate(ctx, x.ID)
			out[i] = s.platformSLOModel(x, service[i], ev, err)
		}()
	}
	wg.Wait()
	return out, cut
}

// evaluate starts an evaluation and polls it until it has results (at most maxEvalPolls).
func (s *Source) evaluate(ctx context.Context, id string) (*evaluation, error) {
	body, _ := json.Marshal(map[string]string{"id": id})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sloServicePath+"/evaluation:start", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := s.o.Client.Do(req)
	if err != nil {
		return nil, s.wrap(err)
	}
	var ev evaluation
	for polls := 0; ; polls++ {
		if err := json.Unmarshal(res.Body, &ev); err != nil {
			return nil, fmt.Errorf("dynatrace: malformed SLO evaluation: %w", err)
		}
		if len(ev.EvaluationResults) > 0 || ev.EvaluationToken == "" {
			return &ev, nil
		}
		if polls >= maxEvalPolls {
			return nil, fmt.Errorf("dynatrace: the SLO evaluation did not finish after %d polls", polls)
		}
		res, err = s.o.Client.Get(ctx, sloServicePath+"/evaluation:poll", url.Values{"evaluation-token": {ev.EvaluationToken},
			"request-timeout-milliseconds": {fmt.Sprint(evalPollTimeout.Milliseconds())}})
		if err != nil {
			return nil, s.wrap(err)
		}
		ev = evaluation{}
	}
}

// platformSLOModel maps a platform SLO and its evaluation: the first criterion gives the
// objective, warning and window (timeframeFrom, e.g. now-7d); the first result the
// attainment (value) and the error budget, which, as on the classic API, is in percentage
// points (attainment - target) and is normalised here to the fraction of the budget left.
func (s *Source) platformSLOModel(x platformSLO, service string, ev *evaluation, err error) model.SLO {
	m := model.SLO{Name: x.Name, Service: service, SLI: x.Description, Source: SourceName, AsOf: s.now(), Window: DefaultSLOWindow}
	if m.SLI == "" && x.CustomSLI != nil {
		m.SLI = x.CustomSLI.Indicator
	}
	if len(x.Criteria) > 0 {
		c := x.Criteria[0]
		m.Objective, m.Window = c.Target, sloWindow(c.TimeframeFrom)
		if c.Warning != nil {
			m.Warning = *c.Warning
		}
	}
	switch {
	case err != nil:
		m.Error = "dynatrace could not evaluate the SLO: " + err.Error()
		return m
	case ev == nil || len(ev.EvaluationResults) == 0:
		m.Error = "dynatrace returned no evaluation for the SLO"
		return m
	}
	r := ev.EvaluationResults[0]
	if r.Value == nil || math.IsNaN(*r.Value) {
		m.Error = "dynatrace could not evaluate the SLO"
		if r.Message != "" {
			m.Error += ": " + r.Message
		}
		return m
	}
	att := *r.Value
	m.Attainment = &att
	if b := r.ErrorBudget; b != nil && m.Objective > 0 && m.Objective < 100 && !math.IsNaN(*b) && !math.IsInf(*b, 0) {
		left := *b / (100 - m.Objective)
		m.BudgetRemaining = &left
	}
	return m
}
