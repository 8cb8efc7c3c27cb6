package pagerduty

// Wire types: the fields of PagerDuty's JSON this connector reads.

type ref struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Summary string `json:"summary"`
	HTMLURL string `json:"html_url"`
	// Name and Email are present when the object is embedded in full (include[]).
	Name  string `json:"name"`
	Email string `json:"email"`
}

// label returns the reference's display name.
func (r ref) label() string {
	if r.Name != "" {
		return r.Name
	}
	if r.Summary != "" {
		return r.Summary
	}
	return r.ID
}

type service struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	Status           string `json:"status"`
	HTMLURL          string `json:"html_url"`
	EscalationPolicy ref    `json:"escalation_policy"`
	Teams            []ref  `json:"teams"`
}

type incident struct {
	ID             string `json:"id"`
	IncidentNumber int    `json:"incident_number"`
	IncidentKey    string `json:"incident_key"`
	Title          string `json:"title"`
	CreatedAt      string `json:"created_at"`
	Status         string `json:"status"`
	Urgency        string `json:"urgency"`
	HTMLURL        string `json:"html_url"`
	Service        ref    `json:"service"`
	Priority       *ref   `json:"priority"`
	Teams          []ref  `json:"teams"`
	Assignments    []struct {
		Assignee ref `json:"assignee"`
	} `json:"assignments"`
	// Acknowledgements are listed while the incident is acknowledged.
	Acknowledgements []struct {
		At           string `json:"at"`
		Acknowledger ref    `json:"acknowledger"`
	} `json:"acknowledgements"`
	// PendingActions are what PagerDuty will do and when: escalate, unacknowledge (the
	// acknowledgement times out), resolve, urgency_change.
	PendingActions []struct {
		Type string `json:"type"`
		At   string `json:"at"`
	} `json:"pending_actions"`
}

type alert struct {
	ID        string `json:"id"`
	Summary   string `json:"summary"`
	CreatedAt string `json:"created_at"`
	Status    string `json:"status"`
	AlertKey  string `json:"alert_key"`
	Severity  string `json:"severity"`
	HTMLURL   string `json:"html_url"`
	Service   ref    `json:"service"`
	Body      struct {
		Contexts []struct {
			Type string `json:"type"`
			Href string `json:"href"`
			Text string `json:"text"`
		} `json:"contexts"`
		Details any `json:"details"`
	} `json:"body"`
}

type oncall struct {
	User             ref    `json:"user"`
	Schedule         *ref   `json:"schedule"`
	EscalationPolicy ref    `json:"escalation_policy"`
	EscalationLevel  int    `json:"escalation_level"`
	Start            string `json:"start"`
	End              string `json:"end"`
}

type policy struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	NumLoops        int    `json:"num_loops"`
	EscalationRules []struct {
		EscalationDelayInMinutes int   `json:"escalation_delay_in_minutes"`
		Targets                  []ref `json:"targets"`
	} `json:"escalation_rules"`
}

type changeEvent struct {
	ID            string         `json:"id"`
	Summary       string         `json:"summary"`
	Timestamp     string         `json:"timestamp"`
	Services      []ref          `json:"services"`
	CustomDetails map[string]any `json:"custom_details"`
	Links         []struct {
		Href string `json:"href"`
		Text string `json:"text"`
	} `json:"links"`
	CorrelationReason *struct {
		Reason string `json:"reason"`
	} `json:"correlation_reason"`
}
