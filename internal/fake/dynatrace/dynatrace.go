// Package dynatrace is a contract-faithful fake of the Dynatrace Environment API v2
// (problems, events, entities, SLOs) on 127.0.0.1: Api-Token auth, selectors, timeframes,
// nextPageKey cursors that must be sent alone, page-size limits and the vendor's error
// envelope; and of the Dynatrace platform (platformapi.go): platform tokens and OAuth
// clients (Bearer only, tokens from the SSO token endpoint), the classic API under
// /platform/classic/environment-api/v2 with platform scopes, and the platform SLO service.
// Data comes from the caller (tests) or from the demo scenario.
package dynatrace

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
)

// Options configure the fake.
type Options struct {
	// Token is the API token the fake accepts ("Authorization: Api-Token <Token>").
	// Empty accepts any token but still requires the header.
	Token string
	// Scopes are the token's scopes (nil: every scope). An endpoint whose scope the token lacks
	// answers 403 "Token is missing required scope. Use one of: <scope> (<name>)".
	Scopes []string
	// BasePath serves the API under a prefix, like a Managed environment ("/e/abc123").
	BasePath string
	// Now is the fake's clock for relative timeframes (now-2h); nil means time.Now.
	Now func() time.Time

	// PlatformToken is a platform token the platform accepts ("Authorization: Bearer <it>");
	// its scopes are PlatformScopes.
	PlatformToken string
	// PlatformScopes are the platform token's scopes (nil: every scope), e.g.
	// environment-api:problems:read or slo:slos:read; a platform endpoint whose scope the
	// credential lacks answers 403 naming it (missingScopes).
	PlatformScopes []string
	// OAuth registers an OAuth client: POST /sso/oauth2/token issues access tokens for the
	// platform (TokenTTL, default DefaultTokenTTL).
	OAuth    *OAuthClient
	TokenTTL time.Duration
}

// Data is what the fake serves.
type Data struct {
	Problems []Problem
	Events   []Event
	Entities []Entity
	SLOs     []SLO
	// PlatformSLOs are the platform SLO service's SLOs (/platform/slo/v1/slos).
	PlatformSLOs []PlatformSLO
	// Settings are settings objects (maintenance windows among them).
	Settings []SettingsObject
}

// Server is a running fake Dynatrace environment.
type Server struct {
	*fake.Server
	opts Options

	mu      sync.Mutex
	data    Data
	cursors map[string]cursor
	seq     int

	tokens        map[string]issued      // access tokens the SSO endpoint issued
	tokenRequests int                    // tokens issued
	evaluations   map[string]*evaluation // platform SLO evaluations by token
}

// Start starts the fake with data.
func Start(o Options, d Data) *Server {
	o.BasePath = strings.TrimRight(o.BasePath, "/")
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{opts: o, data: d, cursors: map[string]cursor{}, tokens: map[string]issued{}, evaluations: map[string]*evaluation{}}
	mux := http.NewServeMux()
	api, classic := o.BasePath+"/api/v2", o.BasePath+ClassicPlatformPrefix
	for _, e := range []struct {
		path, scope string
		h           http.HandlerFunc
	}{
		{"/problems", "problems.read", s.problems}, {"/problems/{problemId}", "problems.read", s.problem},
		{"/events", "events.read", s.events}, {"/entities", "entities.read", s.entities}, {"/slo", "slo.read", s.slos},
		{"/settings/objects", "settings.read", s.settings},
	} {
		mux.HandleFunc("GET "+api+e.path, s.scoped(e.scope, e.h))
		mux.HandleFunc("GET "+classic+e.path, s.platformScoped(PlatformScopeOf[e.scope], e.h))
	}
	slo := o.BasePath + "/platform/slo/v1/slos"
	mux.HandleFunc("GET "+slo, s.platformScoped(SLOScope, s.platformSLOs))
	mux.HandleFunc("POST "+slo+"/evaluation:start", s.platformScoped(SLOScope, s.evaluationStart))
	mux.HandleFunc("GET "+slo+"/evaluation:poll", s.platformScoped(SLOScope, s.evaluationPoll))
	mux.HandleFunc("POST "+TokenPath, s.token)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not found: "+r.URL.Path)
	})
	s.Server = fake.Start("dynatrace", s.authorized, unauthorized, mux)
	s.SetSignInPath(TokenPath)
	return s
}

// EnvURL is the environment URL to configure (DYNATRACE_ENV_URL), including BasePath.
func (s *Server) EnvURL() string { return s.URL + s.opts.BasePath }

// SetData replaces the served data.
func (s *Server) SetData(d Data) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = d
}

func (s *Server) snapshot() Data {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}

func (s *Server) authorized(r *http.Request) bool {
	if r.URL.Path == TokenPath {
		return true // the token endpoint checks the client itself
	}
	if s.isPlatform(r) {
		_, ok := s.bearer(r)
		return ok
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return ok && strings.EqualFold(scheme, "Api-Token") && tok != "" && (s.opts.Token == "" || tok == s.opts.Token)
}

// scopeNames are the display names Dynatrace gives token scopes in its 403 message.
var scopeNames = map[string]string{"problems.read": "Read problems", "events.read": "Read events", "settings.read": "Read settings",
	"entities.read": "Read entities", "slo.read": "Read SLO"}

// scoped serves h only to tokens with scope; others get Dynatrace's 403.
func (s *Server) scoped(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Scopes != nil && !slices.Contains(s.opts.Scopes, scope) {
			writeError(w, http.StatusForbidden, "Token is missing required scope. Use one of: "+scope+" ("+scopeNames[scope]+")")
			return
		}
		h(w, r)
	}
}

func unauthorized(w http.ResponseWriter, r *http.Request) {
	if strings.Contains(r.URL.Path, "/platform/") {
		platformUnauthorized(w, r)
		return
	}
	msg := "Missing authorization parameter."
	if r.Header.Get("Authorization") != "" {
		msg = "Token Authentication failed"
	}
	writeError(w, http.StatusUnauthorized, msg)
}

// violation is the spec's ConstraintViolation.
type violation struct {
	Path              string `json:"path"`
	Message           string `json:"message"`
	ParameterLocation string `json:"parameterLocation"`
	Location          string `json:"location,omitempty"`
}

// writeError writes the spec's ErrorEnvelope.
func writeError(w http.ResponseWriter, code int, msg string, vs ...violation) {
	body := map[string]any{"code": code, "message": msg}
	if len(vs) > 0 {
		body["constraintViolations"] = vs
	}
	writeJSON(w, code, map[string]any{"error": body})
}

// badParam answers 400 for one invalid query parameter.
func badParam(w http.ResponseWriter, param, format string, args ...any) {
	writeError(w, http.StatusBadRequest, "Constraints violated.",
		violation{Path: param, Message: fmt.Sprintf(format, args...), ParameterLocation: "QUERY"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
