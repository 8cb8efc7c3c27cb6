package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// openList is a listing of open incidents; incomplete says why it may not hold them all.
type openList struct {
	incs       []incident
	incomplete error
}

// openListJSON is an openList in the shared cache.
type openListJSON struct {
	Incidents  []incident             `json:"incidents"`
	Incomplete *connectors.Incomplete `json:"incomplete,omitempty"`
}

// MarshalJSON encodes the listing with why it may be incomplete.
func (l openList) MarshalJSON() ([]byte, error) {
	j := openListJSON{Incidents: l.incs}
	if l.incomplete != nil && !errors.As(l.incomplete, &j.Incomplete) {
		j.Incomplete = &connectors.Incomplete{What: "incidents", Why: l.incomplete.Error()}
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (l *openList) UnmarshalJSON(b []byte) error {
	var j openListJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = openList{incs: j.Incidents}
	if j.Incomplete != nil {
		l.incomplete = j.Incomplete
	}
	return nil
}

// openIncidents lists triggered and acknowledged incidents of the services (all services
// when ids is empty), newest first. Concurrent callers — and replicas sharing a cache —
// share one listing. A listing cut at MaxPages returns its incidents with a
// *connectors.Incomplete. A complete listing is remembered (known), wherever it was read.
func (s *Source) openIncidents(ctx context.Context, ids []string) ([]incident, error) {
	l, err := s.open.Get(ctx, strings.Join(ids, ","), func(ctx context.Context) (openList, error) {
		q := url.Values{"statuses[]": {"triggered", "acknowledged"}, "date_range": {"all"}, "sort_by": {"created_at:desc"}}
		if len(ids) > 0 {
			q["service_ids[]"] = ids
		}
		incs, err := listAll[incident](ctx, s, "/incidents", q, "incidents")
		sort.SliceStable(incs, func(i, j int) bool { return parseTime(incs[i].CreatedAt).After(parseTime(incs[j].CreatedAt)) })
		if connectors.IsIncomplete(err) {
			return openList{incs, err}, nil
		}
		return openList{incs: incs}, err
	})
	if err != nil {
		return nil, err
	}
	if l.incomplete == nil {
		s.known.remember(ids, l.incs)
	}
	return l.incs, l.incomplete
}

// targetIncidents returns the open incidents of the target and its related services.
// ok is false when the target has no PagerDuty identity.
func (s *Source) targetIncidents(ctx context.Context, t model.Target) ([]incident, bool, error) {
	ids := withRelated(s.Name(), t)
	if t.Name != "" && len(ids) == 0 {
		return nil, false, nil
	}
	incs, err := s.openIncidents(ctx, ids)
	return incs, true, err
}

// Incidents returns the open incidents of the target and its related services
// (every open incident for a zero Target).
func (s *Source) Incidents(ctx context.Context, t model.Target) ([]model.Incident, error) {
	incs, _, err := s.targetIncidents(ctx, t)
	if err != nil && !connectors.IsIncomplete(err) {
		return nil, err
	}
	out := []model.Incident{}
	for _, in := range incs {
		out = append(out, toIncident(in))
	}
	return out, err
}

func toIncident(in incident) model.Incident {
	m := model.Incident{ID: in.ID, Number: strconv.Itoa(in.IncidentNumber), Title: in.Title, Service: in.Service.label(),
		Urgency: in.Urgency, Status: in.Status, StartedAt: parseTime(in.CreatedAt), Source: SourceName, URL: in.HTMLURL}
	if in.Priority != nil {
		m.Priority = in.Priority.label()
	}
	if len(in.Teams) > 0 {
		m.Team = in.Teams[0].label()
	}
	for _, a := range in.Assignments {
		if n := a.Assignee.label(); n != "" && !slices.Contains(m.Assignees, n) {
			m.Assignees = append(m.Assignees, n)
		}
	}
	for _, a := range in.Acknowledgements {
		m.Acks = append(m.Acks, model.Ack{By: a.Acknowledger.label(), At: parseTime(a.At)})
	}
	sort.SliceStable(m.Acks, func(i, j int) bool { return m.Acks[i].At.Before(m.Acks[j].At) })
	for _, a := range in.PendingActions {
		if at := parseTime(a.At); !at.IsZero() && a.Type != "urgency_change" {
			m.Scheduled = append(m.Scheduled, model.Action{Kind: model.ActionKind(a.Type), At: at})
		}
	}
	sort.SliceStable(m.Scheduled, func(i, j int) bool { return m.Scheduled[i].At.Before(m.Scheduled[j].At) })
	return m
}

// Alerts returns the triggered alerts of the open incidents of the target and its related
// services (of every open incident for a zero Target), reading at most MaxAlertIncidents
// incidents' alerts (the target's own newest incidents first; one request each, four at
// a time). The alerts of the incidents last seen open are read while the incidents are
// listed again (see perIncident).
func (s *Source) Alerts(ctx context.Context, t model.Target) ([]model.Alert, error) {
	ids, own := withRelated(s.Name(), t), serviceIDs(s.Name(), t)
	if t.Name != "" && len(ids) == 0 {
		return []model.Alert{}, nil
	}
	pick := func(incs []incident) []incident { return capTarget(incs, own, s.o.MaxAlertIncidents) }
	var (
		listed, capped error // why the incidents whose alerts are read may not be all
		mu             sync.Mutex
		cut            error // why an incident's alerts may not be all
	)
	incs, per, err := perIncident(ctx, s.alertsOf, pick(s.known.of(ids)),
		func(ctx context.Context) ([]incident, error) {
			incs, _, err := s.targetIncidents(ctx, t)
			if connectors.IsIncomplete(err) {
				listed, err = err, nil
			}
			picked := pick(incs)
			capped = connectors.Partial(len(picked) == len(incs), "alerts",
				fmt.Sprintf("read for %d of %d open incidents (MaxAlertIncidents)", len(picked), len(incs)))
			return picked, err
		},
		func(ctx context.Context, in incident) ([]alert, error) {
			as, err := listAll[alert](ctx, s, "/incidents/"+url.PathEscape(in.ID)+"/alerts",
				url.Values{"statuses[]": {"triggered"}}, "alerts")
			if connectors.IsIncomplete(err) {
				mu.Lock()
				cut = err
				mu.Unlock()
				err = nil
			}
			return as, err
		})
	if err != nil && !connectors.IsIncomplete(err) {
		return nil, err
	}
	err = connectors.JoinIncomplete(listed, capped, cut)
	out := []model.Alert{}
	for i, in := range incs {
		for _, a := range per[i] {
			out = append(out, toAlert(a, in))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out, err
}

func toAlert(a alert, in incident) model.Alert {
	m := model.Alert{ID: a.ID, Title: a.Summary, Service: a.Service.label(), Severity: a.Severity, DedupKey: a.AlertKey,
		StartedAt: parseTime(a.CreatedAt), Source: SourceName, URL: a.HTMLURL,
		Labels: map[string]string{"incident": "#" + strconv.Itoa(in.IncidentNumber)}}
	if m.Service == "" {
		m.Service = in.Service.label()
	}
	switch {
	case a.Status == "resolved":
		m.Status = "resolved"
	case in.Status == "acknowledged":
		m.Status = "acknowledged"
	default:
		m.Status = "firing"
	}
	m.Description = detailsText(a.Body.Details)
	for _, c := range a.Body.Contexts {
		if c.Type == "link" && strings.Contains(strings.ToLower(c.Text+" "+c.Href), "runbook") {
			m.RunbookURL = c.Href
			break
		}
	}
	return m
}

// incidentRef matches what PagerDuty accepts as an incident reference: a number or an id.
var incidentRef = regexp.MustCompile(`^(?:[0-9]+|[A-Z0-9]{2,32})$`)

// FindIncident looks an incident up by id or number ("4711" or "#4711"): one request.
// References that cannot be PagerDuty's, and unknown ones, are connectors.ErrNotFound.
func (s *Source) FindIncident(ctx context.Context, ref string) (connectors.IncidentRef, error) {
	r := strings.TrimPrefix(strings.TrimSpace(ref), "#")
	if !incidentRef.MatchString(r) {
		return connectors.IncidentRef{}, connectors.ErrNotFound
	}
	var out struct {
		Incident incident `json:"incident"`
	}
	_, err := s.c.GetJSON(ctx, "/incidents/"+url.PathEscape(r), nil, &out)
	switch st := httpx.StatusOf(err); {
	case st == http.StatusNotFound || st == http.StatusBadRequest:
		return connectors.IncidentRef{}, connectors.ErrNotFound
	case err != nil:
		return connectors.IncidentRef{}, wrap(err)
	case out.Incident.ID == "":
		return connectors.IncidentRef{}, errors.New("pagerduty: incident lookup returned no incident")
	}
	in := out.Incident
	ir := connectors.IncidentRef{ID: in.ID, Title: in.Title, Kind: connectors.KindIncident, StartedAt: parseTime(in.CreatedAt),
		Key: in.IncidentKey, Source: SourceName, URL: in.HTMLURL, Roles: map[string]string{}}
	for _, v := range []string{in.Service.ID, in.Service.Summary} {
		if v != "" && !slices.Contains(ir.Services, v) {
			ir.Services = append(ir.Services, v)
			ir.Roles[v] = "service"
		}
	}
	return ir, nil
}

// detailsText renders an alert's body.details: an object (the spec's type; Events API v2 puts
// the event's custom_details there) as its description-like field when it has one, else as
// "key: value" pairs in key order; a string (older integrations) as is. The text is
// sanitized and capped at maxDetails.
func detailsText(v any) string {
	var out string
	switch d := v.(type) {
	case string:
		out = d
	case map[string]any:
		for _, k := range []string{"description", "details", "summary", "message"} {
			if s, ok := d[k].(string); ok && strings.TrimSpace(s) != "" {
				return sanitize.Text(s, maxDetails)
			}
		}
		keys := slices.Sorted(maps.Keys(d))
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			val := detail(d[k])
			if val == "" && d[k] != nil {
				b, _ := json.Marshal(d[k])
				val = string(b)
			}
			parts = append(parts, k+": "+val)
		}
		out = strings.Join(parts, "; ")
	}
	return sanitize.Text(out, maxDetails)
}

// maxDetails caps an alert description read from body.details.
const maxDetails = 500
