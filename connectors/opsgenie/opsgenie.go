// Package opsgenie is the Opsgenie REST API v2 connector: open alerts for a service
// (Alerts), the on-call participants of the owning team's schedules and its escalation
// (OnCall), and alert lookup by id, tiny id or alias (IncidentFinder). The schedule,
// escalation and user listings are reference data, kept for ReferenceTTL and fetched ahead
// by Warm (Warmer), so that on-call costs one round trip and names people by full name.
// It reads with `Authorization: GenieKey …`, pages alerts and users with offset/limit and
// honours 429 X-RateLimit-Period-In-Sec through httpx. Opsgenie's end of support is 2027-04-05.
package opsgenie

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
)

// SourceName is the name of this source in answers.
const SourceName = "opsgenie"

// Variables a user sets to configure this source, named in error messages.
const (
	KeyVar = "OPSGENIE_API_KEY"
	URLVar = "OPSGENIE_API_URL"
)

// Catalog annotations this connector reads.
const (
	AnnotationTeam     = "opsgenie.com/team"
	AnnotationSelector = "opsgenie.com/component-selector"
)

// Defaults for zero Options fields.
const (
	DefaultPageSize     = 100 // Opsgenie's maximum
	DefaultMaxPages     = 10
	DefaultMaxSchedules = 5
	DefaultMaxUserPages = 20
	DefaultReferenceTTL = 10 * time.Minute
)

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// Client is the HTTP client for the Opsgenie API (base URL and auth).
	Client *httpx.Client
	// PageSize is the alert and user page size (default 100, the vendor maximum for
	// alerts).
	PageSize int
	// MaxPages bounds the alert pages read per call (default 10).
	MaxPages int
	// MaxUserPages bounds the user pages read per reference fetch (default 20).
	MaxUserPages int
	// ReferenceTTL is how long the schedule, escalation and user listings are kept
	// (default 10 min; the app sets the catalog cache TTL).
	ReferenceTTL time.Duration
	// Logger receives reference data notes; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Source reads Opsgenie. It is safe for concurrent use.
type Source struct {
	o   Options
	c   *httpx.Client
	ref *cache.Memo[reference] // schedules, escalations and users, kept for ReferenceTTL
}

var (
	_ connectors.Alerts         = (*Source)(nil)
	_ connectors.OnCall         = (*Source)(nil)
	_ connectors.IncidentFinder = (*Source)(nil)
	_ connectors.Warmer         = (*Source)(nil)
)

// New returns a Source for o.
func New(o Options) *Source {
	if o.Name == "" {
		o.Name = SourceName
	}
	if o.PageSize <= 0 || o.PageSize > DefaultPageSize {
		o.PageSize = DefaultPageSize
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxUserPages <= 0 {
		o.MaxUserPages = DefaultMaxUserPages
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ReferenceTTL <= 0 {
		o.ReferenceTTL = DefaultReferenceTTL
	}
	return &Source{o: o, c: o.Client, ref: cache.NewMemo[reference](o.ReferenceTTL)}
}

// Auth returns the request hook that sends key as `Authorization: GenieKey <key>`.
func Auth(key string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "GenieKey "+key) }
}

// log is the logger for notes that fail nothing.
func (s *Source) log() *slog.Logger { return s.o.Logger }

// Name returns the source name: "opsgenie", or "opsgenie/<instance>".
func (s *Source) Name() string { return s.o.Name }

// BaseURL returns the API base URL requests go to.
func (s *Source) BaseURL() string {
	u, _ := s.c.URL("", nil)
	return u
}

// Check reads one item of every listing the answers use (Probes).
func (s *Source) Check(ctx context.Context) error { return connectors.CheckAll(ctx, s.Probes()) }

// get reads one response and decodes its data member into out.
func (s *Source) get(ctx context.Context, path string, q url.Values, out any) error {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if _, err := s.c.GetJSON(ctx, path, q, &env); err != nil {
		return wrap(err)
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return fmt.Errorf("%s: GET %s: response has no data", SourceName, path)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("%s: malformed data in GET %s: %w", SourceName, path, err)
	}
	return nil
}

// wrap names the variable to fix on authentication errors.
func wrap(err error) error {
	switch httpx.StatusOf(err) {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: check %s", err, KeyVar)
	case http.StatusForbidden:
		return fmt.Errorf("%w: check that %s may read alerts and configuration (an API integration with read access, or an account API key)", err, KeyVar)
	}
	return err
}

// parseTime reads an ISO 8601 timestamp in UTC; anything else is the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// tagValue returns the value of the first "key:value" tag with the key.
func tagValue(tags []string, key string) string {
	for _, t := range tags {
		if k, v, ok := strings.Cut(t, ":"); ok && strings.EqualFold(k, key) && v != "" {
			return v
		}
	}
	return ""
}
