// Package opsgenie is a contract-faithful fake of the Opsgenie REST API v2 (the read
// endpoints opsctx uses): `Authorization: GenieKey …`, the {data, took, requestId}
// envelope, offset paging with paging links and X-Paging-* headers, the alert search
// query language (a subset), rate-limit headers and {message} error bodies. Shapes follow
// opsgenie/opsgenie-oas swagger.json; a test validates the fake's responses against it.
package opsgenie

import (
	"net/http"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
)

// Data is what the fake serves.
type Data struct {
	Alerts      []Alert
	Teams       []Team
	Schedules   []Schedule
	Escalations []Escalation
	// Users are the account's users, listed by GET /v2/users in this order by default.
	Users []User
	// OnCall maps a schedule id to its current on-call participants.
	OnCall map[string][]Participant
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
