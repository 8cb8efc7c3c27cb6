package app

import (
	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/opsgenie"
)

func init() { register(config.SourceOpsgenie, buildOpsgenie) }

// buildOpsgenie wires the Opsgenie connector: base URL (US default, EU when configured),
// `GenieKey` auth, and schedule and escalation listings kept for the catalog cache TTL.
func buildOpsgenie(cfg *config.Config, in config.Instance, oc *config.Opsgenie, o Options) connectors.Source {
	base := oc.URL
	if base == "" {
		base = config.DefaultOpsgenieURL
	}
	c := httpClient(cfg, o, in.Name, base, opsgenie.Auth(oc.APIKey.Value()), nil)
	return opsgenie.New(opsgenie.Options{Name: in.Name, Client: c, Now: o.Now, Logger: o.Logger, ReferenceTTL: cfg.CacheTTL[config.CacheCatalog]})
}
