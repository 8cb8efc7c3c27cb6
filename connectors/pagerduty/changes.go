package pagerduty

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

// Changes returns the change events in [t.Since, t.Until] on the target and its related
// services (every change event for a zero Target) from the account-level list, one listing
// for all services; when that list is longer than MaxPages, from each service's list
// instead (at most DefaultMaxServiceChanges services). It adds the change events PagerDuty
// relates to the target's open incidents (one request per incident, at most
// DefaultMaxRelated); those it correlated "intelligently" carry that as a risk.
func (s *Source) Changes(ctx context.Context, t model.Target) ([]model.Change, error) {
	ids := withRelated(s.Name(), t)
	if t.Name != "" && len(ids) == 0 {
		return nil, nil
	}
	now := s.o.Now().UTC()
	since, until := t.Since, t.Until
	if until.IsZero() {
		until = now
	}
	if since.IsZero() {
		since = until.Add(-24 * time.Hour)
	}
	q := url.Values{"since": {since.UTC().Format(time.RFC3339)}, "until": {until.UTC().Format(time.RFC3339)}}
	var (
		related    []model.Change
		relatedErr error
		wg         conc.WaitGroup
	)
	wg.Go(func() { related, relatedErr = s.relatedChanges(ctx, t, since, until) })
	evs, err := listAll[changeEvent](ctx, s, "/change_events", q, "change_events")
	wg.Wait()
	cut := err // why the change events read may not be all
	switch {
	case err != nil && !connectors.IsIncomplete(err):
		return nil, err
	case err != nil && len(ids) > 0:
		// A busy account: ask each service instead, so none of theirs is cut off.
		evs, cut = nil, connectors.Partial(len(ids) <= DefaultMaxServiceChanges, "change events",
			fmt.Sprintf("the account's listing is longer than MaxPages; %d of %d services asked one by one", DefaultMaxServiceChanges, len(ids)))
		for _, id := range ids[:min(len(ids), DefaultMaxServiceChanges)] {
			more, err := listAll[changeEvent](ctx, s, "/services/"+url.PathEscape(id)+"/change_events", q, "change_events")
			if err != nil && !connectors.IsIncomplete(err) {
				return nil, err
			}
			cut = connectors.JoinIncomplete(cut, err)
			evs = append(evs, more...)
		}
	}
	out := []model.Change{}
	seen := map[string]bool{}
	for _, ev := range evs {
		if svc, ok := onServices(ev, ids); ok && !seen[ev.ID] {
			seen[ev.ID] = true
			out = append(out, toChange(ev, svc))
		}
	}
	if relatedErr != nil && !connectors.IsIncomplete(relatedErr) {
		return nil, relatedErr
	}
	for _, c := range related {
		if i := slices.IndexFunc(out, func(x model.Change) bool { return x.ID == c.ID }); i >= 0 {
			out[i].Risk = append(out[i].Risk, c.Risk...)
		} else {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, connectors.JoinIncomplete(cut, relatedErr)
}

// relatedChanges reads the related change events of the target's own open incidents (at
// most DefaultMaxRelated; those last seen open are read while the incidents are listed).
func (s *Source) relatedChanges(ctx context.Context, t model.Target, since, until time.Time) ([]model.Change, error) {
	own := serviceIDs(s.Name(), t)
	if len(own) == 0 {
		return nil, nil
	}
	pick := func(incs []incident) []incident { return ownOnly(incs, own, DefaultMaxRelated) }
	incs, per, err := perIncident(ctx, s.relatedOf, pick(s.known.of(own)),
		func(ctx context.Context) ([]incident, error) {
			incs, _, err := s.targetIncidents(ctx, t)
			if connectors.IsIncomplete(err) {
				err = nil // the incidents said so; their related changes only add risks
			}
			return pick(incs), err
		},
		func(ctx context.Context, in incident) ([]changeEvent, error) {
			var res struct {
				ChangeEvents []changeEvent `json:"change_events"`
			}
			_, err := s.c.GetJSON(ctx, "/incidents/"+url.PathEscape(in.ID)+"/related_change_events", url.Values{"limit": {strconv.Itoa(relatedLimit)}}, &res)
			return res.ChangeEvents, wrap(err)
		})
	if err != nil {
		return nil, err
	}
	var full []string // incidents whose related change events filled the one page the API offers
	for i, in := range incs {
		if len(per[i]) >= relatedLimit {
			full = append(full, "#"+strconv.Itoa(in.IncidentNumber))
		}
	}
	var out []model.Change
	for i, in := range incs {
		for _, ev := range per[i] {
			at := parseTime(ev.Timestamp)
			if at.Before(since) || at.After(until) {
				continue
			}
			svc, _ := onServices(ev, nil)
			c := toChange(ev, svc)
			if ev.CorrelationReason != nil && ev.CorrelationReason.Reason == "intelligent" {
				c.Risk = append(c.Risk, fmt.Sprintf("PagerDuty correlates it with incident #%d", in.IncidentNumber))
			}
			out = append(out, c)
		}
	}
	return out, connectors.Partial(len(full) == 0, "related change events of incident "+strings.Join(full, ", "),
		fmt.Sprintf("the API returns at most %d and offers no further page", relatedLimit))
}

// relatedLimit is the page size of an incident's related change events: the listing takes
// only limit, no offset.
const relatedLimit = 100

// onServices returns the event's first service among ids (its first service when ids is empty).
func onServices(ev changeEvent, ids []string) (string, bool) {
	for _, s := range ev.Services {
		if len(ids) == 0 || slices.Contains(ids, s.ID) {
			return s.label(), true
		}
	}
	return "", len(ids) == 0
}

// kinds maps custom_details change types to model kinds.
var kinds = map[string]string{
	"deploy": "deploy", "deployment": "deploy", "release": "deploy", "build": "deploy", "rollback": "deploy",
	"config": "config", "configuration": "config", "feature_flag": "config", "feature-flag": "config", "flag": "config",
	"infra": "infra", "infrastructure": "infra", "change_request": "change_request",
}

func toChange(ev changeEvent, svc string) model.Change {
	c := model.Change{ID: ev.ID, Title: ev.Summary, Kind: "deploy", At: parseTime(ev.Timestamp), Service: svc, Source: SourceName}
	for _, k := range []string{"change_type", "kind", "type", "category"} {
		if v, ok := ev.CustomDetails[k].(string); ok {
			if kind := kinds[strings.ToLower(strings.TrimSpace(v))]; kind != "" {
				c.Kind = kind
				break
			}
		}
	}
	for _, k := range []string{"author", "user", "triggered_by"} {
		if v := detail(ev.CustomDetails[k]); v != "" {
			c.Author = v
			break
		}
	}
	c.Version = detail(ev.CustomDetails["version"])
	if len(ev.Links) > 0 {
		c.URL = ev.Links[0].Href
	}
	return c
}

// detail renders a custom_details value that is a string or a number.
func detail(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}
