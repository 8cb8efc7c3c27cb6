// Package alertmanager reads the Prometheus Alertmanager API v2 (v0.25 to v0.34): active,
// silenced and inhibited alerts (Alerts), alert groups and silences. Which labels carry
// service, team and severity is configurable.
package alertmanager

import (
	"context"
	"fmt"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
)

// SourceName is the name of this source in answers.
const SourceName = "alertmanager"

// DefaultFallbacks are the labels that name the service when the service label is absent.
var DefaultFallbacks = []string{"job", "app"}

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// Client talks to the Alertmanager base URL (optionally through an authenticating proxy).
	Client *httpx.Client
	// Labels name the service, team and severity labels; empty names default to
	// service, team and severity.
	Labels config.Labels
	// Fallbacks name the service when Labels.Service is absent (nil: DefaultFallbacks).
	Fallbacks []string
}

// Source is an Alertmanager.
type Source struct{ o Options }

var (
	_ connectors.Alerts = (*Source)(nil)
	_ connectors.Mutes  = (*Source)(nil)
)

// New returns a Source for o.
func New(o Options) *Source {
	if o.Name == "" {
		o.Name = SourceName
	}
	o.Labels = withDefaults(o.Labels)
	if o.Fallbacks == nil {
		o.Fallbacks = DefaultFallbacks
	}
	return &Source{o: o}
}

func withDefaults(l config.Labels) config.Labels {
	if l.Service == "" {
		l.Service = "service"
	}
	if l.Team == "" {
		l.Team = "team"
	}
	if l.Severity == "" {
		l.Severity = "severity"
	}
	return l
}

// Name returns the source name: "alertmanager", or "alertmanager/<instance>".
func (s *Source) Name() string { return s.o.Name }

// Check reads /api/v2/status: reachability and, behind a proxy, credentials.
func (s *Source) Check(ctx context.Context) error {
	_, err := s.o.Client.Get(ctx, "api/v2/status", nil)
	return wrap(err)
}

// wrap names the settings to fix on 401/403.
func wrap(err error) error {
	if st := httpx.StatusOf(err); st == 401 || st == 403 {
		return fmt.Errorf("%w: check ALERTMANAGER_TOKEN or ALERTMANAGER_USERNAME and ALERTMANAGER_PASSWORD", err)
	}
	return err
}
