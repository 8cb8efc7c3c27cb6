package app

import (
	"net/http"
	"strings"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/backstage"
)

func init() {
	register(config.SourceBackstage, func(cfg *config.Config, o Options) connectors.Source {
		b := cfg.Sources.Backstage
		var auth func(*http.Request)
		if tok := b.Token.Value(); tok != "" {
			auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
		}
		// BACKSTAGE_URL is the backend base URL; tolerate one that already ends in /api/catalog.
		base := strings.TrimSuffix(strings.TrimRight(b.URL, "/"), "/api/catalog")
		return backstage.New(backstage.Options{Client: httpClient(cfg, o, config.SourceBackstage, base, auth, nil)})
	})
}
