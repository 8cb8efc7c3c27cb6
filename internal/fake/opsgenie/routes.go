package opsgenie

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/fake/alertquery"
	"github.com/opsctx/opsctx/internal/fake/schedule"
)

// matches returns the open and closed alerts that match the request's query.
func (h *handler) matches(w http.ResponseWriter, r *http.Request) ([]Alert, bool) {
	q, err := alertquery.Parse(r.URL.Query().Get("query"))
	if err != nil {
		h.fail(w, http.StatusUnprocessableEntity, "Invalid query: "+err.Error())
		return nil, false
	}
	var out []Alert
	for _, a := range h.d.Alerts {
		if q.Match(h.fields(a)) {
			out = append(out, a)
		}
	}
	return out, true
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
		case "teams":
			return h.teamNames(a)
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
			return slices.Collect(maps.Keys(a.Details))
		case "details.value":
			return slices.Collect(maps.Values(a.Details))
		}
		return nil
	}
}

func (h *handler) teamNames(a Alert) []string {
	var out []string
	for _, rs := range a.Responders {
		if rs.Type != "team" {
			continue
		}
		for _, t := range h.d.Teams {
			if t.ID == rs.ID {
				out = append(out, t.Name, t.ID)
			}
		}
	}
	return out
}

func (h *handler) alerts(w http.ResponseWriter, r *http.Request) {
	limit, offset, ok := h.pageParams(w, r, DefaultLimit)
	if !ok {
		return
	}
	as, ok := h.matches(w, r)
	if !ok {
		return
	}
	sortAlerts(as, r.URL.Query().Get("sort"), r.URL.Query().Get("order") != "asc")
	page := []BaseAlert{}
	for i := offset; i < len(as) && i < offset+limit; i++ {
		page = append(page, as[i].BaseAlert)
	}
	h.ok(w, page, map[string]any{"paging": paging(w, r, len(as), offset, limit)})
}

// pageParams reads the limit (default def, 1 to MaxLimit) and offset (0 or more) of an
// offset-paged listing; on a bad value it answers 422 and returns false.
func (h *handler) pageParams(w http.ResponseWriter, r *http.Request, def int) (limit, offset int, ok bool) {
	q := r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			h.fail(w, http.StatusUnprocessableEntity, "Limit should be between 1 and 100")
			return 0, 0, false
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			h.fail(w, http.StatusUnprocessableEntity, "Offset should be a non-negative number")
			return 0, 0, false
		}
		offset = n
	}
	return limit, offset, true
}

// paging returns the first, last, next and prev links of the page at offset of total
// items (the request's query with offset and limit set; next and prev only when there is
// such a page) and sets them as X-Paging-* headers too.
func paging(w http.ResponseWriter, r *http.Request, total, offset, limit int) map[string]string {
	q := r.URL.Query()
	link := func(off int) string {
		lq := url.Values{}
		for k, vs := range q {
			lq[k] = vs
		}
		lq.Set("offset", strconv.Itoa(off))
		lq.Set("limit", strconv.Itoa(limit))
		return "http://" + r.Host + r.URL.Path + "?" + lq.Encode()
	}
	p := map[string]string{"first": link(0), "last": link(max(0, (total-1)/limit*limit))}
	if offset+limit < total {
		p["next"] = link(offset + limit)
	}
	if offset > 0 {
		p["prev"] = link(max(0, offset-limit))
	}
	for k, v := range p {
		w.Header().Set("X-Paging-"+strings.ToUpper(k[:1])+k[1:], v)
	}
	return p
}

// sortAlerts orders alerts by createdAt (default), updatedAt, tinyId or count.
func sortAlerts(as []Alert, field string, desc bool) {
	key := func(a Alert) string {
		switch field {
		case "updatedAt":
			return a.UpdatedAt
		case "tinyId":
			return fmt.Sprintf("%012s", a.TinyID)
		case "count":
			return fmt.Sprintf("%012d", a.Count)
		}
		return a.CreatedAt
	}
	sort.SliceStable(as, func(i, j int) bool {
		if desc {
			return key(as[i]) > key(as[j])
		}
		return key(as[i]) < key(as[j])
	})
}

func (h *handler) count(w http.ResponseWriter, r *http.Request) {
	as, ok := h.matches(w, r)
	if ok {
		h.ok(w, map[string]int{"count": len(as)}, nil)
	}
}

func (h *handler) alert(w http.ResponseWriter, r *http.Request) {
	id, typ := r.PathValue("identifier"), r.URL.Query().Get("identifierType")
	if typ == "" {
		typ = "id"
	}
	if typ != "id" && typ != "tiny" && typ != "alias" {
		h.fail(w, http.StatusUnprocessableEntity, "identifierType should be one of: id, alias, tiny")
		return
	}
	for _, a := range h.d.Alerts {
		if typ == "id" && a.ID == id || typ == "tiny" && a.TinyID == id || typ == "alias" && a.Alias == id {
			h.ok(w, a, nil)
			return
		}
	}
	h.fail(w, http.StatusNotFound, "Alert does not exist")
}

func (h *handler) teams(w http.ResponseWriter, _ *http.Request) {
	out := []Team{}
	for _, t := range h.d.Teams {
		t.Members = nil // the list omits members
		out = append(out, t)
	}
	h.ok(w, out, map[string]any{"expandable": []string{"member"}})
}

// byIdentifier reports whether id/name matches identifier for identifierType id or name.
func byIdentifier(typ, identifier, id, name string) bool {
	if typ == "name" {
		return strings.EqualFold(name, identifier)
	}
	return id == identifier
}

func (h *handler) identifierType(w http.ResponseWriter, r *http.Request, param string) (string, bool) {
	typ := r.URL.Query().Get(param)
	switch typ {
	case "":
		return "id", true
	case "id", "name":
		return typ, true
	}
	h.fail(w, http.StatusUnprocessableEntity, param+" should be one of: id, name")
	return "", false
}

func (h *handler) team(w http.ResponseWriter, r *http.Request) {
	typ, ok := h.identifierType(w, r, "identifierType")
	if !ok {
		return
	}
	for _, t := range h.d.Teams {
		if byIdentifier(typ, r.PathValue("identifier"), t.ID, t.Name) {
			h.ok(w, t, nil)
			return
		}
	}
	h.fail(w, http.StatusNotFound, "No team exists with identifier ["+r.PathValue("identifier")+"]")
}

func (h *handler) schedules(w http.ResponseWriter, _ *http.Request) {
	out := []Schedule{}
	for _, s := range h.d.Schedules {
		if h.ownedByKey(s.OwnerTeam) {
			out = append(out, s)
		}
	}
	h.ok(w, out, map[string]any{"expandable": []string{"rotation"}})
}

// scheduleOf finds the schedule a request names (identifier and its type in param), and
// answers 404, 403 or 422 when it cannot be read.
func (h *handler) scheduleOf(w http.ResponseWriter, r *http.Request, param string) (Schedule, bool) {
	typ, ok := h.identifierType(w, r, param)
	if !ok {
		return Schedule{}, false
	}
	for _, s := range h.d.Schedules {
		if !byIdentifier(typ, r.PathValue("identifier"), s.ID, s.Name) {
			continue
		}
		if !h.ownedByKey(s.OwnerTeam) {
			h.forbid(w, "The team of this API key is not allowed to access schedule "+s.Name)
			return Schedule{}, false
		}
		return s, true
	}
	h.fail(w, http.StatusNotFound, "Schedule with identifier ["+r.PathValue("identifier")+"] does not exist")
	return Schedule{}, false
}

// date reads the optional date parameter (ISO 8601), default now.
func (h *handler) date(w http.ResponseWriter, r *http.Request) (time.Time, bool) {
	v := r.URL.Query().Get("date")
	if v == "" {
		return h.d.Now().UTC(), true
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		h.fail(w, http.StatusUnprocessableEntity, "date should be an ISO-8601 date")
		return time.Time{}, false
	}
	return t.UTC(), true
}

// user returns the participant a username names.
func (h *handler) user(username string) Participant {
	for _, u := range h.d.Users {
		if strings.EqualFold(u.Username, username) {
			return Participant{ID: u.ID, Name: u.Username, Type: "user"}
		}
	}
	return Participant{Name: username, Type: "user"}
}

// onCalls answers who is on call in a schedule at date (default now): from its rotations,
// overrides winning, when it has them, else its fixed participants.
func (h *handler) onCalls(w http.ResponseWriter, r *http.Request) {
	s, ok := h.scheduleOf(w, r, "scheduleIdentifierType")
	if !ok {
		return
	}
	at, ok := h.date(w, r)
	if !ok {
		return
	}
	parent := map[string]any{"id": s.ID, "name": s.Name, "enabled": s.Enabled}
	ps := h.d.OnCall[s.ID]
	if shifts, ok := h.d.Rotations[s.ID]; ok {
		ps = nil
		for _, who := range schedule.At(shifts, at) {
			ps = append(ps, h.user(who))
		}
	}
	if r.URL.Query().Get("flat") == "true" {
		h.ok(w, map[string]any{"_parent": parent, "onCallRecipients": usernames(ps)}, nil)
		return
	}
	if ps == nil {
		ps = []Participant{}
	}
	h.ok(w, map[string]any{"_parent": parent, "onCallParticipants": ps}, nil)
}

// timeline answers a schedule's final timeline (its rotations with the overrides cut in)
// for interval intervalUnits (days, weeks or months; default 1 week) from the start of the
// unit holding date (default now), each period clipped to that window.
func (h *handler) timeline(w http.ResponseWriter, r *http.Request) {
	s, ok := h.scheduleOf(w, r, "identifierType")
	if !ok {
		return
	}
	at, ok := h.date(w, r)
	if !ok {
		return
	}
	n := 1
	if v := r.URL.Query().Get("interval"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil || x < 1 {
			h.fail(w, http.StatusUnprocessableEntity, "interval should be a positive number")
			return
		}
		n = x
	}
	from, to, err := schedule.Window(at, n, r.URL.Query().Get("intervalUnit"))
	if err != nil {
		h.fail(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	var names []string
	byRotation := map[string][]map[string]any{}
	for _, sh := range schedule.Clip(schedule.Final(h.d.Rotations[s.ID]), from, to) {
		if !slices.Contains(names, sh.Rotation) {
			names = append(names, sh.Rotation)
		}
		typ := "default"
		if sh.Override {
			typ = "override"
		}
		u := h.user(sh.Who)
		byRotation[sh.Rotation] = append(byRotation[sh.Rotation], map[string]any{"startDate": sh.Start.Format(time.RFC3339),
			"endDate": sh.End.Format(time.RFC3339), "type": typ, "recipient": map[string]any{"id": u.ID, "name": u.Name, "type": "user"}})
	}
	rots := []map[string]any{}
	for i, name := range names {
		rots = append(rots, map[string]any{"id": fmt.Sprintf("%s-r%d", s.ID, i+1), "name": name, "order": float64(i + 1), "periods": byRotation[name]})
	}
	h.ok(w, map[string]any{"_parent": map[string]any{"id": s.ID, "name": s.Name, "enabled": s.Enabled},
		"startDate": from.Format(time.RFC3339), "endDate": to.Format(time.RFC3339), "finalTimeline": map[string]any{"rotations": rots}},
		map[string]any{"expandable": []string{"base", "forwarding", "override"}})
}

// usernames flattens participants to the users' names.
func usernames(ps []Participant) []string {
	out := []string{}
	for _, p := range ps {
		if p.Type == "user" {
			out = append(out, p.Name)
		}
		out = append(out, usernames(p.OnCallParticipants)...)
	}
	return out
}

func (h *handler) escalations(w http.ResponseWriter, _ *http.Request) {
	out := []Escalation{}
	for _, e := range h.d.Escalations {
		if h.ownedByKey(e.OwnerTeam) {
			out = append(out, e)
		}
	}
	h.ok(w, out, nil)
}

func (h *handler) escalation(w http.ResponseWriter, r *http.Request) {
	typ, ok := h.identifierType(w, r, "identifierType")
	if !ok {
		return
	}
	for _, e := range h.d.Escalations {
		if byIdentifier(typ, r.PathValue("identifier"), e.ID, e.Name) {
			h.ok(w, e, nil)
			return
		}
	}
	h.fail(w, http.StatusNotFound, "Escalation with identifier ["+r.PathValue("identifier")+"] does not exist")
}

// users lists the users a page at a time (default 100), in the order of Data.Users
// (insertedAt) or by sortField username or fullName, ascending unless order=desc, with
// totalCount and paging links. The query parameter is not supported (422).
func (h *handler) users(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("query") != "" {
		h.fail(w, http.StatusUnprocessableEntity, "query is not supported by the fake")
		return
	}
	limit, offset, ok := h.pageParams(w, r, DefaultUserLimit)
	if !ok {
		return
	}
	us := append([]User{}, h.d.Users...)
	switch q.Get("sortField") {
	case "", "insertedAt":
	case "username":
		sort.SliceStable(us, func(i, j int) bool { return us[i].Username < us[j].Username })
	case "fullName":
		sort.SliceStable(us, func(i, j int) bool { return us[i].FullName < us[j].FullName })
	default:
		h.fail(w, http.StatusUnprocessableEntity, "sortField should be one of: username, fullName, insertedAt")
		return
	}
	switch q.Get("order") {
	case "", "asc":
	case "desc":
		slices.Reverse(us)
	default:
		h.fail(w, http.StatusUnprocessableEntity, "order should be one of: asc, desc")
		return
	}
	page := []User{}
	if offset < len(us) {
		page = append(page, us[offset:min(offset+limit, len(us))]...)
	}
	h.ok(w, page, map[string]any{"totalCount": len(us), "paging": paging(w, r, len(us), offset, limit), "expandable": []string{"contact"}})
}
