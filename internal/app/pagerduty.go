package app

import (
	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/pagerduty"
)

func init() { register(config.SourcePagerDuty, buildPagerDuty) }

// buildPagerDuty wires the PagerDuty connector: base URL (US default, EU when configured),
// `Token token=` auth and the versioned Accept header.
func buildPagerDuty(cfg *config.Config, o Options) connectors.Source {
	pc := cfg.Sources.PagerDuty
	base := pc.URL
	if base == "" {
		base = config.DefaultPagerDutyURL
	}
	c := httpClient(cfg, o, config.SourcePagerDuty, base, pagerduty.Auth(pc.Token.Value()), pagerduty.Header())
	return pagerduty.New(pagerduty.Options{Client: c, Now: o.Now})
}
