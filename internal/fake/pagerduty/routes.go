package pagerduty

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (h *handler) abilities(w http.ResponseWriter, _ *http.Request) {
	ab := h.d.Abilities
	if ab == nil {
		ab = []string{"teams", "read_only_users", "service_dependencies", "urgencies"}
	}
	writeJSON(w, http.StatusOK, map[string]any{"abilities": ab})
}

func (h *handler) services(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(r.URL.Query().Get("query"))
	name := r.URL.Query().Get("name")
	teams := list(r, "team_ids")
	out := []Service{}
	for _, s := range h.d.Services {
		if strings.Contains(strings.ToLower(s.Name), q) && (name == "" || s.Name == name) && anyIn(teams, refIDs(s.Teams)...) {
			out = append(out, s)
		}
	}
	sortBy(out, func(s Service) string { return strings.ToLower(s.Name) }, r.URL.Query().Get("sort_by") == "name:desc")
	paginate(w, r, "services", out)
}

func (h *handler) findService(id string) (Service, bool) {
	for _, s := range h.d.Services {
		if s.ID == id {
			return s, true
		}
	}
	return Service{}, false
}

func (h *handler) service(w http.ResponseWriter, r *http.Request) {
	s, ok := h.findService(r.PathValue("id"))
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"service": s})
}

var incidentStatuses = []string{"triggered", "acknowledged", "resolved"}

func (h *handler) incidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	statuses := list(r, "statuses")
	for _, s := range statuses {
		if !slices.Contains(incidentStatuses, s) {
			badRequest(w, "statuses[] must be triggered, acknowledged or resolved")
			return
		}
	}
	since, until, ok := h.window(w, r, 30*24*time.Hour, false)
	if !ok {
		return
	}
	all := q.Get("date_range") == "all"
	services, teams, urgencies, users := list(r, "service_ids"), list(r, "team_ids"), list(r, "urgencies"), list(r, "user_ids")
	out := []Incident{}
	for _, in := range h.d.Incidents {
		created, _ := parseTime(in.CreatedAt)
		var assignees []string
		for _, a := range in.Assignments {
			assignees = append(assignees, a.Assignee.ID)
		}
		switch {
		case !anyIn(statuses, in.Status), !anyIn(services, in.Service.ID), !anyIn(teams, refIDs(in.Teams)...),
			!anyIn(urgencies, in.Urgency), !anyIn(users, assignees...),
			q.Get("incident_key") != "" && q.Get("incident_key") != in.IncidentKey,
			!all && (created.Before(since) || created.After(until)):
			continue
		}
		out = append(out, h.pending(in))
	}
	sortBy(out, func(in Incident) string { return ts(in.CreatedAt) }, strings.HasSuffix(q.Get("sort_by"), ":desc"))
	paginate(w, r, "incidents", out)
}

// ts renders a timestamp for ordering.
func ts(s string) string {
	t, err := parseTime(s)
	if err != nil {
		return s
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// findIncident accepts an incident id or an incident number.
func (h *handler) findIncident(ref string) (Incident, bool) {
	n, numErr := strconv.Atoi(ref)
	for _, in := range h.d.Incidents {
		if in.ID == ref || numErr == nil && in.IncidentNumber == n {
			return in, true
		}
	}
	return Incident{}, false
}

func (h *handler) incident(w http.ResponseWriter, r *http.Request) {
	in, ok := h.findIncident(r.PathValue("id"))
	if !ok {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": h.pending(in)})
}

func (h *handler) alerts(w http.ResponseWriter, r *http.Request) {
	in, ok := h.findIncident(r.PathValue("id"))
	if !ok {
		notFound(w)
		return
	}
	statuses := list(r, "statuses")
	for _, s := range statuses {
		if s != "triggered" && s != "resolved" {
			badRequest(w, "statuses[] must be triggered or resolved")
			return
		}
	}
	key := r.URL.Query().Get("alert_key")
	out := []Alert{}
	for _, a := range h.d.Alerts {
		if a.Incident.ID == in.ID && anyIn(statuses, a.Status) && (key == "" || a.AlertKey == key) {
			out = append(out, a)
		}
	}
	sortBy(out, func(a Alert) string { return ts(a.CreatedAt) }, strings.HasSuffix(r.URL.Query().Get("sort_by"), ":desc"))
	paginate(w, r, "alerts", out)
}

func (h *handler) relatedChangeEvents(w http.ResponseWriter, r *http.Request) {
	in, ok := h.findIncident(r.PathValue("id"))
	if !ok {
		notFound(w)
		return
	}
	type related struct {
		ChangeEvent
		CorrelationReason map[string]string `json:"correlation_reason"`
	}
	out := []related{}
	for _, rc := range h.d.Related[in.ID] {
		for _, c := range h.d.ChangeEvents {
			if c.ID == rc.ChangeEventID {
				out = append(out, related{c, map[string]string{"reason": rc.Reason}})
			}
		}
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n >= 0 && n < len(out) {
		out = out[:n]
	}
	writeJSON(w, http.StatusOK, map[string]any{"change_events": out})
}

// maxOnCallAhead is how far ahead PagerDuty lists on-call shifts.
const maxOnCallAhead = 90 * 24 * time.Hour

func (h *handler) oncalls(w http.ResponseWriter, r *http.Request) {
	now := h.d.Now().UTC()
	since, until, ok := h.window(w, r, 0, false)
	if !ok {
		return
	}
	if r.URL.Query().Get("since") == "" && r.URL.Query().Get("until") != "" {
		since = now
	}
	if until.After(now.Add(maxOnCallAhead)) {
		badRequest(w, "on-call shifts are limited to 90 days in the future")
		return
	}
	policies, schedules, users := list(r, "escalation_policy_ids"), list(r, "schedule_ids"), list(r, "user_ids")
	earliest := r.URL.Query().Get("earliest") == "true"
	withUsers := slices.Contains(list(r, "include"), "users")
	seen := map[string]bool{}
	out := []any{}
	for _, o := range h.d.OnCalls {
		start, _ := parseTime(o.Start)
		end, _ := parseTime(o.End)
		schedID := ""
		if o.Schedule != nil {
			schedID = o.Schedule.ID
		}
		switch {
		case !anyIn(policies, o.EscalationPolicy.ID), !anyIn(users, o.User.ID),
			len(schedules) > 0 && !slices.Contains(schedules, schedID),
			!start.IsZero() && start.After(until), !end.IsZero() && end.Before(since):
			continue
		}
		key := o.EscalationPolicy.ID + "|" + strconv.Itoa(o.EscalationLevel) + "|" + o.User.ID
		if earliest && seen[key] {
			continue
		}
		seen[key] = true
		if !withUsers {
			out = append(out, o)
			continue
		}
		// The spec types the embedded user as a user_reference; the full user's fields are added.
		type expanded struct {
			OnCall
			User User `json:"user"`
		}
		u := h.user(o.User)
		u.Type = "user_reference"
		out = append(out, expanded{o, u})
	}
	paginate(w, r, "oncalls", out)
}

// user returns the full user a reference names (a minimal one if unknown).
func (h *handler) user(ref Ref) User {
	for _, u := range h.d.Users {
		if u.ID == ref.ID {
			return u
		}
	}
	return User{ID: ref.ID, Type: "user", Summary: ref.Summary, Name: ref.Summary, HTMLURL: ref.HTMLURL}
}

func (h *handler) policies(w http.ResponseWriter, r *http.Request) {
	q := strings.ToLower(r.URL.Query().Get("query"))
	teams, users := list(r, "team_ids"), list(r, "user_ids")
	out := []EscalationPolicy{}
	for _, p := range h.d.Policies {
		var targets []string
		for _, rule := range p.EscalationRules {
			targets = append(targets, refIDs(rule.Targets)...)
		}
		if strings.Contains(strings.ToLower(p.Name), q) && anyIn(teams, refIDs(p.Teams)...) && anyIn(users, targets...) {
			out = append(out, p)
		}
	}
	paginate(w, r, "escalation_policies", out)
}

func (h *handler) policy(w http.ResponseWriter, r *http.Request) {
	for _, p := range h.d.Policies {
		if p.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, map[string]any{"escalation_policy": p})
			return
		}
	}
	notFound(w)
}

func (h *handler) changeEvents(w http.ResponseWriter, r *http.Request) { h.changes(w, r, "") }

func (h *handler) serviceChangeEvents(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.findService(r.PathValue("id")); !ok {
		notFound(w)
		return
	}
	h.changes(w, r, r.PathValue("id"))
}

// changes lists change events in [since, until] (UTC only), newest first, for one service or all.
func (h *handler) changes(w http.ResponseWriter, r *http.Request, service string) {
	since, until, ok := h.window(w, r, 30*24*time.Hour, true)
	if !ok {
		return
	}
	teams, integrations := list(r, "team_ids"), list(r, "integration_ids")
	out := []ChangeEvent{}
	for _, c := range h.d.ChangeEvents {
		at, _ := parseTime(c.Timestamp)
		integ := ""
		if c.Integration != nil {
			integ = c.Integration.ID
		}
		var svcTeams []string
		for _, s := range c.Services {
			if sv, ok := h.findService(s.ID); ok {
				svcTeams = append(svcTeams, refIDs(sv.Teams)...)
			}
		}
		switch {
		case at.Before(since), at.After(until), service != "" && !slices.Contains(refIDs(c.Services), service),
			!anyIn(teams, svcTeams...), len(integrations) > 0 && !slices.Contains(integrations, integ):
			continue
		}
		out = append(out, c)
	}
	sortBy(out, func(c ChangeEvent) string { return ts(c.Timestamp) }, true)
	pageOnly(w, r, "change_events", out)
}

func (h *handler) dependencies(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := h.findService(id); !ok {
		notFound(w)
		return
	}
	out := []Relationship{}
	for _, rel := range h.d.Relationships {
		if rel.SupportingService.ID == id || rel.DependentService.ID == id {
			out = append(out, rel)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"relationships": out})
}
