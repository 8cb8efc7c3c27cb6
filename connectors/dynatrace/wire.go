package dynatrace

// Environment API v2 response shapes, limited to the fields opsctx reads. Unknown fields
// and enum values are ignored, as the API may add them without a version bump.

type entityRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type entityStub struct {
	EntityID entityRef `json:"entityId"`
	Name     string    `json:"name"`
}

type tag struct {
	Context string `json:"context"`
	Key     string `json:"key"`
	Value   string `json:"value"`
}

type evidence struct {
	EvidenceType      string     `json:"evidenceType"`
	DisplayName       string     `json:"displayName"`
	Entity            entityStub `json:"entity"`
	RootCauseRelevant bool       `json:"rootCauseRelevant"`
}

type impact struct {
	ImpactType             string     `json:"impactType"`
	ImpactedEntity         entityStub `json:"impactedEntity"`
	EstimatedAffectedUsers int64      `json:"estimatedAffectedUsers"`
}

type problem struct {
	ProblemID        string       `json:"problemId"`
	DisplayID        string       `json:"displayId"`
	Title            string       `json:"title"`
	ImpactLevel      string       `json:"impactLevel"`
	SeverityLevel    string       `json:"severityLevel"`
	Status           string       `json:"status"`
	StartTime        int64        `json:"startTime"`
	EndTime          int64        `json:"endTime"`
	RootCauseEntity  *entityStub  `json:"rootCauseEntity"`
	ImpactedEntities []entityStub `json:"impactedEntities"`
	AffectedEntities []entityStub `json:"affectedEntities"`
	EvidenceDetails  *struct {
		Details []evidence `json:"details"`
	} `json:"evidenceDetails"`
	ImpactAnalysis *struct {
		Impacts []impact `json:"impacts"`
	} `json:"impactAnalysis"`
	EntityTags      []tag  `json:"entityTags"`
	ManagementZones []zone `json:"managementZones"`
}

type zone struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type property struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type event struct {
	EventID    string     `json:"eventId"`
	EventType  string     `json:"eventType"`
	Title      string     `json:"title"`
	StartTime  int64      `json:"startTime"`
	EndTime    *int64     `json:"endTime"`
	Status     string     `json:"status"`
	EntityID   entityStub `json:"entityId"`
	Properties []property `json:"properties"`
}

type entity struct {
	EntityID          string                 `json:"entityId"`
	Type              string                 `json:"type"`
	DisplayName       string                 `json:"displayName"`
	Tags              []tag                  `json:"tags"`
	Properties        map[string]any         `json:"properties"`
	FromRelationships map[string][]entityRef `json:"fromRelationships"`
	ToRelationships   map[string][]entityRef `json:"toRelationships"`
}
