package dynatrace

import (
	"context"
	"net/url"

	"github.com/opsctx/opsctx/connectors"
)

var _ connectors.Prober = (*Source)(nil)

// Probes read one item of each API the answers use, each needing its token scope: problems
// (problems.read), deployment and configuration events (events.read), the service topology
// (entities.read) and SLOs (slo.read). With Platform the same reads go through the platform
// and need the platform scopes (environment-api:problems:read, …), and the platform SLO
// service is read too (slo:slos:read); either SLO listing is enough, so both only warn.
func (s *Source) Probes() []connectors.Probe {
	probe := func(capability, path, scope string, q url.Values) connectors.Probe {
		needs := "token scope " + scope
		if s.o.Platform {
			needs = "scope " + platformScopeOf[scope]
			path = s.api(path)
		}
		return connectors.Probe{Capability: capability, Needs: needs, Run: func(ctx context.Context) error {
			_, err := s.o.Client.Get(ctx, path, q)
			return s.wrap(err)
		}}
	}
	out := []connectors.Probe{
		probe("problems", problemsPath, "problems.read", url.Values{"pageSize": {"1"}}),
		probe("changes (events)", eventsPath, "events.read", url.Values{"pageSize": {"1"}}),
		probe("services (entities)", entitiesPath, "entities.read", url.Values{"pageSize": {"1"}, "entitySelector": {criterion("type", "SERVICE")}}),
		probe("SLOs", sloPath, "slo.read", url.Values{"pageSize": {"1"}, "evaluate": {"false"}}),
	}
	if s.o.Platform {
		out[3].Capability, out[3].Optional = "SLOs (classic)", true
		out = append(out, connectors.Probe{Capability: "SLOs (platform SLO service)", Needs: "scope " + sloServiceScope, Optional: true,
			Run: func(ctx context.Context) error {
				_, err := s.o.Client.Get(ctx, sloServicePath, url.Values{"page-size": {"1"}})
				return s.wrap(err)
			}})
	}
	return out
}

// platformScopeOf maps a classic token scope to the platform scope of the same read.
var platformScopeOf = map[string]string{
	"problems.read": "environment-api:problems:read", "events.read": "environment-api:events:read",
	"entities.read": "environment-api:entities:read", "slo.read": "environment-api:slo:read",
}
