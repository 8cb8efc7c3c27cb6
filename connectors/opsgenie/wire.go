package opsgenie

// Wire types: the fields of Opsgenie's JSON this connector reads.

type alert struct {
	ID           string   `json:"id"`
	TinyID       string   `json:"tinyId"`
	Alias        string   `json:"alias"`
	Message      string   `json:"message"`
	Status       string   `json:"status"`
	Acknowledged bool     `json:"acknowledged"`
	Snoozed      bool     `json:"snoozed"`
	Tags         []string `json:"tags"`
	CreatedAt    string   `json:"createdAt"`
	Priority     string   `json:"priority"`
	Source       string   `json:"source"`
	Owner        string   `json:"owner"`
	// Report says who acknowledged the alert, and how long after its creation (ms).
	Report *struct {
		AckTime        int64  `json:"ackTime"`
		AcknowledgedBy string `json:"acknowledgedBy"`
	} `json:"report"`
	// Entity and Description come only with GET /v2/alerts/{identifier}.
	Entity      string `json:"entity"`
	Description string `json:"description"`
}

type teamMeta struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type schedule struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Enabled   bool      `json:"enabled"`
	OwnerTeam *teamMeta `json:"ownerTeam"`
}

// user is an entry of GET /v2/users; Username is normally the user's e-mail.
type user struct {
	Username string `json:"username"`
	FullName string `json:"fullName"`
}

type participant struct {
	ID                 string        `json:"id"`
	Name               string        `json:"name"`
	Type               string        `json:"type"`
	OnCallParticipants []participant `json:"onCallParticipants"`
}

type recipient struct {
	Type     string `json:"type"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// label returns the recipient's display name.
func (r recipient) label() string {
	for _, s := range []string{r.Name, r.Username, r.ID} {
		if s != "" {
			return s
		}
	}
	return r.Type // "all", "none"
}

type escalationPolicy struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	OwnerTeam *teamMeta `json:"ownerTeam"`
	Rules     []struct {
		// Condition is if-not-acked or if-not-closed: what keeps the rule going.
		Condition string `json:"condition"`
		Delay     struct {
			TimeAmount int    `json:"timeAmount"`
			TimeUnit   string `json:"timeUnit"`
		} `json:"delay"`
		Recipient recipient `json:"recipient"`
	} `json:"rules"`
	Repeat *struct {
		WaitInterval int `json:"waitInterval"`
		Count        int `json:"count"`
	} `json:"repeat"`
}

// timeline is a schedule's final timeline (GET /v2/schedules/{id}/timeline).
type timeline struct {
	StartDate     string `json:"startDate"`
	EndDate       string `json:"endDate"`
	FinalTimeline struct {
		Rotations []struct {
			Periods []struct {
				StartDate string    `json:"startDate"`
				EndDate   string    `json:"endDate"`
				Type      string    `json:"type"`
				Recipient recipient `json:"recipient"`
			} `json:"periods"`
		} `json:"rotations"`
	} `json:"finalTimeline"`
}
