package opsgenie

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// Query builds the alert search for a target and its related services:
// `status:open AND (<selector> OR ...)`, where each service's selector is its
// opsgenie.com/component-selector annotation, else `tag:"service:<name>"` (the value quoted, as
// Opsgenie's search needs for a value holding a colon).
// A zero Target asks for every open alert (`status:open`).
func Query(t model.Target) string {
	var sels []string
	for _, tt := range append([]model.Target{t}, t.Related...) {
		sel := tt.Annotation(AnnotationSelector)
		if sel == "" && tt.Name != "" {
			sel = "tag:" + quote("service:"+tt.Name)
		}
		if sel != "" {
			sels = append(sels, sel)
		}
	}
	switch len(sels) {
	case 0:
		return "status:open"
	case 1:
		return "status:open AND (" + sels[0] + ")"
	}
	return "status:open AND ((" + strings.Join(sels, ") OR (") + "))"
}

// quote renders a search value as a phrase: "…" with \ and " escaped by a backslash. Opsgenie
// takes any value so, and needs it for one holding a colon, a space or parentheses; control
// characters (which a tag cannot hold) become spaces.
func quote(v string) string {
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, v)
	return `"` + queryEscaper.Replace(v) + `"`
}

// queryEscaper escapes \ and " inside a quoted search value.
var queryEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Alerts returns the open alerts of the target and its related services (every open alert
// for a zero Target), newest first, in one search paged to the end; beyond MaxPages, the alerts
// read with a *connectors.Incomplete. A page that repeats an earlier one (an upstream that
// ignores the offset) fails the call (connectors.ErrPagingLoop).
func (s *Source) Alerts(ctx context.Context, t model.Target) ([]model.Alert, error) {
	q := Query(t)
	out := []model.Alert{}
	var cut error
	var guard connectors.Pages
	for page, offset := 0, 0; ; page++ {
		if page == s.o.MaxPages {
			cut = &connectors.Incomplete{What: "alerts", Why: fmt.Sprintf("%d alerts in %d pages read, more remain (MaxPages)", len(out), page)}
			break
		}
		var res struct {
			Data   []alert `json:"data"`
			Paging struct {
				Next string `json:"next"`
			} `json:"paging"`
		}
		params := url.Values{"query": {q}, "offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(s.o.PageSize)},
			"sort": {"createdAt"}, "order": {"desc"}}
		if _, err := s.c.GetJSON(ctx, "/v2/alerts", params, &res); err != nil {
			if httpx.StatusOf(err) == 422 && t.Annotation(AnnotationSelector) != "" {
				return nil, fmt.Errorf("%w: check the %s annotation", err, AnnotationSelector)
			}
			return nil, wrap(err)
		}
		if err := guard.Next("GET /v2/alerts", connectors.PageKey(alertIDs(res.Data)...)); err != nil {
			return nil, err // the offset was ignored
		}
		for _, a := range res.Data {
			out = append(out, toAlert(a))
		}
		if res.Paging.Next == "" || len(res.Data) < s.o.PageSize {
			break
		}
		offset += len(res.Data)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.After(out[j].StartedAt) })
	return out, cut
}

// alertIDs are the ids of a page of alerts, which identify it (connectors.PageKey).
func alertIDs(as []alert) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return ids
}

func toAlert(a alert) model.Alert {
	m := model.Alert{ID: a.ID, Title: a.Message, Service: tagValue(a.Tags, "service"), Severity: a.Priority,
		DedupKey: a.Alias, StartedAt: parseTime(a.CreatedAt), Description: a.Description, Source: SourceName,
		Labels: map[string]string{"tiny_id": a.TinyID}}
	if m.Service == "" {
		m.Service = a.Entity
	}
	switch {
	case a.Status == "closed":
		m.Status = "resolved"
	case a.Snoozed:
		m.Status = "silenced"
	case a.Acknowledged:
		m.Status = "acknowledged"
		m.Acks = []model.Ack{acknowledgement(a)}
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

// acknowledgement says who acknowledged an alert (the report's acknowledger, else its owner,
// by username) and when (its creation plus the report's ackTime, when given).
func acknowledgement(a alert) model.Ack {
	ack := model.Ack{By: a.Owner}
	if r := a.Report; r != nil {
		ack.By = cmp.Or(r.AcknowledgedBy, a.Owner)
		if created := parseTime(a.CreatedAt); r.AckTime > 0 && !created.IsZero() {
			ack.At = created.Add(time.Duration(r.AckTime) * time.Millisecond)
		}
	}
	return ack
}
