package model

import (
	"regexp"
	"time"
)

// The types below describe time beyond "now": who acknowledged what, what a vendor has
// scheduled to happen to an incident, and the periods in which a source holds back
// notifications (silences, maintenance windows).

// Ack is an acknowledgement: who took a page or alert, and when (zero when the source
// does not say).
type Ack struct {
	By string    `json:"by"`
	At time.Time `json:"at,omitzero"`
}

// ActionKind is what a vendor has scheduled to happen to an open incident.
type ActionKind string

// Scheduled actions (PagerDuty pending_actions).
const (
	ActionEscalate      ActionKind = "escalate"      // the next escalation level is paged
	ActionUnacknowledge ActionKind = "unacknowledge" // the acknowledgement times out; the incident re-triggers
	ActionResolve       ActionKind = "resolve"       // the incident resolves itself
)

// Action is an action a vendor has scheduled on an incident, and when it happens.
type Action struct {
	Kind ActionKind `json:"kind"`
	At   time.Time  `json:"at"`
}

// MuteKind is what kind of period holds notifications back.
type MuteKind string

// Mute kinds.
const (
	MuteSilence     MuteKind = "silence"     // an Alertmanager silence: alerts matching its matchers do not notify
	MuteMaintenance MuteKind = "maintenance" // a maintenance window: the services open no incidents or alerts
)

// Mute is a period in which a source holds notifications back for some alerts or services:
// an Alertmanager silence (by label matchers) or a maintenance window (by service).
type Mute struct {
	ID    string   `json:"id"`
	Kind  MuteKind `json:"kind"`
	Title string   `json:"title,omitempty"` // the silence's comment, the window's description
	// StartsAt and EndsAt bound the period; a zero EndsAt never ends.
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at,omitzero"`
	// Matchers select the alerts a silence covers (all must match); empty for maintenance.
	Matchers []Matcher `json:"matchers,omitempty"`
	// Services name the services a maintenance window covers, as the source knows them
	// (ids or names).
	Services  []string `json:"services,omitempty"`
	CreatedBy string   `json:"created_by,omitempty"`
	Source    string   `json:"source"`
	URL       string   `json:"url,omitempty"`
}

// ActiveAt reports whether the period holds notifications back at t.
func (m Mute) ActiveAt(t time.Time) bool {
	return !t.Before(m.StartsAt) && (m.EndsAt.IsZero() || t.Before(m.EndsAt))
}

// Covers reports whether a silence covers an alert with these labels: every matcher
// matches. A mute without matchers covers no alert by its labels.
func (m Mute) Covers(labels map[string]string) bool {
	if len(m.Matchers) == 0 {
		return false
	}
	for _, x := range m.Matchers {
		if !x.Matches(labels) {
			return false
		}
	}
	return true
}

// Matcher is an Alertmanager label matcher: name=value, name!=value, name=~re, name!~re.
type Matcher struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Regex    bool   `json:"regex,omitempty"`
	Negative bool   `json:"negative,omitempty"`
}

// Matches reports whether the labels satisfy the matcher as Alertmanager evaluates it: a
// missing label is the empty string, and a regex must match the whole value. An invalid
// regex matches nothing.
func (x Matcher) Matches(labels map[string]string) bool {
	v := labels[x.Name]
	ok := v == x.Value
	if x.Regex {
		re, err := regexp.Compile("^(?:" + x.Value + ")$")
		if err != nil {
			return false
		}
		ok = re.MatchString(v)
	}
	return ok != x.Negative
}

// Op is the matcher's operator: =, !=, =~ or !~.
func (x Matcher) Op() string {
	switch {
	case x.Regex && x.Negative:
		return "!~"
	case x.Regex:
		return "=~"
	case x.Negative:
		return "!="
	}
	return "="
}

// ChangeRecord is what an ITSM change record states beyond the change itself: its planned
// and actual windows (zero when not recorded), who asked for it, who carries it out, who
// approved it, and how to back it out.
type ChangeRecord struct {
	PlannedStart time.Time `json:"planned_start,omitzero"`
	PlannedEnd   time.Time `json:"planned_end,omitzero"`
	WorkStart    time.Time `json:"work_start,omitzero"`
	WorkEnd      time.Time `json:"work_end,omitzero"`
	RequestedBy  string    `json:"requested_by,omitempty"`
	Implementer  string    `json:"implementer,omitempty"`
	ApprovedBy   string    `json:"approved_by,omitempty"`
	// State is the record's state in its source's words (scheduled, implement, review, ...).
	State string `json:"state,omitempty"`
	// Approval is the record's approval state (approved, requested, rejected, ...).
	Approval    string `json:"approval,omitempty"`
	BackoutPlan string `json:"backout_plan,omitempty"`
}
