package dynatrace

import (
	"net/http"
	"strings"
	"time"
)

// entityFields are the optional entity parts that fields=+name may add (plus properties.X).
var entityFields = []string{"properties", "fromRelationships", "toRelationships", "tags", "managementZones",
	"firstSeenTms", "lastSeenTms", "icon"}

func (s *Server) entities(w http.ResponseWriter, r *http.Request) {
	q, offset, size, ok := s.pageRequest(w, r, entitiesLimits)
	if !ok {
		return
	}
	fields, ok := parseFields(w, q.Get("fields"), entityFields, "properties.")
	if !ok {
		return
	}
	from, to, ok := s.window(w, q, 3*24*time.Hour)
	if !ok {
		return
	}
	match, ok := entityMatcher(w, "entitySelector", q.Get("entitySelector"), true)
	if !ok {
		return
	}
	var items []any
	for _, e := range s.snapshot().Entities {
		seen := e.LastSeenTms == 0 || overlaps(e.FirstSeenTms, e.LastSeenTms, from, to)
		if seen && match(e) {
			items = append(items, renderEntity(e, fields))
		}
	}
	writeJSON(w, http.StatusOK, s.envelope(entitiesLimits, q, "entities", items, offset, size))
}

// renderEntity keeps entityId, type and displayName plus the requested parts.
func renderEntity(e Entity, f map[string]bool) Entity {
	out := Entity{EntityID: e.EntityID, Type: e.Type, DisplayName: e.DisplayName}
	if f["firstSeenTms"] {
		out.FirstSeenTms = e.FirstSeenTms
	}
	if f["lastSeenTms"] {
		out.LastSeenTms = e.LastSeenTms
	}
	if f["tags"] {
		out.Tags = nonNil(e.Tags)
	}
	if f["managementZones"] {
		out.ManagementZones = nonNil(e.ManagementZones)
	}
	if f["fromRelationships"] {
		out.FromRelationships = nonNilMap(e.FromRelationships)
	}
	if f["toRelationships"] {
		out.ToRelationships = nonNilMap(e.ToRelationships)
	}
	for k, v := range e.Properties {
		if f["properties"] || f["properties."+k] {
			if out.Properties == nil {
				out.Properties = map[string]any{}
			}
			out.Properties[k] = v
		}
	}
	return out
}

func nonNilMap(m map[string][]EntityID) map[string][]EntityID {
	if m == nil {
		return map[string][]EntityID{}
	}
	return m
}

// entityMatcher builds the filter for an entitySelector; nil when the selector is empty
// (and not required). It enforces the spec's rules: type or entityId must be set, and all
// requested entity ids must be of one type.
func entityMatcher(w http.ResponseWriter, param, sel string, required bool) (func(Entity) bool, bool) {
	if strings.TrimSpace(sel) == "" {
		if required {
			badParam(w, param, "must not be empty: set type(\"TYPE\") or entityId(\"id\")")
			return nil, false
		}
		return nil, true
	}
	crits, err := parseSelector(sel)
	if err != nil {
		badParam(w, param, "%v", err)
		return nil, false
	}
	var preds []func(Entity) bool
	scoped := false
	for _, c := range crits {
		vals := c.values
		switch c.name {
		case "type":
			scoped = true
			preds = append(preds, func(e Entity) bool { return anyFold([]string{e.Type}, vals) })
		case "entityId":
			scoped = true
			typ := ""
			for _, v := range vals {
				t, _, _ := strings.Cut(v, "-")
				if typ != "" && t != typ {
					badParam(w, param, "all requested entities must be of the same type")
					return nil, false
				}
				typ = t
			}
			preds = append(preds, func(e Entity) bool { return anyIn([]string{e.EntityID}, vals) })
		case "entityName.equals":
			preds = append(preds, func(e Entity) bool { return anyFold([]string{e.DisplayName}, vals) })
		case "entityName", "entityName.contains":
			preds = append(preds, func(e Entity) bool {
				for _, v := range vals {
					if strings.Contains(strings.ToLower(e.DisplayName), strings.ToLower(v)) {
						return true
					}
				}
				return false
			})
		case "tag":
			preds = append(preds, func(e Entity) bool {
				for _, t := range e.Tags {
					if anyIn([]string{t.StringRepresentation, t.Key, t.Key + ":" + t.Value}, vals) {
						return true
					}
				}
				return false
			})
		case "mzName":
			preds = append(preds, func(e Entity) bool { return anyIn(zoneField(e.ManagementZones, false), vals) })
		case "mzId":
			preds = append(preds, func(e Entity) bool { return anyIn(zoneField(e.ManagementZones, true), vals) })
		default:
			badParam(w, param, "unknown criterion %q", c.name)
			return nil, false
		}
	}
	if !scoped {
		badParam(w, param, "set one of type(\"TYPE\") or entityId(\"id\")")
		return nil, false
	}
	return func(e Entity) bool {
		for _, p := range preds {
			if !p(e) {
				return false
			}
		}
		return true
	}, true
}
