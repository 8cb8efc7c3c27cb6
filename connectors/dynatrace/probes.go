package dynatrace

import (
	"context"
	"net/url"

	"github.com/opsctx/opsctx/connectors"
)

var _ connectors.Prober = (*Source)(nil)

// Probes read one item of each API the answers use, each needing its token scope: problems
// (problems.read), deployment and configuration events (events.read), the service topology
// (entities.read) and SLOs (slo.read).
func (s *Source) Probes() []connectors.Probe {
	probe := func(capability, path, scope string, q url.Values) connectors.Probe {
		return connectors.Probe{Capability: capability, Needs: "token scope " + scope, Run: func(ctx context.Context) error {
			_, err := s.o.Client.Get(ctx, path, q)
			return s.wrap(err)
		}}
	}
	return []connectors.Probe{
		probe("problems", problemsPath, "problems.read", url.Values{"pageSize": {"1"}}),
		probe("changes (events)", eventsPath, "events.read", url.Values{"pageSize": {"1"}}),
		probe("services (entities)", entitiesPath, "entities.read", url.Values{"pageSize": {"1"}, "entitySelector": {criterion("type", "SERVICE")}}),
		probe("SLOs", sloPath, "slo.read", url.Values{"pageSize": {"1"}, "evaluate": {"false"}}),
	}
}
