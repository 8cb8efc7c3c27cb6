package dynatrace

import (
	"net/http"
	"slices"
	"strings"
)

// MaintenanceSchema is the settings schema of maintenance windows.
const MaintenanceSchema = "builtin:alerting.maintenance-window"

// SettingsObject is a settings 2.0 object: Value follows its schema (for maintenance windows:
// enabled, generalProperties, schedule, filters).
type SettingsObject struct {
	ObjectID string         `json:"objectId"`
	SchemaID string         `json:"schemaId"`
	Scope    string         `json:"scope"`
	Value    map[string]any `json:"value"`
}

var settingsLimits = limits{endpoint: "settings", defaultSize: 100, maxSize: 500}

// settings lists settings objects (scope settings.read): a first page needs schemaIds or
// scopes, and follow-ups carry only the nextPageKey; fields picks the top-level fields.
func (s *Server) settings(w http.ResponseWriter, r *http.Request) {
	q, offset, size, ok := s.pageRequest(w, r, settingsLimits)
	if !ok {
		return
	}
	schemas, scopes := split(q.Get("schemaIds")), split(q.Get("scopes"))
	if len(schemas) == 0 && len(scopes) == 0 {
		badParam(w, "schemaIds", "either schemaIds or scopes must be set")
		return
	}
	fields := split(q.Get("fields"))
	if len(fields) == 0 {
		fields = []string{"objectId", "value"}
	}
	s.mu.Lock()
	objs := slices.Clone(s.data.Settings)
	s.mu.Unlock()
	var items []any
	for _, o := range objs {
		if len(schemas) > 0 && !slices.Contains(schemas, o.SchemaID) || len(scopes) > 0 && !slices.Contains(scopes, o.Scope) {
			continue
		}
		item := map[string]any{}
		for _, f := range fields {
			switch f {
			case "objectId":
				item["objectId"] = o.ObjectID
			case "schemaId":
				item["schemaId"] = o.SchemaID
			case "scope":
				item["scope"] = o.Scope
			case "value":
				item["value"] = o.Value
			}
		}
		items = append(items, item)
	}
	if items == nil {
		items = []any{}
	}
	writeJSON(w, http.StatusOK, s.envelope(settingsLimits, q, "items", items, offset, size))
}

func split(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
