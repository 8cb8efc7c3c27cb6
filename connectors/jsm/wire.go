package jsm

// Wire types: the fields of JSM Operations' and Jira's JSON this connector reads.

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
	Entity       string   `json:"entity"`
	Description  string   `json:"description"`
}

type team struct {
	ID   string `json:"teamId"`
	Name string `json:"teamName"`
}

type schedule struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	TeamID  string `json:"teamId"`
}

// user is a Jira user; EmailAddress is empty when the user's profile hides it.
type user struct {
	AccountID    string `json:"accountId"`
	AccountType  string `json:"accountType"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
}

// responder is a user (account id), team, escalation or schedule.
type responder struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type participant struct {
	ID                 string        `json:"id"`
	Type               string        `json:"type"`
	OnCallParticipants []participant `json:"onCallParticipants"`
}

type period struct {
	StartDate           string      `json:"startDate"`
	EndDate             string      `json:"endDate"`
	Type                string      `json:"type"`
	Responder           responder   `json:"responder"`
	FlattenedResponders []responder `json:"flattenedResponders"`
}

type timeline struct {
	StartDate     string `json:"startDate"`
	EndDate       string `json:"endDate"`
	FinalTimeline struct {
		Rotations []struct {
			Periods []period `json:"periods"`
		} `json:"rotations"`
	} `json:"finalTimeline"`
}

type escalationPolicy struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	Rules   []struct {
		// Condition is if-not-acked or if-not-closed: what keeps the rule going.
		Condition string `json:"condition"`
		Delay     struct {
			TimeAmount int    `json:"timeAmount"`
			TimeUnit   string `json:"timeUnit"`
		} `json:"delay"`
		Recipient responder `json:"recipient"`
	} `json:"rules"`
	Repeat *struct {
		WaitInterval int `json:"waitInterval"`
		Count        int `json:"count"`
	} `json:"repeat"`
}

// links is the operations API's paging: the next page's path, absent on the last page.
type links struct {
	Next string `json:"next"`
}
