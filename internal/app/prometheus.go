package app

import (
	"net/http"
	"slices"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/prometheus"
)

func init() {
	register(config.SourcePrometheus, func(cfg *config.Config, in config.Instance, c *config.Prometheus, o Options) connectors.Source {
		return prometheus.New(prometheus.Options{
			Name:   in.Name,
			Client: httpClient(cfg, o, in.Name, c.URL, proxyAuth(c.Username, c.Password, c.Token), nil),
			Labels: c.Labels,
			// Declared SLOs are evaluated by one instance each (config.SLO.Prometheus, else the
			// default evaluator), not by every cluster.
			SLOs:              slices.DeleteFunc(slices.Clone(cfg.SLOs), func(s config.SLO) bool { return !cfg.EvaluatesSLO(c.Name, s) }),
			PinnedCatalogSLOs: c.Name != cfg.SLOEvaluator(),
			// The rule listing is reference data: kept as long as the catalogs.
			ReferenceTTL: cfg.CacheTTL[config.CacheCatalog],
		})
	})
}

// proxyAuth is the auth of sources that are often behind an authenticating proxy: bearer
// with a token, basic with a username, else none (nil).
func proxyAuth(user string, pass, token config.Secret) func(*http.Request) {
	switch {
	case token != "":
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token.Value()) }
	case user != "":
		return func(r *http.Request) { r.SetBasicAuth(user, pass.Value()) }
	}
	return nil
}
