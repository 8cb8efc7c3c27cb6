package dynatrace

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Dynatrace platform (the "Latest Dynatrace" apps domain): Bearer credentials — platform
// tokens (dt0s16.…) and access tokens that OAuth clients (dt0s02.…) get from the SSO token
// endpoint — the classic Environment API v2 under /platform/classic/environment-api/v2 and
// the platform SLO service under /platform/slo/v1.

// TokenPath is the path of the SSO token endpoint (https://sso.dynatrace.com/sso/oauth2/token),
// served by the fake on its own address.
const TokenPath = "/sso/oauth2/token"

// ClassicPlatformPrefix is where the platform serves the classic Environment API v2.
const ClassicPlatformPrefix = "/platform/classic/environment-api/v2"

// DefaultTokenTTL is the lifetime of the access tokens the SSO endpoint issues (expires_in
// 300, as Dynatrace's SSO answers).
const DefaultTokenTTL = 5 * time.Minute

// PlatformScopeOf maps a classic token scope to the platform scope the same endpoint needs
// through /platform/classic/environment-api/v2.
var PlatformScopeOf = map[string]string{
	"problems.read": "environment-api:problems:read", "events.read": "environment-api:events:read",
	"entities.read": "environment-api:entities:read", "slo.read": "environment-api:slo:read",
	"settings.read": "settings:objects:read",
}

// SLOScope is the platform scope of the SLO service's reads (listing and evaluation).
const SLOScope = "slo:slos:read"

// OAuthClient is an OAuth client (client credentials) of the account.
type OAuthClient struct {
	ClientID, ClientSecret string
	// Resource is the URN tokens are asked for: urn:dtaccount:<account-uuid> or
	// urn:dtenvironment:<environment-id>.
	Resource string
	// Scopes are the scopes the client may be granted (nil: any asked).
	Scopes []string
}

// issued is an access token issued by the SSO endpoint.
type issued struct {
	scopes  []string
	expires time.Time
}

// PlatformSLO is an SLO of the platform SLO service (/platform/slo/v1/slos) with the result
// its evaluation returns.
type PlatformSLO struct {
	ID          string
	Name        string
	Description string
	Tags        []string
	// Criteria: timeframeFrom ("now-7d"), timeframeTo ("now"), target and warning (%).
	Criteria []PlatformCriterion
	// Indicator is the custom SLI's DQL (customSli.indicator); with Template set the SLO
	// references an objective template instead (sliReference).
	Indicator string
	Template  string
	Variables map[string]string // sliReference variables, e.g. services -> SERVICE-…
	// Value and ErrorBudget are the evaluation's result (nil: no data, Message says why);
	// Status is success, warning or failure.
	Value, ErrorBudget *float64
	Status, Message    string
	// Polls is how many polls answer without results before the evaluation is done (0:
	// evaluation:start answers with the results).
	Polls int
}

// PlatformCriterion is one criterion of a platform SLO.
type PlatformCriterion struct {
	TimeframeFrom string   `json:"timeframeFrom"`
	TimeframeTo   string   `json:"timeframeTo,omitempty"`
	Target        float64  `json:"target"`
	Warning       *float64 `json:"warning,omitempty"`
}

// sloServiceLimits: 10 SLOs per page by default, at most 100 (page-size).
const (
	sloServiceDefaultSize = 10
	sloServiceMaxSize     = 100
)

// evaluation is one started evaluation.
type evaluation struct {
	slo   string
	polls int // polls left before the result
}

// token answers a client-credentials token request: the form names the client, the grant,
// the resource (the client's account or environment URN) and the scopes; the token gets the
// asked scopes the client may have. Errors are the SSO's bodies.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	c := s.opts.OAuth
	if err := r.ParseForm(); err != nil {
		ssoError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	f := r.PostForm
	switch {
	case c == nil || f.Get("client_id") != c.ClientID || f.Get("client_secret") != c.ClientSecret:
		ssoError(w, http.StatusUnauthorized, "Unauthorized: invalid client credentials")
		return
	case f.Get("grant_type") != "client_credentials":
		ssoError(w, http.StatusBadRequest, "Bad Request: unsupported grant_type")
		return
	case f.Get("resource") != c.Resource:
		ssoError(w, http.StatusBadRequest, "Bad Request: invalid resource "+strconv.Quote(f.Get("resource")))
		return
	}
	var granted []string
	for _, sc := range strings.Fields(f.Get("scope")) {
		if c.Scopes == nil || slices.Contains(c.Scopes, sc) {
			granted = append(granted, sc)
		}
	}
	ttl := s.opts.TokenTTL
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := "eyJ" + hex.EncodeToString(b) // a JWT in the real thing; opaque here
	s.mu.Lock()
	s.tokens[tok] = issued{scopes: granted, expires: time.Now().Add(ttl)}
	s.tokenRequests++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int(ttl / time.Second), "scope": strings.Join(granted, " "), "resource": c.Resource})
}

// TokenRequests is how many tokens the SSO endpoint issued.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

func ssoError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"errorCode": code, "message": msg, "issueId": "FAKE0ISSUE"})
}

// bearer returns the scopes of the Bearer credential r carries: a platform token
// (PlatformScopes) or an unexpired access token the SSO endpoint issued.
func (s *Server) bearer(r *http.Request) ([]string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return nil, false
	}
	if s.opts.PlatformToken != "" && tok == s.opts.PlatformToken {
		if s.opts.PlatformScopes == nil {
			return nil, true
		}
		return s.opts.PlatformScopes, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, found := s.tokens[tok]
	if !found || time.Now().After(t.expires) {
		return nil, false
	}
	return t.scopes, true
}

// isPlatform reports whether r is for the platform (Bearer credentials only).
func (s *Server) isPlatform(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, s.opts.BasePath+"/platform/")
}

// platformUnauthorized is the platform's 401: another scheme than Bearer, or a credential
// that is unknown or expired.
func platformUnauthorized(w http.ResponseWriter, r *http.Request) {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		writeError(w, http.StatusUnauthorized, fmt.Sprintf("Unsupported authorization scheme '%s'. "+
			"Dynatrace platform APIs require the authorization scheme 'Bearer'", cmpOr(scheme, "undefined")))
		return
	}
	writeError(w, http.StatusUnauthorized, "Authentication failed: the token is invalid or expired")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// platformScoped serves h only to Bearer credentials with scope; others get the platform's
// 403, which names the missing scope.
func (s *Server) platformScoped(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scopes, _ := s.bearer(r)
		if scopes != nil && !slices.Contains(scopes, scope) {
			writeJSON(w, http.StatusForbidden, map[string]any{"error": map[string]any{"code": 403,
				"message": "OAuth token is missing required scope. Use one of: [" + scope + "]",
				"details": map[string]any{"missingScopes": []string{scope}}}})
			return
		}
		h(w, r)
	}
}

// platformSLOs answers GET /platform/slo/v1/slos: page-size (1..100, default 10) on the first
// request, page-key alone on the next ones (with page-size: 400), sorted by name.
func (s *Server) platformSLOs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	offset, size := 0, sloServiceDefaultSize
	if key := q.Get("page-key"); key != "" {
		for k := range q {
			if k != "page-key" {
				badParam(w, k, "must not be set together with page-key")
				return
			}
		}
		s.mu.Lock()
		c, found := s.cursors[key]
		s.mu.Unlock()
		if !found || c.endpoint != "platform-slo" {
			badParam(w, "page-key", "the page-key is invalid or expired")
			return
		}
		offset = c.offset
		size, _ = strconv.Atoi(c.query.Get("size"))
	} else if v := q.Get("page-size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > sloServiceMaxSize {
			badParam(w, "page-size", "must be between 1 and %d", sloServiceMaxSize)
			return
		}
		size = n
	}
	for k := range q {
		if k != "page-key" && k != "page-size" {
			badParam(w, k, "unknown parameter")
			return
		}
	}
	xs := slices.Clone(s.snapshot().PlatformSLOs)
	slices.SortStableFunc(xs, func(a, b PlatformSLO) int { return strings.Compare(a.Name, b.Name) })
	end := min(offset+size, len(xs))
	out := []any{}
	for _, x := range xs[min(offset, end):end] {
		out = append(out, renderPlatformSLO(x))
	}
	body := map[string]any{"slos": out, "totalCount": len(xs)}
	if end < len(xs) {
		s.mu.Lock()
		s.seq++
		next := fmt.Sprintf("slo-%04d-%d", s.seq, end)
		s.cursors[next] = cursor{endpoint: "platform-slo", query: map[string][]string{"size": {strconv.Itoa(size)}}, offset: end}
		s.mu.Unlock()
		body["nextPageKey"] = next
	}
	writeJSON(w, http.StatusOK, body)
}

func renderPlatformSLO(x PlatformSLO) map[string]any {
	m := map[string]any{"id": x.ID, "name": x.Name, "version": "vu9U3hXa3q0AAAABABdidWlsdGluOm1vbml0b3Jpbmcuc2xv",
		"criteria": x.Criteria, "tags": nonNilStrings(x.Tags)}
	if m["criteria"] == nil || len(x.Criteria) == 0 {
		m["criteria"] = []PlatformCriterion{}
	}
	if x.Description != "" {
		m["description"] = x.Description
	}
	if x.Template != "" {
		var vars []map[string]string
		for k, v := range x.Variables {
			vars = append(vars, map[string]string{"name": k, "value": v})
		}
		slices.SortFunc(vars, func(a, b map[string]string) int { return strings.Compare(a["name"], b["name"]) })
		m["sliReference"] = map[string]any{"templateId": x.Template, "variables": vars}
	} else {
		m["customSli"] = map[string]any{"indicator": x.Indicator}
	}
	return m
}

func nonNilStrings(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// evaluationStart answers POST /platform/slo/v1/slos/evaluation:start {"id": …}: the results
// when the evaluation is done at once (Polls 0), else an evaluation token to poll.
func (s *Server) evaluationStart(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.ID == "" {
		writeError(w, http.StatusBadRequest, "Constraints violated.", violation{Path: "id", Message: "must not be empty", ParameterLocation: "PAYLOAD_BODY"})
		return
	}
	x, ok := s.platformSLO(body.ID)
	if !ok {
		writeError(w, http.StatusNotFound, "SLO "+body.ID+" not found")
		return
	}
	s.mu.Lock()
	s.seq++
	tok := fmt.Sprintf("eval-%04d", s.seq)
	s.evaluations[tok] = &evaluation{slo: x.ID, polls: x.Polls}
	s.mu.Unlock()
	s.answerEvaluation(w, tok)
}

// evaluationPoll answers GET /platform/slo/v1/slos/evaluation:poll?evaluation-token=….
func (s *Server) evaluationPoll(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("evaluation-token")
	s.mu.Lock()
	e, ok := s.evaluations[tok]
	if ok && e.polls > 0 {
		e.polls--
	}
	s.mu.Unlock()
	if !ok {
		badParam(w, "evaluation-token", "unknown or expired evaluation token")
		return
	}
	s.answerEvaluation(w, tok)
}

// answerEvaluation writes the evaluation's state: 202 with the token while it runs, 200 with
// the definition and results when done.
func (s *Server) answerEvaluation(w http.ResponseWriter, tok string) {
	s.mu.Lock()
	e := s.evaluations[tok]
	polls := e.polls
	if e.polls == 0 {
		e.polls = -1 // the next start (or poll) of a done evaluation answers at once too
	}
	s.mu.Unlock()
	x, _ := s.platformSLO(e.slo)
	if polls > 0 {
		writeJSON(w, http.StatusAccepted, map[string]any{"evaluationToken": tok, "ttlSeconds": 60})
		return
	}
	res := []map[string]any{}
	for _, c := range x.Criteria {
		r := map[string]any{"criteria": c.TimeframeFrom, "status": x.Status}
		if x.Value != nil {
			r["value"] = *x.Value
		}
		if x.ErrorBudget != nil {
			r["errorBudget"] = *x.ErrorBudget
		}
		if x.Message != "" {
			r["message"] = x.Message
		}
		res = append(res, r)
	}
	writeJSON(w, http.StatusOK, map[string]any{"evaluationToken": tok, "ttlSeconds": 60,
		"definition": renderPlatformSLO(x), "evaluationResults": res})
}

func (s *Server) platformSLO(id string) (PlatformSLO, bool) {
	for _, x := range s.snapshot().PlatformSLOs {
		if x.ID == id {
			return x, true
		}
	}
	return PlatformSLO{}, false
}
