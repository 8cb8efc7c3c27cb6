package opsgenie

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
)

var _ connectors.Prober = (*Source)(nil)

// Access rights of Opsgenie API keys (API integrations and API key management) that the
// answers need, named as Opsgenie's settings name them.
const (
	needRead   = "Read access"
	needConfig = "Configuration access (an API integration not restricted from configuration, or an API key with Configuration access)"
	needUsers  = needConfig + ", not a team integration's key"
)

// Probes read one item of each listing the answers use: alerts (Read access); schedules,
// escalations and teams (Configuration access); users (Configuration access, refused to team
// integrations' keys; optional: people are then named by username).
func (s *Source) Probes() []connectors.Probe {
	one := url.Values{"limit": {"1"}}
	probe := func(capability, path, needs string, q url.Values, optional bool) connectors.Probe {
		return connectors.Probe{Capability: capability, Needs: needs, Optional: optional, Run: func(ctx context.Context) error {
			var out any
			err := s.get(ctx, path, q, &out)
			if httpx.StatusOf(err) == http.StatusNotFound {
				return fmt.Errorf("%w: check %s", err, URLVar)
			}
			return err
		}}
	}
	return []connectors.Probe{
		probe("alerts", "/v2/alerts", needRead, url.Values{"limit": {"1"}, "query": {"status:open"}}, false),
		probe("schedules (on-call)", "/v2/schedules", needConfig, nil, false),
		probe("escalations", "/v2/escalations", needConfig, nil, false),
		probe("teams", "/v2/teams", needConfig, nil, false),
		probe("users (full names)", "/v2/users", needUsers, one, true),
	}
}
