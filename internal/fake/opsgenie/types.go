package opsgenie

// Wire types of the Opsgenie REST API v2, as the fake serves them.

// Responder is an alert responder (team, user, escalation or schedule).
type Responder struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Integration names the integration that created an alert.
type Integration struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// Report holds an alert's acknowledge/close facts.
type Report struct {
	AckTime        int64  `json:"ackTime,omitempty"`
	CloseTime      int64  `json:"closeTime,omitempty"`
	AcknowledgedBy string `json:"acknowledgedBy,omitempty"`
	ClosedBy       string `json:"closedBy,omitempty"`
}

// BaseAlert is an alert as alert lists return it.
type BaseAlert struct {
	ID             string       `json:"id"`
	TinyID         string       `json:"tinyId"`
	Alias          string       `json:"alias"`
	Message        string       `json:"message"`
	Status         string       `json:"status"`
	Acknowledged   bool         `json:"acknowledged"`
	IsSeen         bool         `json:"isSeen"`
	Tags           []string     `json:"tags"`
	Snoozed        bool         `json:"snoozed"`
	SnoozedUntil   string       `json:"snoozedUntil,omitempty"`
	Count          int          `json:"count"`
	LastOccurredAt string       `json:"lastOccurredAt"`
	CreatedAt      string       `json:"createdAt"`
	UpdatedAt      string       `json:"updatedAt"`
	Source         string       `json:"source"`
	Owner          string       `json:"owner"`
	Priority       string       `json:"priority"`
	Responders     []Responder  `json:"responders"`
	Integration    *Integration `json:"integration,omitempty"`
	Report         *Report      `json:"report,omitempty"`
}

// Alert is an alert with the fields only GET /v2/alerts/{identifier} returns.
type Alert struct {
	BaseAlert
	Actions     []string          `json:"actions"`
	Entity      string            `json:"entity"`
	Description string            `json:"description"`
	Details     map[string]string `json:"details"`
}

// UserMeta names a user.
type UserMeta struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// UserRole is a user's role: owner, admin, user or a custom role.
type UserRole struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// User is a user as GET /v2/users lists it; Username is normally the user's e-mail.
type User struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	FullName  string    `json:"fullName"`
	Role      *UserRole `json:"role,omitempty"`
	TimeZone  string    `json:"timeZone,omitempty"`
	Locale    string    `json:"locale,omitempty"`
	Blocked   bool      `json:"blocked"`
	Verified  bool      `json:"verified"`
	CreatedAt string    `json:"createdAt,omitempty"`
}

// TeamMember is a member of a team.
type TeamMember struct {
	User UserMeta `json:"user"`
	Role string   `json:"role"`
}

// Team is a team.
type Team struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Members     []TeamMember `json:"members,omitempty"`
}

// TeamMeta names a team.
type TeamMeta struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Schedule is an on-call schedule owned by a team.
type Schedule struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	Timezone    string    `json:"timezone"`
	Enabled     bool      `json:"enabled"`
	OwnerTeam   *TeamMeta `json:"ownerTeam,omitempty"`
}

// Participant is an on-call participant: a user (Name is the username), or an escalation
// or team with nested participants.
type Participant struct {
	ID                 string        `json:"id"`
	Name               string        `json:"name"`
	Type               string        `json:"type"`
	OnCallParticipants []Participant `json:"onCallParticipants,omitempty"`
}

// Duration is an escalation delay.
type Duration struct {
	TimeAmount int    `json:"timeAmount"`
	TimeUnit   string `json:"timeUnit,omitempty"`
}

// Recipient is who an escalation rule notifies: a user (Username) or a schedule, team or
// escalation (Name).
type Recipient struct {
	Type     string `json:"type"`
	ID       string `json:"id,omitempty"`
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
}

// EscalationRule notifies Recipient Delay after the alert was created.
type EscalationRule struct {
	Condition  string    `json:"condition"`
	NotifyType string    `json:"notifyType"`
	Delay      Duration  `json:"delay"`
	Recipient  Recipient `json:"recipient"`
}

// Repeat says how an escalation repeats.
type Repeat struct {
	WaitInterval         int  `json:"waitInterval"`
	Count                int  `json:"count"`
	ResetRecipientStates bool `json:"resetRecipientStates"`
	CloseAlertAfterAll   bool `json:"closeAlertAfterAll"`
}

// Escalation is an escalation policy.
type Escalation struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	OwnerTeam   *TeamMeta        `json:"ownerTeam,omitempty"`
	Rules       []EscalationRule `json:"rules"`
	Repeat      *Repeat          `json:"repeat,omitempty"`
}
