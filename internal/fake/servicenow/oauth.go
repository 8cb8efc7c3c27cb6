package servicenow

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"time"
)

// DefaultTokenTTL is the lifetime of the access tokens ServiceNow issues by default
// (expires_in 1799 in its OAuth example).
const DefaultTokenTTL = 1799 * time.Second

// tokenPath is the instance's OAuth token endpoint.
const tokenPath = "/oauth_token.do"

// grant is what a refresh token may be exchanged for: a new access token for the user.
type grant struct{ user string }

// token answers POST /oauth_token.do (form-encoded, credentials in the form or in basic auth) as
// ServiceNow does: grant_type=client_credentials, password (username/password, with a refresh
// token) and refresh_token. Failures use the RFC 6749 error body ServiceNow sends:
// {"error":"invalid_client","error_description":...} with 401, and 400 for an unsupported grant.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "Method not Supported", "The token endpoint takes POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && id == "" {
		id, secret = u, p
	}
	if s.o.ClientID == "" || id != s.o.ClientID || secret != s.o.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client_id or client_secret.")
		return
	}
	var user string
	refresh := false
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		user = s.o.Username
		if user == "" {
			user = "oauth.application.user"
		}
	case "password":
		if s.o.Username == "" || r.PostForm.Get("username") != s.o.Username || r.PostForm.Get("password") != s.o.Password {
			oauthError(w, http.StatusUnauthorized, "invalid_grant", "access_denied")
			return
		}
		user, refresh = s.o.Username, true
	case "refresh_token":
		s.mu.Lock()
		g, ok := s.refresh[r.PostForm.Get("refresh_token")]
		s.mu.Unlock()
		if !ok {
			oauthError(w, http.StatusUnauthorized, "invalid_grant", "access_denied")
			return
		}
		user, refresh = g.user, true
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "")
		return
	}
	access := newToken()
	body := map[string]any{"access_token": access, "scope": "useraccount", "token_type": "Bearer",
		"expires_in": int(s.o.TokenTTL / time.Second)}
	s.mu.Lock()
	s.access[access] = s.o.Now().Add(s.o.TokenTTL)
	s.issued = append(s.issued, access)
	if refresh {
		rt := newToken()
		s.refresh[rt] = grant{user: user}
		body["refresh_token"] = rt
	}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	body := map[string]any{"error": code}
	if desc != "" {
		body["error_description"] = desc
	}
	writeJSON(w, status, body)
}

// newToken returns an opaque token like ServiceNow's (URL-safe, 86 characters there).
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// bearer reports whether tok is the static token or an issued access token that has not
// expired nor been revoked.
func (s *Server) bearer(tok string) bool {
	if s.o.Token != "" && tok == s.o.Token {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.access[tok]
	return ok && s.o.Now().Before(exp)
}

// Issued returns the access tokens issued so far, oldest first.
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// Revoke revokes every access token issued so far, as an administrator deleting the
// integration's tokens does; refresh tokens stay valid.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// TokenRequests returns how many requests reached the token endpoint.
func (s *Server) TokenRequests() int { return s.Count(tokenPath) }

// isTokenRequest reports whether r is for the token endpoint, which checks client
// credentials itself.
func isTokenRequest(r *http.Request) bool { return strings.EqualFold(r.URL.Path, tokenPath) }
