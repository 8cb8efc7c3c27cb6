package app

import (
	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/jsm"
	"github.com/opsctx/opsctx/internal/httpx"
)

func init() { register(config.SourceJSM, buildJSM) }

// buildJSM wires the JSM Operations connector: the Atlassian gateway (default, or the
// configured URL) and, when configured, the site (its tenant_info names the cloud id and it
// lists users), both with basic auth, and reference listings kept for the catalog cache TTL.
func buildJSM(cfg *config.Config, in config.Instance, jc *config.JSM, o Options) connectors.Source {
	base := jc.URL
	if base == "" {
		base = config.DefaultJSMURL
	}
	auth := jsm.Auth(jc.Email, jc.APIToken.Value())
	var site *httpx.Client
	if jc.SiteURL != "" {
		site = httpClient(cfg, o, in.Name, jc.SiteURL, auth, nil)
	}
	return jsm.New(jsm.Options{Name: in.Name, API: httpClient(cfg, o, in.Name, base, auth, nil), Site: site, CloudID: jc.CloudID,
		Now: o.Now, Logger: o.Logger, ReferenceTTL: cfg.CacheTTL[config.CacheCatalog]})
}
