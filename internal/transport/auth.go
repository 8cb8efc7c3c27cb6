package transport

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/caller"
	"github.com/opsctx/opsctx/internal/oauth"
)

// auth signs requests in: with the static token, with an OAuth access token, or not at
// all (loopback without a token).
type auth struct {
	token    string
	verifier *oauth.Verifier
	metadata string // URL of the protected resource metadata (OAuth)
	log      *slog.Logger
}

func newAuth(o HTTPOptions, log *slog.Logger) *auth {
	a := &auth{token: o.Token, verifier: o.OAuth, log: log}
	if a.verifier != nil {
		a.metadata = metadataURL(a.verifier.Metadata().Resource)
	}
	return a
}

// metadataURL is where RFC 9728 §3.1 puts the metadata of resource: the well-known path
// on its origin, followed by its path.
func metadataURL(resource string) string {
	u, err := url.Parse(resource)
	if err != nil {
		return server.WellKnownProtectedResourcePath
	}
	return u.Scheme + "://" + u.Host + server.ProtectedResourceMetadataPath(resource)
}

// bearer returns the token of an Authorization header; the scheme is case-insensitive
// (RFC 9110 §11.1).
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// check signs r in. It returns r carrying the caller, or answers the refusal itself.
func (a *auth) check(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	token, ok := bearer(r)
	switch {
	case a.verifier != nil:
		if !ok {
			a.challenge(w, http.StatusUnauthorized, "")
			return nil, false
		}
		c, err := a.verifier.Verify(r.Context(), token)
		var te *oauth.TokenError
		var se *oauth.ScopeError
		switch {
		case errors.As(err, &te):
			a.log.Info("sign-in refused", "reason", te.Reason, "remote", r.RemoteAddr)
			a.challenge(w, http.StatusUnauthorized, fmt.Sprintf(`error="invalid_token", error_description=%q`, te.Reason))
			return nil, false
		case errors.As(err, &se):
			a.log.Info("sign-in refused", "reason", "missing scope", "scope", se.Scope, "sub", c.Subject, "remote", r.RemoteAddr)
			a.challenge(w, http.StatusForbidden, `error="insufficient_scope"`)
			return nil, false
		case err != nil:
			a.log.Error("sign-in unavailable", "err", err)
			w.Header().Set("Retry-After", "10")
			http.Error(w, "Service Unavailable: the sign-in issuer cannot be reached", http.StatusServiceUnavailable)
			return nil, false
		}
		return r.WithContext(caller.With(r.Context(), c)), true
	case a.token != "":
		if !ok || subtle.ConstantTimeCompare([]byte(token), []byte(a.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="opsctx"`)
			http.Error(w, "Unauthorized: send Authorization: Bearer <token>", http.StatusUnauthorized)
			return nil, false
		}
	}
	return r, true
}

// challenge answers with the WWW-Authenticate header the MCP authorization specification
// asks for: where the resource metadata is, the scope needed, and the error if any.
func (a *auth) challenge(w http.ResponseWriter, status int, errParams string) {
	params := []string{fmt.Sprintf("resource_metadata=%q", a.metadata)}
	if s := a.verifier.Scope(); s != "" {
		params = append(params, fmt.Sprintf("scope=%q", s))
	}
	if errParams != "" {
		params = append(params, errParams)
	}
	w.Header().Set("WWW-Authenticate", "Bearer "+strings.Join(params, ", "))
	msg := "Unauthorized: sign in with an access token from " + a.verifier.Metadata().AuthorizationServers[0]
	if status == http.StatusForbidden {
		msg = "Forbidden: the access token lacks the scope " + a.verifier.Scope()
	}
	http.Error(w, msg, status)
}
