package app

import (
	"net/http"
	"strings"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/backstage"
)

func init() {
	register(config.SourceBackstage, func(cfg *config.Config, in config.Instance, b *config.Backstage, o Options) connectors.Source {
		var auth func(*http.Request)
		if tok := b.Token.Value(); tok != "" {
			auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
		}
		// BACKSTAGE_URL is the backend base URL; tolerate one that already ends in /api/catalog.
		base := strings.TrimSuffix(strings.TrimRight(b.URL, "/"), "/api/catalog")
		return backstage.New(backstage.Options{Name: in.Name, Client: httpClient(cfg, o, in.Name, base, auth, nil)})
	})
}
