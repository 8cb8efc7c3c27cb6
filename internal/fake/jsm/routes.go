package jsm

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/opsctx/opsctx/internal/fake/alertquery"
	"github.com/opsctx/opsctx/internal/fake/schedule"
)

// alerts lists the alerts matching the query, newest first unless order=asc, DefaultAlertSize
// a page. Like the real API it refuses to page beyond 20,000 alerts.
func (h *handler) alerts(w http.ResponseWriter, r *http.Request) {
	offset, size, ok := h.page(w, r, DefaultAlertSize)
	if !ok {
		return
	}
	if offset+size > 20000 {
		h.fail(w, http.StatusBadRequest, "Bad Request", "Sum of offset and size should be lower than 20000")
		return
	}
	q, err := alertquery.Parse(r.URL.Query().Get("query"))
	if err != nil {
		h.fail(w, http.StatusBadRequest, "Bad Request", "Invalid query: "+err.Error())
		return
	}
	var as []Alert
	for _, a := range h.d.Alerts {
		if q.Match(h.fields(a)) {
			as = append(as, a)
		}
	}
	key := func(a Alert) string {
		switch r.URL.Query().Get("sort") {
		case "updatedAt":
			return a.UpdatedAt
		case "tinyId":
			return fmt.Sprintf("%012s", a.TinyID)
		}
		return a.CreatedAt
	}
	asc := r.URL.Query().Get("order") == "asc"
	sort.SliceStable(as, func(i, j int) bool { return (key(as[i]) < key(as[j])) == asc })
	writeJSON(w, http.StatusOK, map[string]any{"values": window(as, offset, size), "links": links(r, len(as), offset, size), "count": len(as)})
}

// fields gives an alert's searchable fields; teams are its responder teams' names and ids.
func (h *handler) fields(a Alert) alertquery.Fields {
	return func(name string) []string {
		switch name {
		case "status":
			return []string{a.Status}
		case "tags":
			return a.Tags
		case "entity":
			return []string{a.Entity}
		case "alias":
			return []string{a.Alias}
		case "tinyid":
			return []string{a.TinyID}
		case "priority":
			return []string{a.Priority}
		case "message":
			return []string{a.Message}
		case "source":
			return []string{a.Source}
		case "owner":
			return []string{a.Owner}
		case "acknowledged":
			return []string{fmt.Sprint(a.Acknowledged)}
		case "isseen":
			return []string{fmt.Sprint(a.IsSeen)}
		case "snoozed":
			return []string{fmt.Sprint(a.Snoozed)}
		case "alertid":
			return []string{a.ID}
		case "count":
			return []string{strconv.Itoa(a.Count)}
		case "createdat":
			return alertquery.Millis(a.CreatedAt)
		case "lastoccurredat":
			return alertquery.Millis(a.LastOccurredAt)
		case "snoozeduntil":
			return alertquery.Millis(a.SnoozedUntil)
		case "details.key":
			return slices.Collect(maps.Keys(a.ExtraProperties))
		case "details.value":
			return slices.Collect(maps.Values(a.ExtraProperties))
		case "teams":
			var out []string
			for _, rs := range a.Responders {
				for _, t := range h.d.Teams {
					if rs.Type == "team" && rs.ID == t.TeamID {
						out = append(out, t.TeamName, t.TeamID)
					}
				}
			}
			return out
		}
		return nil
	}
}

func (h *handler) alert(w http.ResponseWriter, r *http.Request) {
	for _, a := range h.d.Alerts {
		if a.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, a)
			return
		}
	}
	h.fail(w, http.StatusNotFound, "Not Found", "Alert with id ["+r.PathValue("id")+"] does not exist")
}

func (h *handler) alertByAlias(w http.ResponseWriter, r *http.Request) {
	alias := r.URL.Query().Get("alias")
	for _, a := range h.d.Alerts {
		if alias != "" && a.Alias == alias && a.Status == "open" {
			writeJSON(w, http.StatusOK, a)
			return
		}
	}
	h.fail(w, http.StatusNotFound, "Not Found", "Alert with alias ["+alias+"] does not exist")
}

func (h *handler) teams(w http.ResponseWriter, r *http.Request) {
	offset, size, ok := h.page(w, r, DefaultSize)
	if ok {
		writeJSON(w, http.StatusOK, map[string]any{"platformTeams": window(h.d.Teams, offset, size), "links": links(r, len(h.d.Teams), offset, size)})
	}
}

func (h *handler) escalations(w http.ResponseWriter, r *http.Request) {
	offset, size, ok := h.page(w, r, DefaultSize)
	if !ok {
		return
	}
	es, found := h.d.Escalations[r.PathValue("teamId")]
	if !found && !h.hasTeam(r.PathValue("teamId")) {
		h.fail(w, http.StatusNotFound, "Not Found", "Team with id ["+r.PathValue("teamId")+"] does not exist")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": window(es, offset, size), "links": links(r, len(es), offset, size)})
}

func (h *handler) hasTeam(id string) bool {
	for _, t := range h.d.Teams {
		if t.TeamID == id {
			return true
		}
	}
	return false
}

func (h *handler) schedules(w http.ResponseWriter, r *http.Request) {
	offset, size, ok := h.page(w, r, DefaultSize)
	if ok {
		writeJSON(w, http.StatusOK, map[string]any{"values": window(h.d.Schedules, offset, size),
			"links": links(r, len(h.d.Schedules), offset, size), "_expands": []string{"rotation"}})
	}
}

func (h *handler) schedule(w http.ResponseWriter, r *http.Request) (Schedule, bool) {
	for _, s := range h.d.Schedules {
		if s.ID == r.PathValue("scheduleId") {
			return s, true
		}
	}
	h.fail(w, http.StatusNotFound, "Not Found", "No schedule exists with id ["+r.PathValue("scheduleId")+"]")
	return Schedule{}, false
}

// onCalls answers the participants tree, or with flat=true the user ids (OnCallUsers).
func (h *handler) onCalls(w http.ResponseWriter, r *http.Request) {
	s, ok := h.schedule(w, r)
	if !ok {
		return
	}
	ps := h.d.OnCall[s.ID]
	if r.URL.Query().Get("flat") == "true" {
		writeJSON(w, http.StatusOK, map[string]any{"onCallUsers": userIDs(ps)})
		return
	}
	if ps == nil {
		ps = []Participant{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"onCallParticipants": ps})
}

func userIDs(ps []Participant) []string {
	out := []string{}
	for _, p := range ps {
		if p.Type == "user" {
			out = append(out, p.ID)
		}
		out = append(out, userIDs(p.OnCallParticipants)...)
	}
	return out
}

// timeline answers the schedule's final timeline within interval intervalUnits (days, weeks
// or months; default 1 week) from the start of the unit that holds date (default now): each
// rotation's periods with its override periods cut in, each clipped to that window, as the
// real API does.
func (h *handler) timeline(w http.ResponseWriter, r *http.Request) {
	s, ok := h.schedule(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	at := h.d.Now().UTC()
	if v := q.Get("date"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			h.fail(w, http.StatusBadRequest, "Bad Request", "date must be an ISO 8601 date-time")
			return
		}
		at = t.UTC()
	}
	n := 1
	if v := q.Get("interval"); v != "" {
		if x, err := strconv.Atoi(v); err == nil && x > 0 {
			n = x
		} else {
			h.fail(w, http.StatusBadRequest, "Bad Request", "interval must be a positive number")
			return
		}
	}
	from, to, err := schedule.Window(at, n, q.Get("intervalUnit"))
	if err != nil {
		h.fail(w, http.StatusBadRequest, "Bad Request", err.Error())
		return
	}
	rots := []Rotation{}
	for _, rot := range h.d.Rotations[s.ID] {
		var shifts []schedule.Shift
		for i, p := range rot.Periods {
			start, err1 := time.Parse(time.RFC3339, p.StartDate)
			end, err2 := time.Parse(time.RFC3339, p.EndDate)
			if err1 == nil && err2 == nil {
				shifts = append(shifts, schedule.Shift{Rotation: rot.ID, Start: start, End: end, Who: strconv.Itoa(i), Override: p.Type == "override"})
			}
		}
		out := rot
		out.Periods = []Period{}
		for _, sh := range schedule.Clip(schedule.Final(shifts), from, to) {
			i, _ := strconv.Atoi(sh.Who)
			p := rot.Periods[i]
			p.StartDate, p.EndDate = rfc3339(sh.Start), rfc3339(sh.End)
			out.Periods = append(out.Periods, p)
		}
		rots = append(rots, out)
	}
	writeJSON(w, http.StatusOK, map[string]any{"startDate": rfc3339(from), "endDate": rfc3339(to),
		"finalTimeline": map[string]any{"rotations": rots}})
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (h *handler) gatewayUsers(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("cloudId") != h.d.CloudID {
		h.jiraFail(w, http.StatusNotFound, "Site not found")
		return
	}
	h.users(w, r)
}

// users lists the site's users a page at a time (startAt, maxResults: default 50, at most
// 1000) as a bare array, in the order of Data.Users.
func (h *handler) users(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, limit := 0, DefaultUserLimit
	if v := q.Get("startAt"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			h.jiraFail(w, http.StatusBadRequest, "startAt must be a non-negative number")
			return
		}
		start = n
	}
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			h.jiraFail(w, http.StatusBadRequest, "maxResults must be a non-negative number")
			return
		}
		limit = min(n, MaxUserLimit)
	}
	for _, d := range h.d.Denied {
		if d == ScopeUsers {
			h.jiraFail(w, http.StatusForbidden, "You do not have the permission to browse users and groups.")
			return
		}
	}
	writeJSON(w, http.StatusOK, window(h.d.Users, start, limit))
}
