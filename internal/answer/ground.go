package answer

import (
	"cmp"
	"strings"
)

// GroundEntry is one host, node, cluster or namespace the service runs on ("runs on"),
// with its health, the changes on it, its owner and that owner's on-call.
type GroundEntry struct {
	Name string `json:"name"`
	// Kind is host, cluster or namespace.
	Kind string `json:"kind"`
	// Through is the host the service reaches this one through (a node's cluster); absent
	// when the service runs on it directly.
	Through string `json:"through,omitempty"`
	// Via says how the sources state the placement ("Runs on::Runs", "runsOnHost", ...).
	Via []string `json:"via"`
	// Sources are the sources that know the host.
	Sources []string `json:"sources"`
	// Health is failing (the root cause of an open problem), degraded (alerting, or
	// impacted by an open problem), ok, or unknown (no alert or problem source could tell).
	Health Health `json:"health"`
	// Owner is the owning team as the most trusted source states it; absent when no source
	// names one.
	Owner     string `json:"owner,omitempty"`
	OwnerName string `json:"owner_name,omitempty"`
	// OnCall is who is on call now for the owner, as the on-call sources answered for the
	// host; empty when none is known.
	OnCall []GroundOnCall `json:"oncall"`
	// Problems, Alerts and Changes name the open problems, firing alert groups and changes
	// on the host (ids, titles, ids), most telling first.
	Problems []string `json:"problems,omitempty"`
	Alerts   []string `json:"alerts,omitempty"`
	Changes  []string `json:"changes,omitempty"`
	// Suspicion is that of the most suspicious change on the host (see changes).
	Suspicion float64 `json:"suspicion,omitempty"`
	// Services are every service that runs here: a shared host's trouble is theirs too.
	Services []string `json:"services"`
	URL      string   `json:"url,omitempty"`
}

// GroundOnCall is a person on call for a host's owner.
type GroundOnCall struct {
	Name   string `json:"name"`
	Email  string `json:"email,omitempty"`
	Level  int    `json:"level"`
	Source string `json:"source"`
}

// Rule: what a service runs on is its ground, not a neighbour. A node alert
// (instance="app-01:9100") used to be counted as the service's own alert, or dropped for
// naming no service; a change on the server CI was never asked for. A fact about a host the
// service runs on is placed on that host (relation runs_on), listed under the host's name in
// the alerts, problems and changes, and summed up per host in runs_on with its owner and
// that owner's on-call: the people who can fix the host are named.

// GroundText names a host with what matters about it for a headline: "host app-01 (owner
// Platform Operations, on call Noor Haddad)".
func GroundText(e GroundEntry) string {
	s := e.Kind + " " + e.Name
	var about []string
	if e.Owner != "" {
		about = append(about, "owner "+cmp.Or(e.OwnerName, e.Owner))
	} else {
		about = append(about, "no owner known")
	}
	if len(e.OnCall) > 0 {
		about = append(about, "on call "+e.OnCall[0].Name)
	} else if e.Owner != "" {
		about = append(about, "on-call unknown")
	}
	return s + " (" + strings.Join(about, ", ") + ")"
}
