// Package pagerduty is a contract-faithful fake of the PagerDuty REST API v2 (the read
// endpoints opsctx uses): `Authorization: Token token=…`, the versioned Accept header,
// classic offset pagination (limit/offset/more/total; the change event listings page by
// limit/offset but answer only `change_events`, as the spec declares them), array filters as
// repeated `name[]`, scoped OAuth tokens (403 without the scope the spec names), rate-limit
// headers and `{"error": {...}}` bodies. Shapes follow
// PagerDuty/api-schema reference/REST/openapiv3.json; a test validates the fake's
// responses against that spec.
package pagerduty

//go:generate go run subset_gen.go

import (
	"net/http"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
)

// Accept is the versioned media type every request must accept.
const Accept = "application/vnd.pagerduty+json;version=2"

// RelatedChange links an incident to a change event PagerDuty correlated with it.
type RelatedChange struct {
	ChangeEventID string
	// Reason is most_recent, related_service or intelligent.
	Reason string
}

// Data is what the fake serves. Alerts belong to the incident named by Alert.Incident.ID.
type Data struct {
	Services      []Service
	Incidents     []Incident
	Alerts        []Alert
	Users         []User
	OnCalls       []OnCall
	Policies      []EscalationPolicy
	ChangeEvents  []ChangeEvent
	Relationships []Relationship
	// MaintenanceWindows are served by GET /maintenance_windows.
	MaintenanceWindows []MaintenanceWindow
	// Related maps an incident id to its related change events.
	Related   map[string][]RelatedChange
	Abilities []string
	// WebURL is the account's web app, for html_url fields (default https://shop.pagerduty.com).
	WebURL string
	// Now is the fake's clock (default time.Now); it sets default time windows.
	Now func() time.Time
	// App registers a Scoped OAuth app: POST /oauth/token (identity.pagerduty.com's token
	// endpoint, served here) issues app tokens, and a request with one reads only what its
	// scopes allow (403 otherwise, as the spec's "Scoped OAuth requires" names per endpoint).
	App *App
}

// App is a PagerDuty App with Scoped OAuth functionality, granted to the account.
type App struct {
	ClientID, ClientSecret string
	// Account is the scope naming the account tokens are for: as_account-{region}.{subdomain}.
	Account string
	// Scopes are the scopes the app was granted; a token gets those it asks for among them.
	Scopes []string
}

// Start serves d as PagerDuty; requests must carry the API key as `Token token=<token>` (or
// `Bearer <token>`), or a token issued to d.App.
func Start(d Data, token string) *fake.Server {
	h := newHandler(d)
	auth := func(r *http.Request) bool {
		if r.URL.Path == tokenPath {
			return true // the token endpoint checks the client itself
		}
		a := r.Header.Get("Authorization")
		if _, ok := h.tokenScopes(a); ok {
			return true
		}
		return token != "" && (a == "Token token="+token || a == "Bearer "+token)
	}
	unauth := func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusUnauthorized, 2006, "Unauthorized")
	}
	s := fake.Start("pagerduty", auth, unauth, h)
	s.SetSignInPath(tokenPath)
	return s
}
