// Package jsm is the Jira Service Management Operations connector, the home of Opsgenie's
// alerts, schedules and escalations after Opsgenie's end of support (2027-04-05): open
// alerts for a service (Alerts), who is on call now in the owning team's schedules with
// their shift ends, and the team's escalation (OnCall), and alert lookup by id, tiny id or
// alias (IncidentFinder). It reads Atlassian's operations API at
// https://api.atlassian.com/jsm/ops/api/{cloudId}/v1 with basic auth (an account e-mail
// and API token), the cloud id being configured or read from the site's /_edge/tenant_info,
// and names people from the site's Jira users listing (GET /rest/api/3/users/search). The
// team, schedule and user listings are reference data, kept for ReferenceTTL and fetched
// ahead by Warm, so that on-call costs one round trip. It reads the catalog's Opsgenie
// annotations, so a team that migrated needs no catalog change.
package jsm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/opsgenie"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
)

// SourceName is the name of this source in answers.
const SourceName = "jsm"

// Variables a user sets to configure this source, named in error messages.
const (
	SiteVar  = "JSM_SITE_URL"
	CloudVar = "JSM_CLOUD_ID"
	EmailVar = "JSM_USER_EMAIL"
	TokenVar = "JSM_API_TOKEN"
	URLVar   = "JSM_API_URL"
)

// DefaultAPIURL is Atlassian's API gateway.
const DefaultAPIURL = "https://api.atlassian.com"

// Catalog annotations this connector reads: Opsgenie's, so that a migrated team needs no
// catalog change.
const (
	AnnotationTeam     = opsgenie.AnnotationTeam
	AnnotationSelector = opsgenie.AnnotationSelector
)

// Defaults for zero Options fields.
const (
	DefaultPageSize     = 100 // the operations API's maximum
	DefaultMaxPages     = 10
	DefaultUserPageSize = 1000 // the users listing's maximum
	DefaultMaxUserPages = 20
	DefaultMaxSchedules = 5
	DefaultReferenceTTL = 10 * time.Minute
)

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// API is the client for Atlassian's API gateway (DefaultAPIURL) with basic auth.
	API *httpx.Client
	// Site is the client for the Jira site (https://<site>.atlassian.net) with the same
	// auth; nil when only the cloud id is configured (users are then listed through the
	// gateway at /ex/jira/{cloudId}).
	Site *httpx.Client
	// CloudID is the site's cloud id; empty means read it from the site's tenant_info.
	CloudID string
	// PageSize is the page size of the operations API listings (default and maximum 100).
	PageSize int
	// MaxPages bounds the alert pages read per call (default 10).
	MaxPages int
	// UserPageSize is the users listing's page size (default and maximum 1000).
	UserPageSize int
	// MaxUserPages bounds the user pages read per reference fetch (default 20).
	MaxUserPages int
	// ReferenceTTL is how long the team, schedule, escalation and user listings are kept
	// (default 10 min; the app sets the catalog cache TTL).
	ReferenceTTL time.Duration
	// Logger receives reference data notes; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Source reads JSM Operations. It is safe for concurrent use.
type Source struct {
	o     Options
	api   *httpx.Client
	cloud *cache.Memo[string]             // the cloud id read from tenant_info
	ref   *cache.Memo[reference]          // teams, schedules and users
	escs  *cache.Memo[[]escalationPolicy] // escalations by team id
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
	if o.UserPageSize <= 0 || o.UserPageSize > DefaultUserPageSize {
		o.UserPageSize = DefaultUserPageSize
	}
	if o.MaxUserPages <= 0 {
		o.MaxUserPages = DefaultMaxUserPages
	}
	if o.ReferenceTTL <= 0 {
		o.ReferenceTTL = DefaultReferenceTTL
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Source{o: o, api: o.API, cloud: cache.NewMemo[string](365 * 24 * time.Hour), ref: cache.NewMemo[reference](o.ReferenceTTL),
		escs: cache.NewMemo[[]escalationPolicy](o.ReferenceTTL)}
}

// Auth returns the request hook that sends the account e-mail and API token as basic auth.
func Auth(email, token string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(email, token) }
}

// Name returns the source name: "jsm", or "jsm/<instance>".
func (s *Source) Name() string { return s.o.Name }

// BaseURL returns the API gateway URL requests go to.
func (s *Source) BaseURL() string {
	u, _ := s.api.URL("", nil)
	return u
}

// Check proves what the answers need, concurrently: the cloud id, reading alerts
// (read:ops-alert), reading schedules (read:ops-config) and listing users (Browse users and
// groups). Each failure names the permission.
func (s *Source) Check(ctx context.Context) error {
	cloud, err := s.cloudID(ctx)
	if err != nil {
		return err
	}
	var (
		aErr, cErr, uErr error
		wg               conc.WaitGroup
	)
	one := url.Values{"size": {"1"}}
	wg.Go(func() { aErr = s.get(ctx, opsPath(cloud, "/alerts"), one, &struct{}{}, scopeAlerts) })
	wg.Go(func() { cErr = s.get(ctx, opsPath(cloud, "/schedules"), one, &struct{}{}, scopeConfig) })
	wg.Go(func() {
		c, path := s.usersAt(cloud)
		_, err := c.GetJSON(ctx, path, url.Values{"maxResults": {"1"}}, &[]user{})
		if err != nil {
			uErr = fmt.Errorf("%w: people are named by account id until the account may browse users (%s)", wrap(err, scopeUsers), scopeUsers)
		}
	})
	wg.Wait()
	return errors.Join(aErr, cErr, uErr)
}

// Permissions named in errors and by Check.
const (
	scopeAlerts = "read:ops-alert:jira-service-management"
	scopeConfig = "read:ops-config:jira-service-management"
	scopeUsers  = "Browse users and groups"
)

// cloudID returns the configured cloud id, else the one the site's tenant_info names (kept).
func (s *Source) cloudID(ctx context.Context) (string, error) {
	if s.o.CloudID != "" {
		return s.o.CloudID, nil
	}
	if s.o.Site == nil {
		return "", fmt.Errorf("%s: set %s or %s", SourceName, SiteVar, CloudVar)
	}
	return s.cloud.Get(ctx, "", func(ctx context.Context) (string, error) {
		var ti struct {
			CloudID string `json:"cloudId"`
		}
		if _, err := s.o.Site.GetJSON(ctx, "/_edge/tenant_info", nil, &ti); err != nil {
			return "", fmt.Errorf("%w: reading the cloud id from %s: check %s or set %s", err, "/_edge/tenant_info", SiteVar, CloudVar)
		}
		if !cloudIDPattern.MatchString(ti.CloudID) {
			return "", fmt.Errorf("%s: %s names no cloud id: check %s or set %s", SourceName, "/_edge/tenant_info", SiteVar, CloudVar)
		}
		return ti.CloudID, nil
	})
}

var cloudIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// opsPath is the operations API path of a resource for the cloud id.
func opsPath(cloud, resource string) string {
	return "/jsm/ops/api/" + url.PathEscape(cloud) + "/v1" + resource
}

// usersAt returns the client and path of the users listing: the site's when configured,
// else the gateway's for the cloud id.
func (s *Source) usersAt(cloud string) (*httpx.Client, string) {
	if s.o.Site != nil {
		return s.o.Site, "/rest/api/3/users/search"
	}
	return s.api, "/ex/jira/" + url.PathEscape(cloud) + "/rest/api/3/users/search"
}

// get reads one operations API response into out, naming the permission on 403.
func (s *Source) get(ctx context.Context, path string, q url.Values, out any, scope string) error {
	if _, err := s.api.GetJSON(ctx, path, q, out); err != nil {
		return wrap(err, scope)
	}
	return nil
}

// wrap names what to fix on authentication and permission errors.
func wrap(err error, scope string) error {
	switch httpx.StatusOf(err) {
	case http.StatusUnauthorized:
		return fmt.Errorf("%w: check %s and %s", err, EmailVar, TokenVar)
	case http.StatusForbidden:
		if scope == scopeUsers {
			return fmt.Errorf("%w: the account needs the %s global permission", err, scope)
		}
		return fmt.Errorf("%w: the account needs JSM Operations access (%s) on the teams concerned", err, scope)
	case http.StatusNotFound:
		return fmt.Errorf("%w: check %s or %s", err, CloudVar, SiteVar)
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

// tagValues returns the values of the "key:value" tags with the key.
func tagValues(tags []string, key string) []string {
	var out []string
	for _, t := range tags {
		if k, v, ok := strings.Cut(t, ":"); ok && strings.EqualFold(k, key) && v != "" {
			out = append(out, v)
		}
	}
	return out
}
