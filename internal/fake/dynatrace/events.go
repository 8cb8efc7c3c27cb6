package dynatrace

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	q, offset, size, ok := s.pageRequest(w, r, eventsLimits)
	if !ok {
		return
	}
	from, to, ok := s.window(w, q, 2*time.Hour)
	if !ok {
		return
	}
	match, ok := eventMatcher(w, q)
	if !ok {
		return
	}
	var items []any
	for _, e := range s.snapshot().Events {
		end := int64(-1)
		if e.EndTime != nil {
			end = *e.EndTime
		}
		if overlaps(e.StartTime, end, from, to) && match(e) {
			items = append(items, e)
		}
	}
	writeJSON(w, http.StatusOK, s.envelope(eventsLimits, q, "events", items, offset, size))
}

// eventMatcher builds the filter for eventSelector and entitySelector.
func eventMatcher(w http.ResponseWriter, q url.Values) (func(Event) bool, bool) {
	crits, err := parseSelector(q.Get("eventSelector"))
	if err != nil {
		badParam(w, "eventSelector", "%v", err)
		return nil, false
	}
	var preds []func(Event) bool
	for _, c := range crits {
		vals := c.values
		switch c.name {
		case "eventType":
			if len(vals) != 1 {
				badParam(w, "eventSelector", "eventType accepts exactly one event type")
				return nil, false
			}
			preds = append(preds, func(e Event) bool { return e.EventType == vals[0] })
		case "entityId":
			preds = append(preds, func(e Event) bool { return anyIn([]string{e.EntityID.EntityID.ID}, vals) })
		case "status":
			preds = append(preds, func(e Event) bool { return anyFold([]string{e.Status}, vals) })
		case "eventId":
			preds = append(preds, func(e Event) bool { return anyIn([]string{e.EventID}, vals) })
		case "correlationId":
			preds = append(preds, func(e Event) bool { return anyIn([]string{e.CorrelationID}, vals) })
		case "managementZoneId":
			preds = append(preds, func(e Event) bool { return anyIn(zoneField(e.ManagementZones, true), vals) })
		case "underMaintenance":
			preds = append(preds, func(e Event) bool { return anyIn([]string{strconv.FormatBool(e.UnderMaintenance)}, vals) })
		default:
			badParam(w, "eventSelector", "unknown criterion %q", c.name)
			return nil, false
		}
	}
	es, ok := entityMatcher(w, "entitySelector", q.Get("entitySelector"), false)
	if !ok {
		return nil, false
	}
	if es != nil {
		preds = append(preds, func(e Event) bool {
			return es(Entity{EntityID: e.EntityID.EntityID.ID, Type: e.EntityID.EntityID.Type, DisplayName: e.EntityID.Name})
		})
	}
	return func(e Event) bool {
		for _, p := range preds {
			if !p(e) {
				return false
			}
		}
		return true
	}, true
}
