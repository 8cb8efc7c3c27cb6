package connectors

// Capabilities names what a source can answer, from the capability interfaces it
// implements, in a fixed order: catalog, alerts, alert_rules, problems, oncall, changes,
// incidents, incident_lookup, slos, mutes.
func Capabilities(s Source) []string {
	var out []string
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"catalog", is[Catalog](s)}, {"alerts", is[Alerts](s)}, {"alert_rules", is[AlertRules](s)},
		{"problems", is[Problems](s)}, {"oncall", is[OnCall](s)}, {"changes", is[Changes](s)},
		{"incidents", is[Incidents](s)}, {"incident_lookup", is[IncidentFinder](s)}, {"slos", is[SLOs](s)},
		{"mutes", is[Mutes](s)},
	} {
		if c.ok {
			out = append(out, c.name)
		}
	}
	return out
}

func is[T any](s Source) bool { _, ok := s.(T); return ok }
