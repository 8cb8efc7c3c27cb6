package pagerduty

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// pending fills an incident's pending_actions as PagerDuty schedules them at the fake's now:
// a triggered incident escalates when its escalation policy's next rule is due (the rules'
// delays count from the incident's creation, through every loop of the policy); an
// acknowledged one re-triggers (unacknowledge) its service's acknowledgement_timeout after
// the last acknowledgement, when the service sets one.
func (h *handler) pending(in Incident) Incident {
	now := h.d.Now().UTC()
	in.PendingActions = []Action{}
	switch in.Status {
	case "triggered":
		if at, ok := h.nextEscalation(in, now); ok {
			in.PendingActions = append(in.PendingActions, Action{Type: "escalate", At: at.Format(time.RFC3339)})
		}
	case "acknowledged":
		svc, _ := h.findService(in.Service.ID)
		if svc.AcknowledgementTimeout == nil || *svc.AcknowledgementTimeout <= 0 || len(in.Acknowledgements) == 0 {
			break
		}
		last := time.Time{}
		for _, a := range in.Acknowledgements {
			if t, err := parseTime(a.At); err == nil && t.After(last) {
				last = t
			}
		}
		at := last.Add(time.Duration(*svc.AcknowledgementTimeout) * time.Second)
		in.PendingActions = append(in.PendingActions, Action{Type: "unacknowledge", At: at.UTC().Format(time.RFC3339)})
	}
	return in
}

// nextEscalation is when a triggered incident is next escalated by its policy, if ever.
func (h *handler) nextEscalation(in Incident, now time.Time) (time.Time, bool) {
	if in.EscalationPolicy == nil {
		return time.Time{}, false
	}
	i := slices.IndexFunc(h.d.Policies, func(p EscalationPolicy) bool { return p.ID == in.EscalationPolicy.ID })
	created, err := parseTime(in.CreatedAt)
	if i < 0 || err != nil {
		return time.Time{}, false
	}
	p := h.d.Policies[i]
	at := created
	for loop := 0; loop <= p.NumLoops; loop++ {
		for j, r := range p.EscalationRules {
			last := loop == p.NumLoops && j == len(p.EscalationRules)-1
			at = at.Add(time.Duration(max(r.EscalationDelayInMinutes, 1)) * time.Minute)
			if last {
				return time.Time{}, false // the last rule of the last loop escalates no further
			}
			if at.After(now) {
				return at, true
			}
		}
	}
	return time.Time{}, false
}

// maintenanceWindows lists maintenance windows: filter past, future, ongoing, open (ongoing
// and future) or all (the default), service_ids[] and team_ids[], query on the description.
func (h *handler) maintenanceWindows(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	filter := q.Get("filter")
	if filter != "" && !slices.Contains([]string{"past", "future", "ongoing", "open", "all"}, filter) {
		badRequest(w, "filter must be past, future, ongoing, open or all")
		return
	}
	now := h.d.Now().UTC()
	services, teams, text := list(r, "service_ids"), list(r, "team_ids"), strings.ToLower(q.Get("query"))
	out := []MaintenanceWindow{}
	for _, m := range h.d.MaintenanceWindows {
		start, _ := parseTime(m.StartTime)
		end, _ := parseTime(m.EndTime)
		state := "ongoing"
		switch {
		case !end.After(now):
			state = "past"
		case start.After(now):
			state = "future"
		}
		keep := filter == "" || filter == "all" || filter == state || filter == "open" && state != "past"
		if keep && anyIn(services, refIDs(m.Services)...) && anyIn(teams, refIDs(m.Teams)...) &&
			strings.Contains(strings.ToLower(m.Description), text) {
			out = append(out, m)
		}
	}
	sortBy(out, func(m MaintenanceWindow) string { return ts(m.StartTime) }, false)
	paginate(w, r, "maintenance_windows", out)
}
