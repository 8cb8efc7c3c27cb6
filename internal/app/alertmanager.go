package app

import (
	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/alertmanager"
)

func init() {
	register(config.SourceAlertmanager, func(cfg *config.Config, o Options) connectors.Source {
		c := cfg.Sources.Alertmanager
		return alertmanager.New(alertmanager.Options{
			Client: httpClient(cfg, o, config.SourceAlertmanager, c.URL, proxyAuth(c.Username, c.Password, c.Token), nil),
			Labels: c.Labels,
		})
	})
}
