// Package opsgenie is a contract-faithful fake of the Opsgenie REST API v2 (the read
// endpoints opsctx uses): `Authorization: GenieKey …`, the {data, took, requestId}
// envelope, offset paging with paging links and X-Paging-* headers, the alert search
// query language (a subset), rate-limit headers and {message} error bodies. Shapes follow
// opsgenie/opsgenie-oas swagger.json; a test validates the fake's responses against it.
package opsgenie

//go:generate go run subset_gen.go

import (
	"net/http"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/fake/schedule"
)

// Access is what the API key may do, as Opsgenie's key settings grant it. The zero value grants
// everything (an account API key with Read and Configuration access).
type Access struct {
	// NoRead refuses the alert endpoints (a key without Read access).
	NoRead bool
	// NoConfiguration refuses the configuration endpoints: teams, schedules and their on-calls,
	// escalations and users (an API integration with "Restrict configuration access", or an
	// API key without Configuration access).
	NoConfiguration bool
	// Team makes the key a team integration's (the team's id or name): the schedule and
	// escalation listings hold only what the team owns, another team's schedule on-calls and
	// the user listing are refused.
	Team string
}

// Data is what the fake serves.
type Data struct {
	// Key is what the API key may do (default: everything). A refusal is 403 with Opsgenie's
	// {"message", "code": 40301} body.
	Key         Access
	Alerts      []Alert
	Teams       []Team
	Schedules   []Schedule
	Escalations []Escalation
	// Users are the account's users, listed by GET /v2/users in this order by default.
	Users []User
	// OnCall maps a schedule id to its current on-call participants, for schedules without
	// Rotations.
	OnCall map[string][]Participant
	// Rotations map a schedule id to its shifts (Who is a username; Rotation the rotation's
	// name; Override marks a schedule override): who is on call at a date, and the schedule's
	// timeline, follow from them.
	Rotations map[string][]schedule.Shift
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
}

// Start serves d as Opsgenie; requests must carry `Authorization: GenieKey <key>`.
func Start(d Data, key string) *fake.Server {
	h := newHandler(d)
	auth := func(r *http.Request) bool { return key != "" && r.Header.Get("Authorization") == "GenieKey "+key }
	unauth := func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, http.StatusUnauthorized, "Could not authenticate")
	}
	return fake.Start("opsgenie", auth, unauth, h)
}
