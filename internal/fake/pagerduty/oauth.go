package pagerduty

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
)

// tokenPath is the path of identity.pagerduty.com's token endpoint.
const tokenPath = "/oauth/token"

// token answers an App OAuth token request (client credentials, form-encoded): the scope must
// name the account (as_account-{region}.{subdomain}); the token gets the requested scopes the
// app was granted. Errors are RFC 6749 bodies.
func (h *handler) token(w http.ResponseWriter, r *http.Request) {
	app := h.d.App
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	f := r.PostForm
	switch {
	case app == nil || f.Get("client_id") != app.ClientID || f.Get("client_secret") != app.ClientSecret:
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	case f.Get("grant_type") != "client_credentials":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	asked := strings.Fields(f.Get("scope"))
	if !slices.Contains(asked, app.Account) {
		oauthError(w, http.StatusBadRequest, "invalid_scope")
		return
	}
	granted := []string{app.Account}
	for _, s := range asked {
		if slices.Contains(app.Scopes, s) {
			granted = append(granted, s)
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "pdus+_" + hex.EncodeToString(b)
	h.mu.Lock()
	h.tokens[tok] = granted
	h.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "scope": strings.Join(granted, " "),
		"token_type": "bearer", "expires_in": 2592000})
}

// tokenScopes returns the scopes of the app token an Authorization header carries.
func (h *handler) tokenScopes(authorization string) ([]string, bool) {
	tok, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok {
		return nil, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	scopes, ok := h.tokens[tok]
	return scopes, ok
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]any{"error": code})
}
