package app

import (
	"net/http"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/dynatrace"
)

func init() {
	register(config.SourceDynatrace, func(cfg *config.Config, o Options) connectors.Source {
		c := cfg.Sources.Dynatrace
		token := c.Token.Value()
		auth := func(r *http.Request) { r.Header.Set("Authorization", "Api-Token "+token) }
		return dynatrace.New(dynatrace.Options{
			Client: httpClient(cfg, o, config.SourceDynatrace, c.URL, auth, nil),
			EnvURL: c.URL,
			Logger: o.Logger,
			Now:    o.Now,
			// SLO definitions are reference data, refreshed with the catalogs.
			ReferenceTTL: cfg.CacheTTL[config.CacheCatalog],
		})
	})
}
