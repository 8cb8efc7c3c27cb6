// Package jsm is a contract-faithful fake of the Jira Service Management Operations REST
// API (the read endpoints opsctx uses, under /jsm/ops/api/{cloudId}/v1), of the site's
// /_edge/tenant_info (which names the cloud id) and of the Jira platform users listing
// (GET /rest/api/3/users/search on the site, and through the api.atlassian.com gateway at
// /ex/jira/{cloudId}/rest/api/3/users/search). It checks basic auth with an account e-mail
// and API token, pages with offset/size and links.next (users: startAt/maxResults), parses
// the alert search syntax, and answers errors with Atlassian's bodies: {"errors":[{title,
// detail}]} on the operations API, Jira's {"errorMessages":[...],"errors":{}} on the
// platform API. Shapes follow the schemas in testdata/openapi-subset.json, which a test
// validates every response against.
package jsm

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
)

// Scope families an account may be refused (Data.Denied): alert reads, configuration reads
// (schedules, on-calls, timelines, teams, escalations) and the users listing.
const (
	ScopeAlerts = "ops-alert"
	ScopeConfig = "ops-config"
	ScopeUsers  = "users"
)

// Data is what the fake serves.
type Data struct {
	// CloudID is the site's cloud id (tenant_info, and the {cloudId} of every API path).
	CloudID string
	Alerts  []Alert
	Teams   []Team
	// Schedules are listed in this order.
	Schedules []Schedule
	// OnCall maps a schedule id to its current on-call participants.
	OnCall map[string][]Participant
	// Rotations maps a schedule id to its rotations' shifts, served by the timeline.
	Rotations map[string][]Rotation
	// Escalations maps a team id to its escalations.
	Escalations map[string][]Escalation
	// Users are the site's users, listed in this order.
	Users []User
	// Denied are the scope families (ScopeAlerts, ScopeConfig, ScopeUsers) the account may
	// not read: those requests answer 403 with Atlassian's body.
	Denied []string
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
}

// Start serves d as JSM Operations for the account email with the API token: requests
// must carry `Authorization: Basic base64(email:token)`, except the site's public
// tenant_info.
func Start(d Data, email, token string) *fake.Server {
	h := newHandler(d)
	auth := func(r *http.Request) bool {
		if r.URL.Path == TenantInfoPath {
			return true
		}
		u, p, ok := r.BasicAuth()
		return ok && token != "" && u == email && p == token
	}
	unauth := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Atlassian"`)
		if jiraPath(r.URL.Path) {
			h.jiraFail(w, http.StatusUnauthorized, "Client must be authenticated to access this resource.")
			return
		}
		h.fail(w, http.StatusUnauthorized, "Unauthorized", "Client must be authenticated to access this resource.")
	}
	return fake.Start("jsm", auth, unauth, h)
}

// TenantInfoPath is where a site names its cloud id.
const TenantInfoPath = "/_edge/tenant_info"

// jiraPath reports whether path is one of the Jira platform API's.
func jiraPath(path string) bool {
	return strings.HasPrefix(path, "/rest/") || strings.HasPrefix(path, "/ex/jira/")
}

// RateLimited is the answer Atlassian's gateway gives a request over the rate limit: 429
// with Retry-After (seconds), X-RateLimit-Reset (ISO 8601, minute precision),
// X-RateLimit-Limit, X-RateLimit-Remaining 0, RateLimit-Reason and the operations API's
// error body. Tests add it to a Server with AddFault (set Times and the path).
func RateLimited(retryAfter int, now time.Time) fake.Fault {
	h := http.Header{}
	h.Set("Retry-After", fmt.Sprint(retryAfter))
	h.Set("X-RateLimit-Reset", now.Add(time.Duration(retryAfter)*time.Second).UTC().Format("2006-01-02T15:04Z"))
	h.Set("X-RateLimit-Limit", "100")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("RateLimit-Reason", "jira-burst-based")
	return fake.Fault{Status: http.StatusTooManyRequests, Header: h,
		Body: `{"errors":[{"title":"Too Many Requests","detail":"Rate limit exceeded. Retry after the period in the Retry-After header."}]}`}
}
