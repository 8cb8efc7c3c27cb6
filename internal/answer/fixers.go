package answer

// Fixer is a team that can act on the trouble without owning the service asked about: the
// owner of its root cause, or of its most suspicious change, when that is another team.
// The reader learns who owns the symptom from oncall; this says who can fix the cause.
type Fixer struct {
	Service  string   `json:"service"`
	Relation Relation `json:"relation"`
	// Why says what points at the service: "root cause, dynatrace P-2311", "most
	// suspicious change CHG0030017".
	Why      []string `json:"why"`
	Team     string   `json:"team"`
	TeamName string   `json:"team_name,omitempty"`
	// OnCall is who is on call for the service now, lowest level first; Next is the
	// escalation level after them, when a source names one.
	OnCall []OnCallEntry    `json:"oncall"`
	Next   *EscalationEntry `json:"next_escalation,omitempty"`
	// Unknown says why nobody is named (no on-call source knows the service, or one failed).
	Unknown string `json:"unknown,omitempty"`
}
