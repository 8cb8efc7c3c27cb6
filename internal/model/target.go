package model

import (
	"slices"
	"time"
)

// Target is the service a query is about, as the join resolved it, with every identity
// each source knows it by. Connectors pick the identities they understand.
type Target struct {
	// Name is the canonical service name.
	Name string
	// Records are the per-source service records that describe this service.
	Records []Service
	// Related are names of services in the dependency path (for changes on dependencies).
	Related []Target
	// Hosts are the hosts, nodes, clusters and namespaces the service runs on, each a target
	// whose Records are its host records (Host.Record): their changes, alerts and problems
	// are asked with the service's.
	Hosts []Target
	// Since is the start of the time window of interest.
	Since time.Time
	// Until is the end of the window (normally now).
	Until time.Time
	// Ahead is the end of the forward-looking window (the horizon): shifts, silences,
	// maintenance windows and scheduled changes until then are of interest. Zero: only now.
	Ahead time.Time
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

// For returns the target as the source with the given name is to be asked about it, and
// whether that source is to be asked at all. A service is not asked of an instance its
// records pin elsewhere (InstancesAnnotation), nor of an instance when another instance of
// the same kind holds its record and this one holds none: two tenants that merely share a
// name do not describe the same service. Related services the source does not serve are
// left out; when it serves only related ones, the target keeps its name but not its records.
// A zero target (everything open) is asked of every source.
func (t Target) For(source string) (Target, bool) {
	if t.Name == "" {
		return t, true
	}
	main := t.servedBy(source)
	rel := t.Related
	if slices.ContainsFunc(t.Related, func(r Target) bool { return !r.servedBy(source) }) {
		rel = nil
		for _, r := range t.Related {
			if r.servedBy(source) {
				rel = append(rel, r)
			}
		}
	}
	if !main && len(rel) == 0 {
		return Target{}, false
	}
	out := t
	out.Related = rel
	if !main {
		out.Records = nil
	}
	return out, true
}

// servedBy reports whether source may hold records and signals of the target (see For).
func (t Target) servedBy(source string) bool {
	kind, own, other := SourceKind(source), false, false
	var pins []string
	for _, r := range t.Records {
		pins = append(pins, r.Pins()...)
		switch {
		case r.Source == source:
			own = true
		case SourceKind(r.Source) == kind:
			other = true
		}
	}
	return Serves(pins, source) && (own || !other)
}
