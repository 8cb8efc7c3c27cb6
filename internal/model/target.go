package model

import "time"

// Target is the service a query is about, as the join resolved it, with every identity
// each source knows it by. Connectors pick the identities they understand.
type Target struct {
	// Name is the canonical service name.
	Name string
	// Records are the per-source service records that describe this service.
	Records []Service
	// Related are names of services in the dependency path (for changes on dependencies).
	Related []Target
	// Since is the start of the time window of interest.
	Since time.Time
	// Until is the end of the window (normally now).
	Until time.Time
}

// Identities returns every distinct name and id by which the target is known,
// including its records' names, ids, titles and aliases.
func (t Target) Identities() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add(t.Name)
	for _, r := range t.Records {
		add(r.Name)
		add(r.ID)
		add(r.Title)
		for _, a := range r.Aliases {
			add(a)
		}
	}
	return out
}

// Annotation returns the first non-empty value of the annotation key across the target's records.
func (t Target) Annotation(key string) string {
	for _, r := range t.Records {
		if v := r.Annotations[key]; v != "" {
			return v
		}
	}
	return ""
}

// RecordFrom returns the target's record from the named source, if any.
func (t Target) RecordFrom(source string) (Service, bool) {
	for _, r := range t.Records {
		if r.Source == source {
			return r, true
		}
	}
	return Service{}, false
}
