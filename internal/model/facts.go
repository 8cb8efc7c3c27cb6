package model

import "time"

// Sourced is one source's value and when it was fetched from the upstream.
type Sourced[T any] struct {
	Source string
	Value  T
	AsOf   time.Time
}

// Facts is everything fetched for one target (or, with a zero target, everything open),
// as the fetch hands it to the answer assembly. A kind that was not asked for is empty.
type Facts struct {
	Alerts []Alert
	// Pending are alerts whose condition holds but which do not fire yet (AlertPending).
	Pending    []Alert
	Problems   []Problem
	Incidents  []Incident
	Changes    []Change
	Responders []Sourced[Responders]
	SLOs       []Sourced[[]SLO]
	// Mutes are the silences and maintenance windows active now or starting before the
	// target's Ahead.
	Mutes []Mute
	// HasAlerts is true when some alert or problem source is enabled, so that "no alert"
	// means healthy rather than unknown.
	HasAlerts bool
	// Failed are the alert and problem sources asked that did not answer: what they would
	// have said (one cluster's alerts) is unknown, so "no alert" does not mean healthy.
	Failed []string
	// HasSLOs is true when some SLO source answered with at least one SLO.
	HasSLOs bool
}
