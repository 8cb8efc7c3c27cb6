// Package connectors defines the capability interfaces that upstream connectors implement.
// Each subpackage turns one vendor API into internal/model types and implements only the
// capabilities it can serve. The join asks every enabled source that implements a capability.
package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// Source is an enabled upstream.
type Source interface {
	// Name is the stable source name used in answers: "catalogfile", "servicenow", "pagerduty", ...
	Name() string
	// Check makes one cheap authenticated request that proves reachability and credentials.
	Check(ctx context.Context) error
}

// Catalog sources know what exists, who owns it and what depends on what.
// They return their whole catalog; the join caches it and resolves identities across sources.
type Catalog interface {
	Source
	Catalog(ctx context.Context) (model.Catalog, error)
}

// Alerts sources return firing alerts. A zero Target (empty Name) asks for every open alert.
type Alerts interface {
	Source
	Alerts(ctx context.Context, t model.Target) ([]model.Alert, error)
}

// Problems sources return observability problems with impact and root cause.
// A zero Target asks for every open problem.
type Problems interface {
	Source
	Problems(ctx context.Context, t model.Target) ([]model.Problem, error)
}

// OnCall sources know who is on call for a service and how it escalates.
type OnCall interface {
	Source
	Responders(ctx context.Context, t model.Target) (model.Responders, error)
}

// Changes sources return changes (deploys, config, change requests) in [t.Since, t.Until]
// for the target and its Related services.
type Changes interface {
	Source
	Changes(ctx context.Context, t model.Target) ([]model.Change, error)
}

// Incidents sources return open incidents/tickets. A zero Target asks for every open incident.
type Incidents interface {
	Source
	Incidents(ctx context.Context, t model.Target) ([]model.Incident, error)
}

// SLOs sources return service level objectives for the target with their observed error
// ratios or their own evaluation. A zero Target asks for every SLO.
type SLOs interface {
	Source
	SLOs(ctx context.Context, t model.Target) ([]model.SLO, error)
}

// Mutes sources return the periods in which they hold notifications back (silences,
// maintenance windows) that are active at t.Until or start before t.Ahead, for the target
// and its Related services; a source that cannot tell which services a period covers
// returns them all. A zero Target asks for every such period.
type Mutes interface {
	Source
	Mutes(ctx context.Context, t model.Target) ([]model.Mute, error)
}

// Kinds of incident reference (IncidentRef.Kind).
const (
	KindIncident = "incident" // a PagerDuty incident, a ServiceNow INC
	KindProblem  = "problem"  // a Dynatrace problem
	KindAlert    = "alert"    // an Opsgenie or JSM Operations alert
	KindChange   = "change"   // a ServiceNow change request: not trouble, but what may cause it
)

// AlertRules sources know which services their alerting rules cover, whether or not a
// rule fires now (Prometheus rule files): a service with rules is alerted even when it is
// quiet. Services are named as the rules' labels name them.
type AlertRules interface {
	Source
	AlertedServices(ctx context.Context) ([]string, error)
}

// IncidentRef is what an incident lookup resolves to: the services concerned and when it started.
type IncidentRef struct {
	ID    string
	Title string
	// Kind is one of the Kind constants.
	Kind      string
	StartedAt time.Time
	// Services are names or ids of the services the reference is about as this source knows
	// them, the one to answer for first: the impacted service, not the root cause (a record
	// may be listed by id and then by name).
	Services []string
	// Roles says how a Services entry is concerned, when the source tells: "business
	// service", "configuration item", "impacted service named in the title".
	Roles map[string]string
	// RootCause names the root-cause entity (id, then name) when the source tells one: the
	// cause of the trouble, kept apart from the services it is about.
	RootCause []string
	// Key is the reference's deduplication key (an alert's alias, an incident key): the same
	// alert seen by two sources has the same Key.
	Key    string
	Source string
	URL    string
}

// IncidentFinder sources can resolve an incident reference (id, number, display id) to services.
// They return ErrNotFound when the reference is not theirs or does not exist.
type IncidentFinder interface {
	Source
	FindIncident(ctx context.Context, ref string) (IncidentRef, error)
}

// ErrNotFound reports that a lookup found nothing.
var ErrNotFound = errors.New("not found")

// Authenticator sources may obtain a credential before their first request (an OAuth access
// token, renewed by the source while it is in use). SignIn obtains it if there is none yet,
// joining a sign-in in flight, or returns ErrNoSignIn when the source is configured with a
// credential it sends as is (an API token, basic auth). The server signs in as it starts
// (Engine.SignIn), so that no question waits for the token round trip unless it comes first;
// `check` proves the sign-in on a line of its own before the capabilities.
type Authenticator interface {
	Source
	SignIn(ctx context.Context) error
}

// ErrNoSignIn reports that a source has nothing to sign in with: its credential is sent as is.
var ErrNoSignIn = errors.New("no sign-in: the credential is sent as is")

// Warmer sources keep slowly-changing reference data that per-service calls depend on
// (schedules, escalation policies, SLO definitions, rule listings, the open incidents last
// seen), so that a question about one service costs one round trip instead of a listing
// followed by the details. The engine calls Warm alongside the catalogs, at most once per
// catalog TTL, and does not wait for it; a Warm that fails or is still running costs
// nothing but the listing that per-service calls then make themselves.
type Warmer interface {
	Source
	Warm(ctx context.Context) error
}

// Keeper sources can hand their reference data (what Warm keeps: listings, rows of people
// and groups; hints such as the ids of the incidents last seen open, read ahead from and
// never shown; never credentials, never what an incident says) to a snapshot on disk and take
// it back in a fresh process, so that its first question does not wait for the listings. What
// Keep takes back is used at once and replaced by the next Warm.
type Keeper interface {
	Source
	// Kept returns the reference data kept now, JSON-encoded; nil when there is none.
	Kept() (json.RawMessage, error)
	// Keep takes back what Kept returned in an earlier process of the same configuration.
	Keep(data json.RawMessage) error
}
