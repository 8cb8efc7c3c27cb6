// Package prometheus reads the Prometheus HTTP API v1: firing alerts (Alerts, from
// /api/v1/alerts), alerting rules with their `for`, health and alerts (Rules, from
// /api/v1/rules), and SLOs with their observed error ratios (SLOs: Sloth and Pyrra
// recording rules, SLOs declared in the config file or in catalog annotations, read with
// /api/v1/query). The rule listing SLO discovery reads is reference data, kept for
// Options.ReferenceTTL and fetched ahead by Warm. Which labels carry service, team and
// severity is configurable.
package prometheus

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
)

// SourceName is the name of this source in answers.
const SourceName = "prometheus"

// Defaults for rule paging and for how long the rule listing is kept.
const (
	DefaultGroupLimit   = 100
	DefaultMaxPages     = 50
	DefaultReferenceTTL = 10 * time.Minute
)

// DefaultFallbacks are the labels that name the service when the service label is absent.
var DefaultFallbacks = []string{"job", "app"}

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// Client talks to the Prometheus base URL (optionally through an authenticating proxy).
	Client *httpx.Client
	// Labels name the service, team and severity labels; empty names default to
	// service, team and severity.
	Labels config.Labels
	// Fallbacks name the service when Labels.Service is absent (nil: DefaultFallbacks).
	Fallbacks []string
	// GroupLimit pages /api/v1/rules by this many groups (0: DefaultGroupLimit); servers
	// before v3 ignore it and answer in one page.
	GroupLimit int
	// MaxPages bounds the rule pages followed (0: DefaultMaxPages).
	MaxPages int
	// SLOs are the SLOs declared in the configuration file that this instance evaluates.
	SLOs []config.SLO
	// PinnedCatalogSLOs makes this instance evaluate the SLOs declared in catalog annotations
	// only for services pinned to it (model.InstancesAnnotation), not for every service:
	// with several Prometheus instances, one evaluates them (see internal/app).
	PinnedCatalogSLOs bool
	// ReferenceTTL is how long the rule listing SLO discovery reads is kept
	// (0: DefaultReferenceTTL); new SLO rules show after at most this long.
	ReferenceTTL time.Duration
}

// Source is a Prometheus server.
type Source struct {
	o     Options
	rules *cache.Memo[[]ruleGroup] // the SLO rule listing, see sloRules
	// fors are the alerting rules' `for`, read from the same listing (see pendingFor).
	fors *cache.Memo[map[string][]ruleFor]
}

var (
	_ connectors.Alerts     = (*Source)(nil)
	_ connectors.SLOs       = (*Source)(nil)
	_ connectors.Warmer     = (*Source)(nil)
	_ connectors.AlertRules = (*Source)(nil)
)

// New returns a Source for o.
func New(o Options) *Source {
	if o.Name == "" {
		o.Name = SourceName
	}
	if o.Labels.Service == "" {
		o.Labels.Service = "service"
	}
	if o.Labels.Team == "" {
		o.Labels.Team = "team"
	}
	if o.Labels.Severity == "" {
		o.Labels.Severity = "severity"
	}
	if o.Fallbacks == nil {
		o.Fallbacks = DefaultFallbacks
	}
	if o.GroupLimit <= 0 {
		o.GroupLimit = DefaultGroupLimit
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.ReferenceTTL <= 0 {
		o.ReferenceTTL = DefaultReferenceTTL
	}
	return &Source{o: o, rules: cache.NewMemo[[]ruleGroup](o.ReferenceTTL), fors: cache.NewMemo[map[string][]ruleFor](o.ReferenceTTL)}
}

// Name returns the source name: "prometheus", or "prometheus/<instance>".
func (s *Source) Name() string { return s.o.Name }

// Check reads /api/v1/status/buildinfo: reachability and, behind a proxy, credentials.
func (s *Source) Check(ctx context.Context) error {
	var info struct {
		Version string `json:"version"`
	}
	return get(ctx, s.o.Client, "api/v1/status/buildinfo", nil, &info)
}

// Warm fetches the rule listing SLO discovery reads again and keeps it for ReferenceTTL, so
// that SLOs costs only its queries; while it runs, SLOs uses the listing it replaces.
func (s *Source) Warm(ctx context.Context) error {
	_, err := s.rules.Refresh(ctx, "slo", s.fetchSLORules)
	return err
}

// envelope is the API v1 response envelope.
type envelope[T any] struct {
	Status    string `json:"status"`
	Data      T      `json:"data"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
}

// get reads path into data, failing on an error envelope and naming the settings on 401/403.
func get[T any](ctx context.Context, c *httpx.Client, path string, q url.Values, data *T) error {
	var env envelope[T]
	if _, err := c.GetJSON(ctx, path, q, &env); err != nil {
		if st := httpx.StatusOf(err); st == 401 || st == 403 {
			return fmt.Errorf("%w: check PROMETHEUS_TOKEN or PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD", err)
		}
		return err
	}
	if env.Status != "success" {
		return fmt.Errorf("prometheus: %s: %s: %s", path, env.ErrorType, env.Error)
	}
	*data = env.Data
	return nil
}

// kept is what a snapshot holds of the source: the rule listing SLO discovery keeps, and
// the alerting rules' `for` read from the same listing (when pending alerts fire).
type kept struct {
	Rules *cache.Memo[[]ruleGroup]          `json:"rules"`
	Fors  *cache.Memo[map[string][]ruleFor] `json:"fors"`
}

// Kept returns the rule listing and the rules' `for`, for a snapshot (connectors.Keeper).
func (s *Source) Kept() (json.RawMessage, error) { return json.Marshal(kept{s.rules, s.fors}) }

// Keep takes back what Kept returned; the next Warm replaces it.
func (s *Source) Keep(data json.RawMessage) error {
	return json.Unmarshal(data, &kept{s.rules, s.fors})
}
