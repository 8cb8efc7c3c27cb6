package model

import "strings"

// Severity is how bad an alert, problem or incident is on opsctx's one scale, from
// SeverityInfo to SeverityCritical; zero is unknown.
type Severity int

// Severity levels.
const (
	SeverityUnknown Severity = iota
	SeverityInfo
	SeverityLow
	SeverityWarning
	SeverityHigh
	SeverityCritical
)

// severityWords are the severity and priority words in common use across tools (alert
// labels, priorities P1–P5, SEV levels, numeric priorities). A connector whose vendor
// uses other words sets the Level of its records instead.
var severityWords = map[string]Severity{
	"critical": SeverityCritical, "p1": SeverityCritical, "sev1": SeverityCritical, "1": SeverityCritical, "page": SeverityCritical, "disaster": SeverityCritical,
	"high": SeverityHigh, "p2": SeverityHigh, "sev2": SeverityHigh, "2": SeverityHigh, "error": SeverityHigh, "major": SeverityHigh,
	"warning": SeverityWarning, "p3": SeverityWarning, "sev3": SeverityWarning, "3": SeverityWarning, "moderate": SeverityWarning, "medium": SeverityWarning,
	"low": SeverityLow, "p4": SeverityLow, "sev4": SeverityLow, "4": SeverityLow, "minor": SeverityLow,
	"info": SeverityInfo, "p5": SeverityInfo, "5": SeverityInfo, "informational": SeverityInfo,
}

// SeverityOf reads a common severity or priority word ("critical", "P2", "sev3", "4",
// "warning", ...), case-insensitively; anything else is SeverityUnknown.
func SeverityOf(word string) Severity {
	return severityWords[strings.ToLower(strings.TrimSpace(word))]
}

// Rank is the alert's severity on opsctx's scale: its Level when the connector set one,
// else its Severity word read by SeverityOf.
func (a Alert) Rank() Severity { return rank(a.Level, a.Severity) }

// Rank is the problem's severity on opsctx's scale (see Alert.Rank).
func (p Problem) Rank() Severity { return rank(p.Level, p.Severity) }

// Rank is the incident's priority on opsctx's scale (see Alert.Rank).
func (i Incident) Rank() Severity { return rank(i.Level, i.Priority) }

func rank(level Severity, word string) Severity {
	if level != SeverityUnknown {
		return level
	}
	return SeverityOf(word)
}

// severityNames are the words of the scale, as answers show them.
var severityNames = map[Severity]string{SeverityCritical: "critical", SeverityHigh: "high", SeverityWarning: "warning",
	SeverityLow: "low", SeverityInfo: "info", SeverityUnknown: "unknown"}

// String is the level's word on opsctx's scale: critical, high, warning, low, info or unknown.
func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return "unknown"
}
