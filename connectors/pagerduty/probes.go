package pagerduty

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
)

var _ connectors.Prober = (*Source)(nil)

// listings are the listings the answers read, with the scope the REST API reference names for
// each ("Scoped OAuth requires"); their per-item endpoints take the same scope.
var listings = []struct{ capability, path, scope string }{
	{"services", "/services", "services.read"},
	{"incidents and alerts", "/incidents", "incidents.read"},
	{"on-call", "/oncalls", "oncalls.read"},
	{"escalation policies", "/escalation_policies", "escalation_policies.read"},
	{"change events", "/change_events", "change_events.read"},
	{"maintenance windows", "/maintenance_windows", "services.read"},
}

// Scopes are the Scoped OAuth scopes the connector needs.
var Scopes = func() []string {
	var out []string
	for _, l := range listings {
		if !slices.Contains(out, l.scope) {
			out = append(out, l.scope)
		}
	}
	return out
}()

// Probes read one item of each listing the answers use. An account API key (full or
// read-only) reads them all; a user's key reads what the user's role may see; a Scoped OAuth
// app's token needs each listing's scope.
func (s *Source) Probes() []connectors.Probe {
	out := make([]connectors.Probe, 0, len(listings))
	for _, l := range listings {
		out = append(out, connectors.Probe{Capability: l.capability, Needs: "scope " + l.scope + " (Scoped OAuth; an API key reads every listing)",
			Run: func(ctx context.Context) error {
				var page map[string]any
				_, err := s.c.GetJSON(ctx, l.path, url.Values{"limit": {"1"}}, &page)
				if httpx.StatusOf(err) == http.StatusNotFound {
					return fmt.Errorf("%w: check %s", err, URLVar)
				}
				return wrap(err)
			}})
	}
	return out
}
