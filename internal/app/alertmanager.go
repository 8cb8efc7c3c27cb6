package app

import (
	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/alertmanager"
)

func init() {
	register(config.SourceAlertmanager, func(cfg *config.Config, in config.Instance, c *config.Alertmanager, o Options) connectors.Source {
		return alertmanager.New(alertmanager.Options{
			Name:   in.Name,
			Client: httpClient(cfg, o, in.Name, c.URL, proxyAuth(c.Username, c.Password, c.Token), nil),
			Labels: c.Labels,
		})
	})
}
