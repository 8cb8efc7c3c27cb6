// Package oauth makes opsctx an OAuth 2.0 resource server as the MCP authorization
// specification asks: it verifies JWT access tokens against the issuer's published keys
// (found through its discovery document) and describes itself with RFC 9728 protected
// resource metadata. Signatures and claims are checked by golang-jwt; the key set is kept
// by keyfunc (cached, refreshed hourly and, rate-limited, on an unknown key id).
package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/hashicorp/go-cleanhttp"
	"github.com/mark3labs/mcp-go/server"
	"golang.org/x/time/rate"

	"github.com/opsctx/opsctx/internal/caller"
)

// Algorithms are the signature algorithms accepted: asymmetric only, so that a token can
// never be signed with a shared secret or with none.
var Algorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Defaults for Options left zero.
const (
	DefaultLeeway       = 30 * time.Second // clock skew allowed on exp and nbf
	DefaultRefetchEvery = time.Minute      // at most one key-set fetch per interval for unknown key ids
	keysRefresh         = time.Hour        // the key set is refreshed this often regardless
	fetchTimeout        = 10 * time.Second // one discovery or key-set request
)

// Options configure a Verifier.
type Options struct {
	// Issuer is the authorization server's issuer identifier, exactly as in its tokens' iss.
	Issuer string
	// Audience is the value the tokens' aud must contain: this server.
	Audience string
	// Resource is this server's resource identifier published in the metadata (its
	// public URL); it defaults to Audience.
	Resource string
	// Scope, when set, must be among the token's scopes (scope or scp claim).
	Scope string
	// Leeway is the clock skew allowed on exp and nbf (DefaultLeeway when zero).
	Leeway time.Duration
	// RefetchEvery rate-limits key-set fetches for unknown key ids (DefaultRefetchEvery when zero).
	RefetchEvery time.Duration
	// Client fetches discovery documents and keys (a pooled client with a timeout when nil).
	Client *http.Client
	// Logger reports fetch failures (slog.Default when nil).
	Logger *slog.Logger
}

// Verifier checks access tokens. It is safe for concurrent use.
type Verifier struct {
	o      Options
	issuer *url.URL
	parser *jwt.Parser
	ctx    context.Context // ends the key set's refresh goroutine
	cancel context.CancelFunc

	mu        sync.Mutex
	keys      keyfunc.Keyfunc // nil until discovery succeeded
	discovery *rate.Limiter   // bounds discovery attempts while it fails
	lastErr   error
}

// ErrUnavailable reports that the issuer's keys could not be fetched: a server-side
// problem, answered 503 rather than 401.
var ErrUnavailable = errors.New("sign-in is unavailable: the issuer's discovery document or keys could not be fetched")

// TokenError is a token that is missing, malformed, expired, not issued for this server or
// not signed by the issuer (RFC 6750 invalid_token).
type TokenError struct{ Reason string }

func (e *TokenError) Error() string { return "invalid token: " + e.Reason }

// ScopeError is a valid token without the required scope (RFC 6750 insufficient_scope).
type ScopeError struct{ Scope string }

func (e *ScopeError) Error() string { return "the token lacks the scope " + e.Scope }

// New checks o and returns a Verifier. It fetches nothing: call Discover to resolve the
// keys at start (failures are retried on later requests). Close releases it.
func New(o Options) (*Verifier, error) {
	issuer, err := url.Parse(strings.TrimSpace(o.Issuer))
	if err != nil || o.Issuer == "" {
		return nil, errors.New("oauth: the issuer must be a URL")
	}
	if err := CheckURL(issuer); err != nil {
		return nil, fmt.Errorf("oauth: issuer %w", err)
	}
	if issuer.RawQuery != "" || issuer.Fragment != "" {
		return nil, errors.New("oauth: the issuer must not have a query or fragment")
	}
	if o.Audience == "" {
		return nil, errors.New("oauth: the audience (this server's identifier in tokens' aud) is required")
	}
	if o.Resource == "" {
		o.Resource = o.Audience
	}
	if u, err := url.Parse(o.Resource); err != nil || CheckURL(u) != nil || u.Fragment != "" {
		return nil, errors.New("oauth: the resource must be this server's https:// URL (e.g. https://opsctx.example.com/mcp); set it when the audience is not that URL")
	}
	if o.Leeway <= 0 {
		o.Leeway = DefaultLeeway
	}
	if o.RefetchEvery <= 0 {
		o.RefetchEvery = DefaultRefetchEvery
	}
	if o.Client == nil {
		o.Client = cleanhttp.DefaultPooledClient()
		o.Client.Timeout = fetchTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Verifier{
		o:      o,
		issuer: issuer,
		parser: jwt.NewParser(
			jwt.WithValidMethods(Algorithms),
			jwt.WithIssuer(issuer.String()),
			jwt.WithAudience(o.Audience), // a token without aud fails too
			jwt.WithExpirationRequired(),
			jwt.WithLeeway(o.Leeway),
		),
		ctx:       ctx,
		cancel:    cancel,
		discovery: rate.NewLimiter(rate.Every(o.RefetchEvery), 1),
	}, nil
}

// Close stops the key set's background refresh.
func (v *Verifier) Close() { v.cancel() }

// Discover resolves the issuer's key set now. serve calls it at start to report a
// misconfigured issuer early; Verify calls it when it has not succeeded yet.
func (v *Verifier) Discover(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.discoverLocked(ctx)
}

func (v *Verifier) discoverLocked(ctx context.Context) error {
	if v.keys != nil {
		return nil
	}
	if !v.discovery.Allow() {
		return v.lastErr
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	jwksURI, err := discover(ctx, v.o.Client, v.issuer)
	if err != nil {
		v.lastErr = err
		return err
	}
	kf, err := keyfunc.NewDefaultOverrideCtx(v.ctx, []string{jwksURI}, keyfunc.Override{
		Client:            v.o.Client,
		HTTPTimeout:       fetchTimeout,
		RefreshInterval:   keysRefresh,
		RefreshUnknownKID: rate.NewLimiter(rate.Every(v.o.RefetchEvery), 1),
		RateLimitWaitMax:  fetchTimeout, // an unknown kid within RefetchEvery fails at once instead of waiting
		RefreshErrorHandlerFunc: func(u string) func(context.Context, error) {
			return func(_ context.Context, err error) {
				v.o.Logger.Warn("oauth: fetching the issuer's keys failed", "url", u, "err", err)
			}
		},
	})
	if err != nil {
		v.lastErr = err
		return err
	}
	v.keys, v.lastErr = kf, nil
	return nil
}

// Verify checks a bearer token: signature by one of the issuer's keys with an allowed
// algorithm, iss, aud naming this server, exp and nbf (with leeway), and the required scope.
// It returns who the token speaks for.
func (v *Verifier) Verify(ctx context.Context, token string) (caller.Caller, error) {
	v.mu.Lock()
	err := v.discoverLocked(ctx)
	kf := v.keys
	v.mu.Unlock()
	if kf == nil {
		return caller.Caller{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	var c claims
	if _, err := v.parser.ParseWithClaims(token, &c, kf.KeyfuncCtx(ctx)); err != nil {
		return caller.Caller{}, &TokenError{Reason: reason(err)}
	}
	if v.o.Scope != "" && !slices.Contains(c.scopes(), v.o.Scope) {
		return caller.Caller{}, &ScopeError{Scope: v.o.Scope}
	}
	id := c.ClientID
	if id == "" {
		id = c.AuthorizedParty
	}
	return caller.Caller{Subject: c.Subject, ClientID: id}, nil
}

// Metadata is this server's protected resource metadata (RFC 9728).
func (v *Verifier) Metadata() server.ProtectedResourceMetadataConfig {
	md := server.ProtectedResourceMetadataConfig{
		Resource:               v.o.Resource,
		AuthorizationServers:   []string{v.issuer.String()},
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "opsctx",
	}
	if v.o.Scope != "" {
		md.ScopesSupported = []string{v.o.Scope}
	}
	return md
}

// Scope is the scope a token must carry ("" when none is required).
func (v *Verifier) Scope() string { return v.o.Scope }

// reason names why a token was refused, for the WWW-Authenticate error_description and
// the log (never the token itself).
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed token"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "token not valid yet"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "token not issued for this server (aud)"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "token from another issuer"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "token lacks a required claim (aud, exp or iss)"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "token signed with an unknown key"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature or signing algorithm"
	}
	return "token refused"
}
