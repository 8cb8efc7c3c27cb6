package jsm

// Wire types of the Jira Service Management Operations REST API and of the Jira platform
// users listing, as the fake serves them (schema names from Atlassian's reference).

// Responder is an alert responder or an escalation rule's recipient: an id and its type
// (user, team, escalation or schedule); users are Atlassian account ids.
type Responder struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// Alert is an AlertResponse, as the alert listing and GET /v1/alerts/{id} return it.
type Alert struct {
	ID              string            `json:"id"`
	TinyID          string            `json:"tinyId"`
	Alias           string            `json:"alias"`
	Message         string            `json:"message"`
	Status          string            `json:"status"`
	Acknowledged    bool              `json:"acknowledged"`
	IsSeen          bool              `json:"isSeen"`
	Tags            []string          `json:"tags"`
	Snoozed         bool              `json:"snoozed"`
	SnoozedUntil    string            `json:"snoozedUntil,omitempty"`
	Count           int               `json:"count"`
	LastOccurredAt  string            `json:"lastOccurredAt"`
	CreatedAt       string            `json:"createdAt"`
	UpdatedAt       string            `json:"updatedAt"`
	Source          string            `json:"source"`
	Owner           string            `json:"owner"`
	Priority        string            `json:"priority"`
	Responders      []Responder       `json:"responders"`
	IntegrationType string            `json:"integrationType,omitempty"`
	IntegrationName string            `json:"integrationName,omitempty"`
	Entity          string            `json:"entity"`
	Description     string            `json:"description"`
	Actions         []string          `json:"actions"`
	ExtraProperties map[string]string `json:"extraProperties"`
}

// Team is a PlatformTeamDto: an Atlassian team with operations enabled.
type Team struct {
	TeamID   string `json:"teamId"`
	TeamName string `json:"teamName"`
}

// Schedule is an on-call schedule assigned to a team.
type Schedule struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Timezone    string `json:"timezone"`
	Enabled     bool   `json:"enabled"`
	TeamID      string `json:"teamId,omitempty"`
}

// Participant is an on-call participant: a user (an account id), or a team or escalation
// with nested participants; ForwardedFrom names who forwarded the shift.
type Participant struct {
	ID                 string        `json:"id"`
	Type               string        `json:"type"`
	OnCallParticipants []Participant `json:"onCallParticipants,omitempty"`
	ForwardedFrom      *Responder    `json:"forwardedFrom,omitempty"`
}

// Period is one shift of a rotation in a schedule's timeline: Responder from StartDate
// to EndDate (RFC 3339); Type is base, override, forwarding or historical.
type Period struct {
	StartDate string    `json:"startDate"`
	EndDate   string    `json:"endDate"`
	Type      string    `json:"type"`
	Responder Responder `json:"responder"`
	// FlattenedResponders are the users behind a team or escalation responder.
	FlattenedResponders []Responder `json:"flattenedResponders,omitempty"`
}

// Rotation names the rotation a schedule's periods belong to.
type Rotation struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Order   int      `json:"order"`
	Periods []Period `json:"periods"`
}

// Delay is an escalation rule's delay.
type Delay struct {
	TimeAmount int    `json:"timeAmount"`
	TimeUnit   string `json:"timeUnit"`
}

// EscalationRule notifies Recipient Delay after the alert was created.
type EscalationRule struct {
	Condition  string    `json:"condition"`
	NotifyType string    `json:"notifyType"`
	Delay      Delay     `json:"delay"`
	Recipient  Responder `json:"recipient"`
}

// Repeat says how an escalation repeats.
type Repeat struct {
	WaitInterval         int  `json:"waitInterval"`
	Count                int  `json:"count"`
	ResetRecipientStates bool `json:"resetRecipientStates"`
	CloseAlertAfterAll   bool `json:"closeAlertAfterAll"`
}

// Escalation is an EscalationResponse of a team.
type Escalation struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Description string           `json:"description,omitempty"`
	Rules       []EscalationRule `json:"rules"`
	Enabled     bool             `json:"enabled"`
	Repeat      *Repeat          `json:"repeat,omitempty"`
}

// User is a Jira platform User as GET /rest/api/3/users/search lists it. EmailAddress is
// empty when the user's profile visibility hides it.
type User struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress,omitempty"`
	Active       bool   `json:"active"`
	TimeZone     string `json:"timeZone,omitempty"`
}
