// Package model holds the vendor-neutral types that connectors produce and the join consumes.
// Connectors translate vendor payloads into these types; nothing here knows about any vendor API.
package model

import "time"

// Link is a titled URL (runbook, dashboard, repository).
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
	Type  string `json:"type,omitempty"`
}

// Service is one record of a service as a single source describes it.
// The join merges Services from several sources that describe the same thing.
type Service struct {
	// ID is the source's own identifier (catalog ref, CI sys_id, PagerDuty id, Dynatrace entity id).
	ID string `json:"id"`
	// Name is the machine name (catalog metadata.name, CI name, PagerDuty service name).
	Name string `json:"name"`
	// Title is the human display name, if different from Name.
	Title string `json:"title,omitempty"`
	// Kind is the catalog kind (Component, Resource, System, API) or the source's class name.
	Kind string `json:"kind,omitempty"`
	// Type is the catalog spec.type (service, website, database, queue...).
	Type        string   `json:"type,omitempty"`
	Description string   `json:"description,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	// Owner is the owning team's name as the source states it (e.g. "team-checkout").
	Owner     string   `json:"owner,omitempty"`
	System    string   `json:"system,omitempty"`
	Lifecycle string   `json:"lifecycle,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	Links     []Link   `json:"links,omitempty"`
	// Annotations are the catalog's annotations as it states them.
	Annotations map[string]string `json:"annotations,omitempty"`
	// Refs are the catalog's statements that this service is known to other sources (its
	// record there, or a link such as an on-call team), filled by the catalog connectors.
	Refs []Ref `json:"refs,omitempty"`
	// Repos are where the catalog says the service's code lives, most telling first.
	Repos []Repo `json:"repos,omitempty"`
	// SLODeclared is set when the catalog declares an SLO for this service (evaluated by an
	// SLO source per service, so SLO listings do not return it).
	SLODeclared bool   `json:"slo_declared,omitempty"`
	Source      string `json:"source"`
	URL         string `json:"url,omitempty"`
}

// Ref is a catalog's statement that a service is known to another source.
type Ref struct {
	// In is the source it points into: "pagerduty", "dynatrace", "opsgenie", ...; empty
	// for a CMDB correlation id whose system is not stated (see CorrelationVia).
	In string `json:"in"`
	// ID is the id or name of the service's own record in that source when the reference
	// names one (a PagerDuty service id); empty when it only links the service to the
	// source (an Opsgenie team that is paged for it).
	ID string `json:"id,omitempty"`
	// Via says how the catalog stated it, e.g. "annotation pagerduty.com/service-id".
	Via string `json:"via"`
}

// Repo is where a service's code lives as a catalog states it: a repository on a code
// host and, in a monorepo, the folder inside it (as parsed by internal/repourl:
// lowercased, without ".git"); or, for a catalog read from disk, a local folder.
type Repo struct {
	// Host is the code host ("github.com"); "" when the statement does not name one (a
	// project slug, which GitHub Enterprise and self-managed GitLab use too).
	Host string `json:"host,omitempty"`
	// Path is the repository's path on the host ("shop/mono"), Dir the folder in it.
	Path string `json:"path,omitempty"`
	Dir  string `json:"dir,omitempty"`
	// Local is an absolute local folder (a dir: or file: location) instead of a repository.
	Local string `json:"local,omitempty"`
	// Via says how the catalog states it, e.g. "annotation backstage.io/source-location".
	Via string `json:"via"`
}

// CorrelationVia begins the Via of a CMDB record's correlation id: the id by which the
// system that feeds the record knows the service (a catalog name or entity ref, a
// discovery source's own id). The directory matches records by it.
const CorrelationVia = "correlation_id"

// DisplayName returns Title when set, else Name.
func (s Service) DisplayName() string {
	if s.Title != "" {
		return s.Title
	}
	return s.Name
}

// Person is a human contact.
type Person struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Team is an owning group.
type Team struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	DisplayName string   `json:"display_name,omitempty"`
	Email       string   `json:"email,omitempty"`
	Channel     string   `json:"channel,omitempty"` // chat channel or other contact
	Members     []Person `json:"members,omitempty"`
	Parent      string   `json:"parent,omitempty"`
	Links       []Link   `json:"links,omitempty"`
	Source      string   `json:"source"`
}

// Dependency is a directed edge: From depends on (calls, uses) To.
type Dependency struct {
	From string `json:"from"` // Service.ID in the same source
	To   string `json:"to"`   // Service.ID in the same source
	// Kind says how the edge is known: "depends_on", "calls", "api" (what runs where is
	// Catalog.RunsOn, not a dependency).
	Kind   string `json:"kind,omitempty"`
	Source string `json:"source"`
	// Contract holds declared expectations on the edge (timeout, SLO), if any.
	Contract string `json:"contract,omitempty"`
	// Measured is set when the source saw the edge in traffic rather than having it declared.
	Measured bool `json:"measured,omitempty"`
}

// Catalog is everything one source knows about what exists: services, teams, people and edges.
type Catalog struct {
	Services     []Service    `json:"services"`
	Teams        []Team       `json:"teams,omitempty"`
	People       []Person     `json:"people,omitempty"`
	Dependencies []Dependency `json:"dependencies,omitempty"`
	// Hosts are the hosts, nodes, clusters and namespaces services run on, and RunsOn the
	// edges from services (or hosts) to them: kept apart from the services and their
	// dependencies.
	Hosts  []Host   `json:"hosts,omitempty"`
	RunsOn []RunsOn `json:"runs_on,omitempty"`
	// Truncated is set when the source had more rows than the configured cap.
	Truncated bool `json:"truncated,omitempty"`
}

// OnCall is a shift: a person on call for a service at an escalation level (1 = first
// responder), from Start (zero: not known, or since before anyone asked) until Until (zero:
// not known, or without end).
type OnCall struct {
	Name     string    `json:"name"`
	Email    string    `json:"email,omitempty"`
	Level    int       `json:"level"`
	Start    time.Time `json:"start,omitzero"`
	Until    time.Time `json:"until,omitzero"`
	Schedule string    `json:"schedule,omitempty"`
	// Override is set when the shift is a schedule override, which wins over the rotation.
	Override bool   `json:"override,omitempty"`
	Source   string `json:"source"`
}

// CoversAt reports whether the shift holds t.
func (o OnCall) CoversAt(t time.Time) bool {
	return !t.Before(o.Start) && (o.Until.IsZero() || t.Before(o.Until))
}

// Condition is what keeps an escalation rule going: escalation stops when it no longer holds.
type Condition string

// Escalation conditions (Opsgenie's rule conditions; PagerDuty's policies stop on acknowledgement).
const (
	IfNotAcked  Condition = ""              // the rule fires only while the alert or incident is unacknowledged
	IfNotClosed Condition = "if-not-closed" // the rule fires until the alert or incident is closed, acknowledged or not
)

// EscalationStep is one rule of an escalation policy: after AfterMinutes unresolved, Targets are paged.
// AfterMinutes is cumulative from the incident start.
type EscalationStep struct {
	Level        int      `json:"level"`
	AfterMinutes int      `json:"after_minutes"`
	Targets      []string `json:"targets"`
	// Condition is what keeps the rule going (default: fires only while unacknowledged).
	Condition Condition `json:"condition,omitempty"`
	Source    string    `json:"source"`
}

// Responders is what an on-call source knows for one service.
type Responders struct {
	// OnCall are the shifts that hold now, per level.
	OnCall []OnCall `json:"oncall,omitempty"`
	// Upcoming are the shifts that begin after now and before the target's Ahead: who takes
	// over each level, and when.
	Upcoming []OnCall `json:"upcoming,omitempty"`
	// LooksAhead is set when the source read the shifts up to the target's Ahead: a level
	// whose shift ends before then with no upcoming shift is then unstaffed, not unknown.
	LooksAhead bool             `json:"looks_ahead,omitempty"`
	Escalation []EscalationStep `json:"escalation,omitempty"`
	// Policy names the escalation policy / schedule the answer came from.
	Policy string `json:"policy,omitempty"`
	// Loops is how many times the policy repeats after its last level, each pass lasting
	// CycleMinutes (PagerDuty num_loops; Opsgenie repeat).
	Loops        int `json:"loops,omitempty"`
	CycleMinutes int `json:"cycle_minutes,omitempty"`
	// Note explains a partial answer, e.g. "on-call unavailable from ServiceNow".
	Note string `json:"note,omitempty"`
}

// Alert is a firing signal: an Alertmanager alert, a PagerDuty alert or incident, an Opsgenie alert.
type Alert struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Service string `json:"service,omitempty"` // the service name as the source labels it
	// Host is the host, node or instance the alert names, as the source labels it (a port
	// kept: "app-01.shop.example:9100"); the answer attributes an alert without a service to
	// the host it runs on through it.
	Host     string `json:"host,omitempty"`
	Severity string `json:"severity,omitempty"`
	// Level is Severity on opsctx's scale, set by connectors whose vendor words are not the
	// common ones (see SeverityOf); zero means read Severity.
	Level Severity `json:"level,omitempty"`
	// Status is the alert's state on opsctx's one vocabulary (empty: open, state unknown).
	Status AlertState `json:"status,omitempty"`
	// InhibitedBy are the ids (fingerprints) of the alerts that inhibit it (Status inhibited).
	InhibitedBy []string `json:"inhibited_by,omitempty"`
	// MutedBy names the time intervals that mute it (Status muted).
	MutedBy []string `json:"muted_by,omitempty"`
	// Notifier is set by a source that decides whether the alert notifies anyone (an
	// Alertmanager): its Status is the authority on silences, inhibitions and mutes. A rule
	// evaluator (Prometheus) reports the same alert firing without knowing them.
	Notifier bool `json:"notifier,omitempty"`
	// SLO names the SLO an SLO tool's alert belongs to (Sloth's sloth_slo, Pyrra's slo
	// label); the answer attributes an alert without a service through it.
	SLO string `json:"slo,omitempty"`
	// DedupKey joins the same alert across systems (fingerprint, alert_key, alias).
	DedupKey    string            `json:"dedup_key,omitempty"`
	StartedAt   time.Time         `json:"started_at,omitzero"`
	Labels      map[string]string `json:"labels,omitempty"`
	Description string            `json:"description,omitempty"`
	RunbookURL  string            `json:"runbook_url,omitempty"`
	// Acks are who acknowledged the alert and when (Opsgenie and JSM alert owners).
	Acks []Ack `json:"acks,omitempty"`
	// SilencedBy are the ids of the silences that mute the alert now (Status silenced; see
	// Mute for who set them, why and until when).
	SilencedBy []string `json:"silenced_by,omitempty"`
	// FiresAt is when a pending alert fires if its condition still holds (its rule's `for`
	// runs out); zero for an alert that is not pending or whose rule is not known.
	FiresAt time.Time `json:"fires_at,omitzero"`
	Source  string    `json:"source"`
	URL     string    `json:"url,omitempty"`
}

// Problem is an observability finding with impact and, where known, a root cause.
type Problem struct {
	ID        string    `json:"id"`
	DisplayID string    `json:"display_id,omitempty"`
	Title     string    `json:"title"`
	Severity  string    `json:"severity,omitempty"`
	Level     Severity  `json:"level,omitempty"` // see Alert.Level
	Impact    string    `json:"impact,omitempty"`
	Status    string    `json:"status"` // ProblemOpen or ProblemClosed
	StartedAt time.Time `json:"started_at"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	// RootCause names the root-cause entity (entity id or service name) when known.
	RootCause     string   `json:"root_cause,omitempty"`
	RootCauseName string   `json:"root_cause_name,omitempty"`
	Impacted      []string `json:"impacted,omitempty"` // entity ids or service names
	ImpactedNames []string `json:"impacted_names,omitempty"`
	// Owners are the teams the source's tags name for the problem's entities (ownership hints:
	// they place a problem with its team even when its entities are in no catalog).
	Owners []string `json:"owners,omitempty"`
	// Zones are the management zones (or similar scopes) of the problem's entities.
	Zones  []string `json:"zones,omitempty"`
	Source string   `json:"source"`
	URL    string   `json:"url,omitempty"`
}

// Problem states.
const (
	ProblemOpen   = "open"
	ProblemClosed = "closed"
)

// IncidentResolved is the Status of an incident that is over; any other status is open.
const IncidentResolved = "resolved"

// Incident is a ticket or page: a PagerDuty incident, a ServiceNow INC, an Opsgenie alert acting as incident.
type Incident struct {
	ID        string    `json:"id"`
	Number    string    `json:"number,omitempty"` // human number: INC0012345, PagerDuty incident_number
	Title     string    `json:"title"`
	Service   string    `json:"service,omitempty"`
	Priority  string    `json:"priority,omitempty"`
	Level     Severity  `json:"level,omitempty"` // Priority on opsctx's scale; see Alert.Level
	Urgency   string    `json:"urgency,omitempty"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"started_at"`
	Assignees []string  `json:"assignees,omitempty"`
	// Acks are who acknowledged the incident and when, earliest first.
	Acks []Ack `json:"acks,omitempty"`
	// Scheduled are the actions the source has scheduled on the incident (an escalation, the
	// acknowledgement timing out), soonest first.
	Scheduled []Action `json:"scheduled,omitempty"`
	Team      string   `json:"team,omitempty"`
	Source    string   `json:"source"`
	URL       string   `json:"url,omitempty"`
}

// Change is a change record, deployment or configuration event. At is when it happened
// (began), or for a change scheduled later than now, when it is to begin.
type Change struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Kind    string    `json:"kind"` // deploy, config, infra, change_request
	At      time.Time `json:"at"`
	EndAt   time.Time `json:"end_at,omitzero"`
	Author  string    `json:"author,omitempty"`
	Service string    `json:"service,omitempty"` // service name or id as the source states it
	// Risk carries vendor facts that raise suspicion: "emergency", "failed", "unauthorized".
	Risk    []string `json:"risk,omitempty"`
	State   string   `json:"state,omitempty"`
	Version string   `json:"version,omitempty"`
	// Setting, Before and After are what a deploy or config event says the change did: the
	// setting changed (a deployment's is "version") and its value before and after, as the
	// source wrote them; empty when the source does not say.
	Setting string `json:"setting,omitempty"`
	Before  string `json:"before,omitempty"`
	After   string `json:"after,omitempty"`
	// RecordRef is the change record a deploy or config event names (a ServiceNow CHG
	// number...), when it names one: the event is that record's change seen by telemetry.
	RecordRef string `json:"record_ref,omitempty"`
	// Record holds an ITSM change record's windows, people and backout plan.
	Record *ChangeRecord `json:"record,omitempty"`
	Source string        `json:"source"`
	URL    string        `json:"url,omitempty"`
}

// SourceState is the status of one source in one answer.
type SourceState string

// Source states.
const (
	StateOK    SourceState = "ok"
	StateError SourceState = "error"
	StateStale SourceState = "stale"
	// StatePartial: the source answered, but a listing may be incomplete (Error says which and why).
	StatePartial  SourceState = "partial"
	StateDisabled SourceState = "disabled"
	// StateSkipped is an instance the answer did not ask: outside the environment asked about.
	StateSkipped SourceState = "skipped"
)

// SourceStatus reports how one source contributed to an answer.
type SourceStatus struct {
	Name      string      `json:"name"`
	Status    SourceState `json:"status"`
	AsOf      time.Time   `json:"as_of,omitzero"`
	LatencyMS int64       `json:"latency_ms"`
	Error     string      `json:"error,omitempty"`
}

// SLO is a service level objective with what its source observed. Sources that only know
// raw error ratios fill ErrorRatios (the join computes burn rates and budget); sources that
// evaluate SLOs themselves (Dynatrace) fill the evaluated fields.
type SLO struct {
	Name    string `json:"name"`
	Service string `json:"service"` // service name or id as the source states it
	// Objective is the target in percent, e.g. 99.9.
	Objective float64 `json:"objective"`
	// Warning is an optional warning threshold in percent.
	Warning float64       `json:"warning,omitempty"`
	Window  time.Duration `json:"window"`
	SLI     string        `json:"sli,omitempty"`
	// ErrorRatios are observed error ratios (0..1) per window: "5m", "30m", "1h", "6h", "3d",
	// and "window" (the whole SLO window). A missing key means no data (no traffic).
	ErrorRatios map[string]float64 `json:"error_ratios,omitempty"`
	// BurnRates are burn rates the source computed itself, per window (e.g. Dynatrace's 1h).
	BurnRates map[string]float64 `json:"burn_rates,omitempty"`
	// Attainment is the evaluated percentage over the window, when the source evaluates.
	Attainment *float64 `json:"attainment,omitempty"`
	// BudgetRemaining is the remaining error budget as a fraction (1 = untouched), when known.
	BudgetRemaining *float64 `json:"budget_remaining,omitempty"`
	// Error is set when the source could not evaluate the SLO (a failing query): no number is
	// better than a wrong one.
	Error  string    `json:"error,omitempty"`
	Source string    `json:"source"`
	URL    string    `json:"url,omitempty"`
	AsOf   time.Time `json:"as_of,omitzero"`
}
