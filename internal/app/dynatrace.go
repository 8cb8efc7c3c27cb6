package app

import (
	"net/http"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/dynatrace"
)

func init() {
	register(config.SourceDynatrace, func(cfg *config.Config, in config.Instance, c *config.Dynatrace, o Options) connectors.Source {
		token := c.Token.Value()
		auth := func(r *http.Request) { r.Header.Set("Authorization", "Api-Token "+token) }
		return dynatrace.New(dynatrace.Options{
			Name:   in.Name,
			Client: httpClient(cfg, o, in.Name, c.URL, auth, nil),
			EnvURL: c.URL,
			Logger: o.Logger,
			Now:    o.Now,
			// SLO definitions are reference data, refreshed with the catalogs.
			ReferenceTTL: cfg.CacheTTL[config.CacheCatalog],
		})
	})
}
