package jsm

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/opsgenie"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// Alerts returns the open alerts of the target and its related services (every open alert
// for a zero Target), newest first, in one search paged to the end (at most MaxPages). The
// search is Opsgenie's (JSM Operations kept its syntax): each service's
// opsgenie.com/component-selector annotation, else tag:"service:<name>". A page that
// repeats an earlier one (an upstream that ignores the offset) fails the call
// (connectors.ErrPagingLoop).
func (s *Source) Alerts(ctx context.Context, t model.Target) ([]model.Alert, error) {
	cloud, err := s.cloudID(ctx)
	if err != nil {
		return nil, err
	}
	q := opsgenie.Query(t)
	out := []model.Alert{}
	var guard connectors.Pages
	for page, offset := 0, 0; page < s.o.MaxPages; page++ {
		var res struct {
			Values []alert `json:"values"`
			Links  links   `json:"links"`
		}
		params := url.Values{"query": {q}, "offset": {strconv.Itoa(offset)}, "size": {strconv.Itoa(s.o.PageSize)},
			"sort": {"createdAt"}, "order": {"desc"}}
		if _, err := s.api.GetJSON(ctx, opsPath(cloud, "/alerts"), params, &res); err != nil {
			if httpx.StatusOf(err) == 400 && t.Annotation(AnnotationSelector) != "" {
				return nil, fmt.Errorf("%w: check the %s annotation", err, AnnotationSelector)
			}
			return nil, wrap(err, scopeAlerts)
		}
		ids := make([]string, len(res.Values))
		for i, a := range res.Values {
			ids[i] = a.ID
		}
		if err := guard.Next("GET /alerts", connectors.PageKey(ids...)); err != nil {
			return nil, err // the offset was ignored
		}
		for _, a := range res.Values {
			out = append(out, s.named(toAlert(a)))
		}
		if res.Links.Next == "" || len(res.Values) < s.o.PageSize {
			break
		}
		offset += len(res.Values)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.After(out[j].StartedAt) })
	return out, nil
}

// toAlert maps an alert as Opsgenie's connector does, so that the same alert from both
// (alias, service tag, priority, title) is one alert group.
func toAlert(a alert) model.Alert {
	m := model.Alert{ID: a.ID, Title: a.Message, Severity: a.Priority, DedupKey: a.Alias, StartedAt: parseTime(a.CreatedAt),
		Description: a.Description, Source: SourceName, Labels: map[string]string{"tiny_id": a.TinyID}}
	if svcs := tagValues(a.Tags, "service"); len(svcs) > 0 {
		m.Service = svcs[0]
	} else {
		m.Service = a.Entity
	}
	switch {
	case a.Status == "closed":
		m.Status = "resolved"
	case a.Snoozed:
		m.Status = "silenced"
	case a.Acknowledged:
		m.Status = "acknowledged"
		m.Acks = []model.Ack{{By: a.Owner}} // the owner took it; JSM does not say when
	default:
		m.Status = "firing"
	}
	for _, tag := range a.Tags {
		if k, v, ok := strings.Cut(tag, ":"); ok && k != "" {
			m.Labels[k] = v
		}
	}
	if a.Source != "" {
		m.Labels["source"] = a.Source
	}
	return m
}

// named names who acknowledged an alert (an account id) from the users listing Warm keeps,
// when it is at hand; it fetches nothing.
func (s *Source) named(a model.Alert) model.Alert {
	if len(a.Acks) == 0 {
		return a
	}
	if ref, ok := s.ref.Last(""); ok {
		for i, k := range a.Acks {
			if n, _ := ref.person(k.By); n != "" {
				a.Acks[i].By = n
			}
		}
	}
	return a
}
