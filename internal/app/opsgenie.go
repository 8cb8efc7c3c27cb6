package app

import (
	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/opsgenie"
)

func init() { register(config.SourceOpsgenie, buildOpsgenie) }

// buildOpsgenie wires the Opsgenie connector: base URL (US default, EU when configured),
// `GenieKey` auth, and schedule and escalation listings kept for the catalog cache TTL.
func buildOpsgenie(cfg *config.Config, o Options) connectors.Source {
	oc := cfg.Sources.Opsgenie
	base := oc.URL
	if base == "" {
		base = config.DefaultOpsgenieURL
	}
	c := httpClient(cfg, o, config.SourceOpsgenie, base, opsgenie.Auth(oc.APIKey.Value()), nil)
	return opsgenie.New(opsgenie.Options{Client: c, Now: o.Now, Logger: o.Logger, ReferenceTTL: cfg.CacheTTL[config.CacheCatalog]})
}
