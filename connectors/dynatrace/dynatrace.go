// Package dynatrace reads the Dynatrace Environment API v2: open and recent problems with
// root cause and impact (Problems, FindIncident), deployment and configuration events
// (Changes), the service topology measured from telemetry (Catalog), and service-level
// objectives as Dynatrace evaluates them (SLOs). The unevaluated SLO listing is reference
// data, kept for ReferenceTTL and fetched ahead by Warm (Warmer), so that a target's SLOs
// cost one round trip: their evaluation.
package dynatrace

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
)

// SourceName is the name of this source in answers.
const SourceName = "dynatrace"

// EntityAnnotation is the catalog annotation that names a service's Dynatrace entity.
const EntityAnnotation = "dynatrace.com/dynatrace-entity-id"

// DefaultMaxPages bounds how many pages one list call follows.
const DefaultMaxPages = 20

// DefaultReferenceTTL is how long the SLO listing is kept when Options.ReferenceTTL is 0.
const DefaultReferenceTTL = 10 * time.Minute

// DefaultEventTypes are the change events Changes reads, one request per type.
var DefaultEventTypes = []string{"CUSTOM_DEPLOYMENT", "CUSTOM_CONFIGURATION"}

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// Client talks to the environment URL (SaaS https://{id}.live.dynatrace.com or
	// Managed https://{host}/e/{id}) with "Authorization: Api-Token ...", or, with Platform,
	// to the platform URL (https://{id}.apps.dynatrace.com) with Bearer credentials.
	Client *httpx.Client
	// Platform says the Client holds platform credentials (a platform token or an OAuth
	// client's access tokens): the classic Environment API v2 is read through the platform
	// (/platform/classic/environment-api/v2, platform scopes such as
	// environment-api:problems:read), and SLOs from the platform SLO service as well as the
	// classic SLO API (see SLOs).
	Platform bool
	// EnvURL is the environment URL, for links to problems and services.
	EnvURL string
	// PageSize overrides the per-endpoint page size (0: problems 100, events and entities 500).
	PageSize int
	// MaxPages bounds the pages followed per list (0: DefaultMaxPages).
	MaxPages int
	// EventTypes are the change event types read by Changes (nil: DefaultEventTypes).
	EventTypes []string
	// LookbackForIDs is how far back FindIncident searches by display id (0: 30 days).
	LookbackForIDs time.Duration
	// Logger receives truncation warnings; nil means slog.Default().
	Logger *slog.Logger
	// Now stamps SLO evaluations (AsOf); nil means time.Now.
	Now func() time.Time
	// ReferenceTTL is how long the unevaluated SLO listing is kept (0: DefaultReferenceTTL;
	// the app sets the catalog cache TTL).
	ReferenceTTL time.Duration
	// Shared, when set, is the cache replicas share: the maintenance windows one replica
	// read serve the others for ReferenceTTL.
	Shared cache.Shared
}

// Source is a Dynatrace environment.
type Source struct {
	o    Options
	defs *cache.Memo[sloListing]    // the unevaluated SLO listing, kept for ReferenceTTL
	mws  *cache.Memo[windowListing] // the maintenance windows, kept for ReferenceTTL

	mu     sync.Mutex
	runsOn map[string][]string // service id -> the process groups and hosts it runs on
}

var (
	_ connectors.Problems       = (*Source)(nil)
	_ connectors.Changes        = (*Source)(nil)
	_ connectors.Catalog        = (*Source)(nil)
	_ connectors.IncidentFinder = (*Source)(nil)
	_ connectors.SLOs           = (*Source)(nil)
	_ connectors.Warmer         = (*Source)(nil)
	_ connectors.Mutes          = (*Source)(nil)
)

// New returns a Source for o.
func New(o Options) *Source {
	if o.Name == "" {
		o.Name = SourceName
	}
	o.EnvURL = strings.TrimRight(o.EnvURL, "/")
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.EventTypes == nil {
		o.EventTypes = DefaultEventTypes
	}
	if o.LookbackForIDs <= 0 {
		o.LookbackForIDs = 30 * 24 * time.Hour
	}
	if o.ReferenceTTL <= 0 {
		o.ReferenceTTL = DefaultReferenceTTL
	}
	return &Source{o: o, defs: cache.NewMemo[sloListing](o.ReferenceTTL), mws: cache.NewMemo[windowListing](o.ReferenceTTL).Share(o.Shared, o.Name+"|maintenance windows"),
		runsOn: map[string][]string{}}
}

// Name returns the source name: "dynatrace", or "dynatrace/<instance>".
func (s *Source) Name() string { return s.o.Name }

// Check reads one item of every API the answers use (Probes): it proves reachability, the
// token and each of its scopes.
func (s *Source) Check(ctx context.Context) error { return connectors.CheckAll(ctx, s.Probes()) }

func (s *Source) logger() *slog.Logger {
	if s.o.Logger != nil {
		return s.o.Logger
	}
	return slog.Default()
}

func (s *Source) pageSize(def int) string {
	if s.o.PageSize > 0 {
		def = s.o.PageSize
	}
	return fmt.Sprint(def)
}

// SignIn fetches the OAuth client's access token (connectors.Authenticator); an API or
// platform token is connectors.ErrNoSignIn.
func (s *Source) SignIn(ctx context.Context) error {
	if !s.o.Client.SignsIn() {
		return connectors.ErrNoSignIn
	}
	return s.wrap(s.o.Client.SignIn(ctx))
}

var _ connectors.Authenticator = (*Source)(nil)

// wrap names the setting to fix on 401/403.
func (s *Source) wrap(err error) error {
	switch st := httpx.StatusOf(err); {
	case st == 401 && s.o.Platform:
		return fmt.Errorf("%w: check the platform token (DYNATRACE_API_TOKEN) or the OAuth client (DYNATRACE_CLIENT_ID, "+
			"DYNATRACE_CLIENT_SECRET, DYNATRACE_ACCOUNT_URN)", err)
	case st == 401:
		return fmt.Errorf("%w: check DYNATRACE_API_TOKEN", err)
	case st == 403 && s.o.Platform:
		return fmt.Errorf("%w: check that the platform token or OAuth client has the scopes %s", err, strings.Join(PlatformScopes, ", "))
	case st == 403:
		return fmt.Errorf("%w: check that DYNATRACE_API_TOKEN has the scopes problems.read, events.read, entities.read and slo.read", err)
	}
	return err
}

// PlatformScopes are the platform scopes the connector reads with: the classic API through
// the platform, and the platform SLO service.
var PlatformScopes = []string{"environment-api:problems:read", "environment-api:events:read",
	"environment-api:entities:read", "environment-api:slo:read", sloServiceScope}

// classicPlatformPrefix is where the platform serves the classic Environment API v2.
const classicPlatformPrefix = "platform/classic/environment-api/v2/"

// api returns the path of a classic API v2 endpoint ("api/v2/problems") for this Client: as
// is, or through the platform.
func (s *Source) api(path string) string {
	if s.o.Platform {
		if rest, ok := strings.CutPrefix(path, "api/v2/"); ok {
			return classicPlatformPrefix + rest
		}
	}
	return path
}

// ms converts epoch milliseconds to UTC time.
func ms(v int64) time.Time { return time.UnixMilli(v).UTC() }
