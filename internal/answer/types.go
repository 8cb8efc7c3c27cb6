// Package answer holds the structured results of the tools and the pure building blocks
// every answer is assembled from: alert grouping and correlation with root causes, the truth
// rules (rules.go: where a fact belongs, alert state, SLO impact, stale data), SLO entries,
// sources, spread across instances and the detail levels. Each tool is assembled in a
// subpackage (incident, find, issues, audit, blast; clock and prepare beneath them). It
// fetches nothing and knows no vendor.
package answer

import (
	"cmp"
	"time"

	"github.com/opsctx/opsctx/internal/answer/spread"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
)

// The types below are the structured results of the tools. Field names follow the public
// contract in DESIGN.md. Times stay time.Time (in UTC) until JSON encoding, which writes them
// as RFC 3339; an unknown time is absent, never a zero date.

// ServiceRef identifies the resolved service.
type ServiceRef struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Title     string   `json:"title,omitempty"`
	Aliases   []string `json:"aliases"`
	OwnerTeam string   `json:"owner_team"`
}

// Owner is an owning team as one source states it.
type Owner struct {
	Team     string `json:"team"`
	TeamName string `json:"team_name,omitempty"`
	Source   string `json:"source"`
}

// OnCallEntry is a person on call now.
type OnCallEntry struct {
	Name     string    `json:"name"`
	Email    string    `json:"email,omitempty"`
	Level    int       `json:"level"`
	Until    time.Time `json:"until,omitzero"`
	Schedule string    `json:"schedule,omitempty"`
	// Source is the first source that reports this person at this level; Sources lists all.
	Source  string   `json:"source"`
	Sources []string `json:"sources,omitempty"`
	// Handover is who takes this level over when the shift ends, if that is within the
	// horizon.
	Handover *Handover `json:"handover,omitempty"`
}

// Handover is who takes an on-call level over, and when. An empty To means the source
// schedules no one after the shift.
type Handover struct {
	To    string    `json:"to"`
	Email string    `json:"email,omitempty"`
	At    time.Time `json:"at"`
	// Until is when the successor's shift ends, as the source says (absent when it does not).
	Until    time.Time `json:"until,omitzero"`
	Override bool      `json:"override,omitempty"`
	Source   string    `json:"source"`
}

// EscalationState is where an escalation level stands for the service's open incident.
type EscalationState string

// Escalation states.
const (
	EscalationPaged EscalationState = "paged" // the level fired
	EscalationDue   EscalationState = "due"   // the level fires at FiresAt unless someone acknowledges
	EscalationHeld  EscalationState = "held"  // the level will not fire: the incident is acknowledged
)

// EscalationEntry is one escalation level with its timing.
type EscalationEntry struct {
	Level        int      `json:"level"`
	AfterMinutes int      `json:"after_minutes"`
	Targets      []string `json:"targets"`
	Source       string   `json:"source"`
	// FiresAt is when this level is (or was) paged for the service's own open incident or
	// alert in this source; absent when there is none, or when the level will not fire.
	FiresAt time.Time `json:"fires_at,omitzero"`
	// State is where the level stands for that incident (absent without one).
	State EscalationState `json:"state,omitempty"`
	// TimedFrom names the source's own open page the level is timed from ("pagerduty
	// incident 4711"); absent without one.
	TimedFrom string `json:"timed_from,omitempty"`
	// Confirmed is set on a paged level its source shows paged (the incident is assigned to
	// one of its targets); a paged level without it fired by the policy's timing alone,
	// which the source does not confirm.
	Confirmed bool `json:"confirmed,omitempty"`
}

// ProblemEntry is an open observability problem.
type ProblemEntry struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Severity is on opsctx's one scale (critical, high, warning, low, info, unknown);
	// VendorSeverity is the source's own word for it.
	Severity       string    `json:"severity"`
	VendorSeverity string    `json:"vendor_severity,omitempty"`
	Status         string    `json:"status"`
	StartedAt      time.Time `json:"started_at,omitzero"`
	// Impact describes who is affected, e.g. "38% of users", when the source says.
	Impact    string   `json:"impact,omitempty"`
	RootCause string   `json:"root_cause"`
	Impacted  []string `json:"impacted"`
	// Relation and Neighbour say how the problem touches the service asked about when
	// neither its root cause nor its impacted services are that service: through Neighbour,
	// its dependency or consumer (see Relation).
	Relation  Relation       `json:"relation,omitempty"`
	Neighbour string         `json:"neighbour,omitempty"`
	Source    string         `json:"source"`
	URL       string         `json:"url,omitempty"`
	level     model.Severity // of Severity
}

// AlertRef is one alert inside a group.
type AlertRef struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Source string `json:"source,omitempty"`
	URL    string `json:"url,omitempty"`
	// Description is the alert's own text, at detail=full.
	Description string `json:"description,omitempty"`
}

// SilenceEntry is a silence that holds an alert group's notifications back: who set it,
// why, and until when.
type SilenceEntry struct {
	ID        string    `json:"id"`
	CreatedBy string    `json:"created_by,omitempty"`
	Comment   string    `json:"comment,omitempty"`
	EndsAt    time.Time `json:"ends_at,omitzero"`
}

// AlertGroup is a set of alerts that describe the same fire.
type AlertGroup struct {
	Key     string `json:"key"`
	Service string `json:"service"`
	// Relation says how Service relates to the service asked about ("" when it is that
	// service): the group is a neighbour's, listed under its own name.
	Relation Relation `json:"relation,omitempty"`
	// State is the group's notification state: firing, acknowledged, silenced, inhibited or
	// muted. When Alertmanager reports the alerts, its word decides.
	State model.AlertState `json:"state"`
	// Severity is on opsctx's one scale; VendorSeverity the sources' own word.
	Severity       string `json:"severity"`
	VendorSeverity string `json:"vendor_severity,omitempty"`
	// Count is how many distinct alerts the group holds: one alert seen by several sources
	// counts once (Sources lists them).
	Count     int        `json:"count"`
	FirstSeen time.Time  `json:"first_seen,omitzero"`
	Sources   []string   `json:"sources"`
	Alerts    []AlertRef `json:"alerts"`
	// Silences are the silences of a silenced group; InhibitedBy the alerts that inhibit an
	// inhibited one (their titles, or ids when unknown); MutedBy the time intervals of a
	// muted one.
	Silences    []SilenceEntry `json:"silences,omitempty"`
	InhibitedBy []string       `json:"inhibited_by,omitempty"`
	MutedBy     []string       `json:"muted_by,omitempty"`
	// ExplainedBy names the root-cause problem that explains this group, if any.
	ExplainedBy string `json:"explained_by,omitempty"`
	// UserImpact says which burning SLO the group touches, or "no user impact measured".
	UserImpact string `json:"user_impact,omitempty"`
	// Spread says, for source kinds asked of several instances, in how many of them the
	// group fires and where that is unknown.
	Spread []spread.Spread `json:"spread,omitempty"`
	level  model.Severity  // of Severity
}

// IncidentEntry is an open incident or ticket (an extension of the DESIGN contract).
type IncidentEntry struct {
	ID     string `json:"id"`
	Number string `json:"number,omitempty"`
	Title  string `json:"title"`
	// Priority is the source's own word; Severity the same on opsctx's one scale.
	Priority  string    `json:"priority,omitempty"`
	Severity  string    `json:"severity"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"started_at,omitzero"`
	Service   string    `json:"service,omitempty"`
	// Relation says how Service relates to the service asked about ("" when it is that
	// service, or unknown).
	Relation Relation `json:"relation,omitempty"`
	Team     string   `json:"team,omitempty"`
	// Assignees are the people the incident is assigned to, by name.
	Assignees []string `json:"assignees,omitempty"`
	// Acks are who acknowledged the incident and when, earliest first.
	Acks   []model.Ack    `json:"acks,omitempty"`
	Source string         `json:"source"`
	URL    string         `json:"url,omitempty"`
	level  model.Severity // of Priority
}

// ChangeEntry is a change with its suspicion score.
type ChangeEntry struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind"`
	At        time.Time `json:"at,omitzero"`
	Author    string    `json:"author"`
	Service   string    `json:"service"`
	Source    string    `json:"source"`
	URL       string    `json:"url,omitempty"`
	Suspicion float64   `json:"suspicion"`
	// Reason is Reasons in one sentence.
	Reason string `json:"reason"`
	// Reasons are why the change is suspicious (or not), most telling first: timing,
	// location, kind, risk flags, corroboration.
	Reasons []string `json:"reasons,omitempty"`
	// ConfirmedBy names the sources whose telemetry saw this change record happen.
	ConfirmedBy []string `json:"confirmed_by,omitempty"`
	// AfterStart is set on a change that happened after the trouble started: a response or a
	// coincidence, ranked below every change before it.
	AfterStart bool `json:"after_start,omitempty"`
	// Record is the change record's windows, people and backout plan, given for the most
	// suspicious change when its source keeps them.
	Record *model.ChangeRecord `json:"record,omitempty"`
	// Pinned is set on the change the question named: it comes first whatever its score.
	Pinned bool `json:"pinned,omitempty"`
	// Values are what the change's deploy or config events say it did (setting, before,
	// after), beside its record, whose own text rarely says.
	Values []ChangeValues `json:"values,omitempty"`
	// BackoutDoubt is set when the record's backout plan names the value the change set and
	// never the one it replaced: run as written it may restore the new value.
	BackoutDoubt *BackoutDoubt `json:"backout_doubt,omitempty"`
}

// BackoutDoubt is a doubt about a change record's backout plan that the change's own events
// raise. It is a possibility, never a verdict: the texts are quoted for a person to judge.
type BackoutDoubt struct {
	// Text says it in one sentence, quoting the plan and the event (left out of a brief
	// answer, whose headline names New and Old).
	Text string `json:"text,omitempty"`
	// New is the value the change set, which the plan names; Old the value it replaced,
	// which the plan never names.
	New string `json:"new"`
	Old string `json:"old"`
}

// ChangeValues is what one deploy or config event says a change did.
type ChangeValues struct {
	Source string `json:"source"`
	// Event is the event's id in its source.
	Event   string `json:"event"`
	Setting string `json:"setting,omitempty"`
	Before  string `json:"before,omitempty"`
	After   string `json:"after,omitempty"`
}

// Text is the values in a few words: "statement_timeout 5s -> 30s" (an unknown side is "?").
func (v ChangeValues) Text() string {
	s := cmp.Or(v.Before, "?") + " -> " + cmp.Or(v.After, "?")
	if v.Setting != "" {
		s = v.Setting + " " + s
	}
	return s
}

// DependencyEntry is a neighbour in the dependency graph.
type DependencyEntry struct {
	Service   string `json:"service"`
	OwnerTeam string `json:"owner_team"`
	// Health is "ok", "degraded" (alerts), "failing" (open problem) or "unknown".
	Health Health `json:"health"`
	// Via lists the sources that know the edge (catalogfile, servicenow, dynatrace...).
	Via []string `json:"via,omitempty"`
}

// Dependencies are the service's neighbours: upstream are what it depends on, downstream what depends on it.
type Dependencies struct {
	Upstream   []DependencyEntry `json:"upstream"`
	Downstream []DependencyEntry `json:"downstream"`
}

// SLOEntry is a service level objective with its burn (filled by SLO sources). A figure the
// source could not compute is null (absent from BurnRates), never 0, and Error says why.
type SLOEntry struct {
	Name      string  `json:"name"`
	Service   string  `json:"service"`
	Objective float64 `json:"objective"`
	Window    string  `json:"window"`
	SLI       string  `json:"sli,omitempty"`
	// ErrorBudgetRemaining is the fraction of the budget left (1 = untouched, ≤ 0 =
	// exhausted); null when unknown.
	ErrorBudgetRemaining *float64           `json:"error_budget_remaining"`
	BurnRates            map[string]float64 `json:"burn_rates"`
	Status               slo.Status         `json:"status"`
	Source               string             `json:"source"`
	AsOf                 time.Time          `json:"as_of,omitzero"`
	// HoursToExhaust is how long the remaining budget lasts at the 1h burn rate (0 = not
	// burning); null when unknown.
	HoursToExhaust *float64 `json:"hours_to_exhaust"`
	// Error is set when the SLO could not be evaluated; its figures are then null.
	Error string `json:"error,omitempty"`
}

// SourceEntry is a source's status in an answer.
type SourceEntry struct {
	Name      string            `json:"name"`
	Status    model.SourceState `json:"status"`
	AsOf      time.Time         `json:"as_of,omitzero"`
	LatencyMS int64             `json:"latency_ms"`
	Error     string            `json:"error,omitempty"`
}

// Omitted counts list items left out of an answer by the detail level.
type Omitted struct {
	Problems    int `json:"problems,omitempty"`
	AlertGroups int `json:"alert_groups,omitempty"`
	// SuppressedAlertGroups are silenced, inhibited or muted groups left out.
	SuppressedAlertGroups int `json:"suppressed_alert_groups,omitempty"`
	Changes               int `json:"changes,omitempty"`
	Incidents             int `json:"incidents,omitempty"`
	Upstream              int `json:"upstream,omitempty"`
	Downstream            int `json:"downstream,omitempty"`
	SLOs                  int `json:"slos,omitempty"`
	OnCall                int `json:"oncall,omitempty"`
	Next                  int `json:"next,omitempty"`
	Escalation            int `json:"escalation,omitempty"`
	Owners                int `json:"owners,omitempty"`
	Runbooks              int `json:"runbooks,omitempty"`
	Notes                 int `json:"notes,omitempty"`
	// Sources are the sources that answered fine, left out of a brief answer's list (which
	// names only those that did not; sources not configured or not asked are left out too).
	Sources int `json:"sources,omitempty"`
	// RunsOn are hosts, clusters and namespaces left out (at brief: also the quiet ones).
	RunsOn int `json:"runs_on,omitempty"`
}

// NextKind is what happens at a moment of the timeline.
type NextKind string

// Timeline kinds.
const (
	NextHandover         NextKind = "handover"           // an on-call level changes hands
	NextEscalation       NextKind = "escalation"         // an escalation level is paged
	NextSilenceEnds      NextKind = "silence_ends"       // a silence ends: its alerts notify again
	NextMaintenanceEnds  NextKind = "maintenance_ends"   // a maintenance window ends
	NextChangeStarts     NextKind = "change_starts"      // a scheduled change begins
	NextChangeWindowEnds NextKind = "change_window_ends" // a change's window closes
	NextAlertFires       NextKind = "alert_fires"        // a pending alert's for runs out
	NextAckExpires       NextKind = "ack_expires"        // an acknowledgement times out; the incident re-triggers
	NextUpdateDue        NextKind = "update_due"         // the next stakeholder update is due
)

// NextEntry is one thing that will happen within the horizon, unless someone acts.
type NextEntry struct {
	At        time.Time `json:"at"`
	InMinutes int       `json:"in_minutes"`
	Kind      NextKind  `json:"kind" jsonschema:"enum=handover,enum=escalation,enum=silence_ends,enum=maintenance_ends,enum=change_starts,enum=change_window_ends,enum=alert_fires,enum=ack_expires,enum=update_due"`
	// Subject is who or what, in a few words ("L2 Lena Fischer", "CHG0030020"); What says
	// it in full.
	Subject string `json:"subject"`
	What    string `json:"what"`
	// Service is the service it concerns (the one asked about, or a neighbour, named in What).
	Service string `json:"service"`
	Source  string `json:"source"`
}

// AckEntry says who has taken one of the service's pages, tickets or alerts, and when.
type AckEntry struct {
	// What names the page, e.g. "pagerduty incident #4711".
	What string `json:"what"`
	By   string `json:"by"`
	// At is when, if the source says.
	At     time.Time `json:"at,omitzero"`
	Source string    `json:"source"`
}

// IncidentContext is the result of incident_context.
type IncidentContext struct {
	// Headline is the answer in one sentence: impact, primary contributor, most suspicious
	// change, who owns it; it comes first, for readers of the structured result alone.
	Headline string     `json:"headline"`
	Service  ServiceRef `json:"service"`
	// ResolvedFrom says how the service was found when the question did not name it.
	ResolvedFrom *ResolvedFrom     `json:"resolved_from,omitempty"`
	Owners       []Owner           `json:"owners"`
	OnCall       []OnCallEntry     `json:"oncall"`
	Escalation   []EscalationEntry `json:"escalation"`
	// Fixers name who can act on the cause when it sits on another team's service (its
	// on-call and next escalation), next to the service's own on-call.
	Fixers      []Fixer         `json:"fixers"`
	Problems    []ProblemEntry  `json:"problems"`
	AlertGroups []AlertGroup    `json:"alert_groups"`
	Incidents   []IncidentEntry `json:"incidents"`
	// SuppressedAlertGroups are the open alert groups nobody is notified of (silenced,
	// inhibited, muted), listed apart from the firing ones and left out of their counts.
	SuppressedAlertGroups []AlertGroup  `json:"suppressed_alert_groups"`
	Changes               []ChangeEntry `json:"changes"`
	Dependencies          Dependencies  `json:"dependencies"`
	// RunsOn are the hosts, clusters and namespaces the service runs on, ranked (see ground).
	RunsOn   []GroundEntry `json:"runs_on"`
	Runbooks []model.Link  `json:"runbooks"`
	SLOs     []SLOEntry    `json:"slos"`
	Sources  []SourceEntry `json:"sources"`
	// Incident echoes the incident the query started from, when one was given.
	Incident string `json:"incident,omitempty"`
	// Since is the start of the time window considered.
	Since time.Time `json:"since"`
	// AsOf is the answer's time: every "in N min" and "N min ago" counts from it.
	AsOf time.Time `json:"as_of"`
	// Horizon is the end of the forward-looking window (`next`, handovers).
	Horizon time.Time `json:"horizon"`
	// StartedAt is the trouble's first symptom (the earliest of the service's own alerts,
	// incidents and problems and its root cause's alerts in the window); absent when
	// nothing is wrong. Changes are ranked against it.
	StartedAt time.Time `json:"started_at,omitzero"`
	// Acknowledged lists who has taken the service's pages, tickets and alerts.
	Acknowledged []AckEntry `json:"acknowledged"`
	// Unacknowledged names the service's open pages and tickets nobody has taken yet.
	Unacknowledged []string `json:"unacknowledged"`
	// Next is what will happen within the horizon unless someone acts, soonest first.
	Next    []NextEntry `json:"next"`
	Detail  Detail      `json:"detail"`
	Omitted Omitted     `json:"omitted"`
	// Notes lists contradictions and caveats (owners that disagree, ambiguous names, on-call gaps).
	Notes []string `json:"notes"`
	// Stale lists the sources whose data in this answer is an older copy (served after a
	// failed refresh), how old it is and the sections built from it.
	Stale []StaleNote `json:"stale,omitempty"`
}

// Relation is how a service relates to the one a question is about: a neighbour's facts are
// listed under the neighbour's own name, with the relation.
type Relation string

// Relations.
const (
	RelSelf       Relation = ""           // the service asked about
	RelDependency Relation = "dependency" // the service asked about depends on it
	RelConsumer   Relation = "consumer"   // it depends on the service asked about
	RelRunsOn     Relation = "runs_on"    // the service asked about runs on it (a host, cluster, namespace)
)

// StaleNote says that a source's data in an answer is an older copy.
type StaleNote struct {
	Source string    `json:"source"`
	AsOf   time.Time `json:"as_of"`
	// AgeMinutes is how old the copy is at the answer's time.
	AgeMinutes int `json:"age_minutes"`
	// Sections are the parts of the answer built from it (slos, problems, alert_groups, ...).
	Sections []string `json:"sections"`
}

// Health is how a service is doing, judged from open problems and alerts.
type Health string

// Health values.
const (
	HealthOK       Health = "ok"       // every alert and problem source answered and none names anything open on it
	HealthDegraded Health = "degraded" // alerting, or impacted by an open problem
	HealthFailing  Health = "failing"  // the root cause of an open problem
	HealthUnknown  Health = "unknown"  // no alert or problem source could tell
)

// Level is the problem's severity on opsctx's scale.
func (p ProblemEntry) Level() model.Severity { return p.level }

// Level is the group's worst severity on opsctx's scale.
func (g AlertGroup) Level() model.Severity { return g.level }

// Level is the incident's priority on opsctx's scale.
func (i IncidentEntry) Level() model.Severity { return i.level }
