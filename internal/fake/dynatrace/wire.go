package dynatrace

// The types below are the Environment API v2 JSON shapes (spec3 schemas Problem, Event,
// Entity and their parts), exported so tests and the demo can fill the fake.

// EntityID is the spec's EntityId: a short reference to a monitored entity.
type EntityID struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// EntityStub is the spec's EntityStub: an entity reference with its name.
type EntityStub struct {
	EntityID EntityID `json:"entityId"`
	Name     string   `json:"name,omitempty"`
}

// Stub returns an EntityStub for id of type typ named name.
func Stub(id, typ, name string) EntityStub {
	return EntityStub{EntityID: EntityID{ID: id, Type: typ}, Name: name}
}

// ManagementZone is a management zone reference.
type ManagementZone struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Tag is the spec's METag.
type Tag struct {
	Context              string `json:"context"`
	Key                  string `json:"key"`
	Value                string `json:"value,omitempty"`
	StringRepresentation string `json:"stringRepresentation"`
}

// ContextlessTag returns a custom (CONTEXTLESS) tag key:value (value may be empty).
func ContextlessTag(key, value string) Tag {
	s := key
	if value != "" {
		s += ":" + value
	}
	return Tag{Context: "CONTEXTLESS", Key: key, Value: value, StringRepresentation: s}
}

// AlertingProfileStub is a reference to an alerting profile (problemFilters).
type AlertingProfileStub struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Evidence is one root-cause evidence item (the union of the EVENT, METRIC and
// TRANSACTIONAL shapes; unset optional fields are omitted).
type Evidence struct {
	EvidenceType      string      `json:"evidenceType"`
	DisplayName       string      `json:"displayName"`
	Entity            EntityStub  `json:"entity"`
	GroupingEntity    *EntityStub `json:"groupingEntity,omitempty"`
	RootCauseRelevant bool        `json:"rootCauseRelevant"`
	StartTime         int64       `json:"startTime"`
	EndTime           *int64      `json:"endTime,omitempty"`
	EventID           string      `json:"eventId,omitempty"`
	EventType         string      `json:"eventType,omitempty"`
	Data              *Event      `json:"data,omitempty"`
	MetricID          string      `json:"metricId,omitempty"`
	Unit              string      `json:"unit,omitempty"`
	ValueBefore       *float64    `json:"valueBeforeChangePoint,omitempty"`
	ValueAfter        *float64    `json:"valueAfterChangePoint,omitempty"`
}

// EvidenceDetails lists a problem's evidence (fields=evidenceDetails).
type EvidenceDetails struct {
	TotalCount int64      `json:"totalCount"`
	Details    []Evidence `json:"details"`
}

// Impact is one impact of a problem (fields=impactAnalysis).
type Impact struct {
	ImpactType             string     `json:"impactType"`
	ImpactedEntity         EntityStub `json:"impactedEntity"`
	EstimatedAffectedUsers int64      `json:"estimatedAffectedUsers"`
	// NumberOfPotentiallyAffectedServiceCalls is required for SERVICE impacts.
	NumberOfPotentiallyAffectedServiceCalls *int64 `json:"numberOfPotentiallyAffectedServiceCalls,omitempty"`
}

// ImpactAnalysis lists a problem's impacts.
type ImpactAnalysis struct {
	Impacts []Impact `json:"impacts"`
}

// LinkedProblem points at the problem this one was merged into.
type LinkedProblem struct {
	DisplayID string `json:"displayId"`
	ProblemID string `json:"problemId"`
}

// Problem is the spec's Problem. EndTime is -1 while the problem is open.
type Problem struct {
	ProblemID         string                `json:"problemId"`
	DisplayID         string                `json:"displayId"`
	Title             string                `json:"title"`
	ImpactLevel       string                `json:"impactLevel"`
	SeverityLevel     string                `json:"severityLevel"`
	Status            string                `json:"status"`
	StartTime         int64                 `json:"startTime"`
	EndTime           int64                 `json:"endTime"`
	RootCauseEntity   *EntityStub           `json:"rootCauseEntity,omitempty"`
	AffectedEntities  []EntityStub          `json:"affectedEntities"`
	ImpactedEntities  []EntityStub          `json:"impactedEntities"`
	ManagementZones   []ManagementZone      `json:"managementZones"`
	EntityTags        []Tag                 `json:"entityTags,omitempty"`
	ProblemFilters    []AlertingProfileStub `json:"problemFilters"`
	LinkedProblemInfo *LinkedProblem        `json:"linkedProblemInfo,omitempty"`
	EvidenceDetails   *EvidenceDetails      `json:"evidenceDetails,omitempty"`
	ImpactAnalysis    *ImpactAnalysis       `json:"impactAnalysis,omitempty"`
}

// Property is an event property key/value pair.
type Property struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Event is the spec's Event. EndTime is nil while the event is open.
type Event struct {
	EventID          string           `json:"eventId"`
	EventType        string           `json:"eventType"`
	Title            string           `json:"title"`
	StartTime        int64            `json:"startTime"`
	EndTime          *int64           `json:"endTime,omitempty"`
	Status           string           `json:"status"`
	EntityID         EntityStub       `json:"entityId"`
	Properties       []Property       `json:"properties,omitempty"`
	EntityTags       []Tag            `json:"entityTags,omitempty"`
	ManagementZones  []ManagementZone `json:"managementZones,omitempty"`
	CorrelationID    string           `json:"correlationId,omitempty"`
	UnderMaintenance bool             `json:"underMaintenance"`
	SuppressAlert    bool             `json:"suppressAlert"`
	SuppressProblem  bool             `json:"suppressProblem"`
	FrequentEvent    bool             `json:"frequentEvent"`
}

// Entity is the spec's Entity. The fake returns the optional parts (tags, relationships,
// management zones, properties, timestamps) only when the request's fields ask for them.
type Entity struct {
	EntityID          string                `json:"entityId"`
	Type              string                `json:"type"`
	DisplayName       string                `json:"displayName"`
	FirstSeenTms      int64                 `json:"firstSeenTms,omitempty"`
	LastSeenTms       int64                 `json:"lastSeenTms,omitempty"`
	Tags              []Tag                 `json:"tags,omitempty"`
	ManagementZones   []ManagementZone      `json:"managementZones,omitempty"`
	Properties        map[string]any        `json:"properties,omitempty"`
	FromRelationships map[string][]EntityID `json:"fromRelationships,omitempty"`
	ToRelationships   map[string][]EntityID `json:"toRelationships,omitempty"`
}
