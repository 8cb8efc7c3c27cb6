package pagerduty

// Wire types of the PagerDuty REST API v2, as the fake serves them. Start fills in the
// server-generated fields (type, summary, self, html_url) that the data leaves empty.

// Ref is a reference object: {id, type, summary, self, html_url}.
type Ref struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Summary string `json:"summary,omitempty"`
	Self    string `json:"self,omitempty"`
	HTMLURL string `json:"html_url,omitempty"`
}

// Service is a technical service.
type Service struct {
	ID               string `json:"id"`
	Type             string `json:"type"`
	Summary          string `json:"summary,omitempty"`
	Self             string `json:"self,omitempty"`
	HTMLURL          string `json:"html_url,omitempty"`
	Name             string `json:"name"`
	Description      string `json:"description,omitempty"`
	Status           string `json:"status,omitempty"`
	CreatedAt        string `json:"created_at,omitempty"`
	EscalationPolicy Ref    `json:"escalation_policy"`
	Teams            []Ref  `json:"teams"`
	// AcknowledgementTimeout is how many seconds an acknowledged incident stays so before it
	// re-triggers; nil disables it.
	AcknowledgementTimeout *int `json:"acknowledgement_timeout,omitempty"`
}

// Acknowledgement is who acknowledged an incident, and when.
type Acknowledgement struct {
	At           string `json:"at"`
	Acknowledger Ref    `json:"acknowledger"`
}

// Action is a pending action: what PagerDuty will do to an incident, and when.
type Action struct {
	Type string `json:"type"`
	At   string `json:"at"`
}

// MaintenanceWindow is a maintenance window: its services open no incidents while it lasts.
type MaintenanceWindow struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Summary        string `json:"summary,omitempty"`
	Self           string `json:"self,omitempty"`
	HTMLURL        string `json:"html_url,omitempty"`
	SequenceNumber int    `json:"sequence_number"`
	StartTime      string `json:"start_time"`
	EndTime        string `json:"end_time"`
	Description    string `json:"description,omitempty"`
	CreatedBy      *Ref   `json:"created_by,omitempty"`
	Services       []Ref  `json:"services"`
	Teams          []Ref  `json:"teams"`
}

// Assignment is an incident assignment.
type Assignment struct {
	At       string `json:"at"`
	Assignee Ref    `json:"assignee"`
}

// Priority is an incident priority.
type Priority struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Summary string `json:"summary,omitempty"`
	Name    string `json:"name"`
}

// AlertCounts counts an incident's alerts.
type AlertCounts struct {
	Triggered int `json:"triggered"`
	Resolved  int `json:"resolved"`
	All       int `json:"all"`
}

// Incident is an incident.
type Incident struct {
	ID                 string       `json:"id"`
	Type               string       `json:"type"`
	Summary            string       `json:"summary,omitempty"`
	Self               string       `json:"self,omitempty"`
	HTMLURL            string       `json:"html_url,omitempty"`
	IncidentNumber     int          `json:"incident_number"`
	Title              string       `json:"title"`
	CreatedAt          string       `json:"created_at"`
	UpdatedAt          string       `json:"updated_at,omitempty"`
	Status             string       `json:"status"`
	IncidentKey        string       `json:"incident_key,omitempty"`
	Service            Ref          `json:"service"`
	Assignments        []Assignment `json:"assignments"`
	AssignedVia        string       `json:"assigned_via,omitempty"`
	LastStatusChangeAt string       `json:"last_status_change_at,omitempty"`
	AlertCounts        *AlertCounts `json:"alert_counts,omitempty"`
	EscalationPolicy   *Ref         `json:"escalation_policy,omitempty"`
	Teams              []Ref        `json:"teams"`
	Priority           *Priority    `json:"priority,omitempty"`
	Urgency            string       `json:"urgency,omitempty"`
	// Acknowledgements are served while the incident is acknowledged (empty otherwise).
	Acknowledgements []Acknowledgement `json:"acknowledgements"`
	// PendingActions are computed when served (see pending), never taken from the data.
	PendingActions []Action `json:"pending_actions"`
}

// Context is a link or image attached to an alert body.
type Context struct {
	Type string `json:"type"`
	Href string `json:"href,omitempty"`
	Text string `json:"text,omitempty"`
}

// AlertBody is an alert's body.
type AlertBody struct {
	Type     string    `json:"type"`
	Contexts []Context `json:"contexts"`
	// Details is an object (the spec's type; Events API v2 puts custom_details there).
	Details map[string]any `json:"details,omitempty"`
}

// Alert is an alert grouped into an incident.
type Alert struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"`
	Summary    string    `json:"summary,omitempty"`
	Self       string    `json:"self,omitempty"`
	HTMLURL    string    `json:"html_url,omitempty"`
	CreatedAt  string    `json:"created_at"`
	Status     string    `json:"status"`
	AlertKey   string    `json:"alert_key,omitempty"`
	Service    Ref       `json:"service"`
	Incident   Ref       `json:"incident"`
	Suppressed bool      `json:"suppressed"`
	Severity   string    `json:"severity"`
	Body       AlertBody `json:"body"`
}

// User is a user; on-call entries reference users, and embed them with include[]=users.
type User struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Summary  string `json:"summary,omitempty"`
	Self     string `json:"self,omitempty"`
	HTMLURL  string `json:"html_url,omitempty"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	TimeZone string `json:"time_zone,omitempty"`
}

// OnCall is one on-call period of a user at a level of an escalation policy.
// Schedule is nil for users targeted directly by a rule; Start and End are empty for
// permanent on-calls.
type OnCall struct {
	User             Ref    `json:"user"`
	Schedule         *Ref   `json:"schedule,omitempty"`
	EscalationPolicy Ref    `json:"escalation_policy"`
	EscalationLevel  int    `json:"escalation_level"`
	Start            string `json:"start,omitempty"`
	End              string `json:"end,omitempty"`
}

// EscalationRule is one rule of an escalation policy.
type EscalationRule struct {
	ID                       string `json:"id"`
	EscalationDelayInMinutes int    `json:"escalation_delay_in_minutes"`
	Targets                  []Ref  `json:"targets"`
}

// EscalationPolicy is an escalation policy.
type EscalationPolicy struct {
	ID              string           `json:"id"`
	Type            string           `json:"type"`
	Summary         string           `json:"summary,omitempty"`
	Self            string           `json:"self,omitempty"`
	HTMLURL         string           `json:"html_url,omitempty"`
	Name            string           `json:"name"`
	Description     string           `json:"description,omitempty"`
	NumLoops        int              `json:"num_loops"`
	EscalationRules []EscalationRule `json:"escalation_rules"`
	Services        []Ref            `json:"services"`
	Teams           []Ref            `json:"teams"`
}

// Link is a change event link.
type Link struct {
	Href string `json:"href"`
	Text string `json:"text,omitempty"`
}

// ChangeEvent is a change event (deploy, config change) sent to one or more services.
type ChangeEvent struct {
	ID            string         `json:"id"`
	Type          string         `json:"type"`
	Summary       string         `json:"summary"`
	Timestamp     string         `json:"timestamp"`
	Services      []Ref          `json:"services"`
	Integration   *Ref           `json:"integration,omitempty"`
	Source        string         `json:"source,omitempty"`
	Links         []Link         `json:"links"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// Relationship is a service dependency: DependentService depends on SupportingService.
type Relationship struct {
	ID                string `json:"id"`
	Type              string `json:"type"`
	SupportingService Ref    `json:"supporting_service"`
	DependentService  Ref    `json:"dependent_service"`
}
