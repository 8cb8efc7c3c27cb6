package app

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/dynatrace"
	"github.com/opsctx/opsctx/internal/httpx"
)

func init() { register(config.SourceDynatrace, buildDynatrace) }

// buildDynatrace wires the Dynatrace connector. A classic API token is sent as "Api-Token" to
// the environment URL (https://{id}.live.dynatrace.com); a platform token or an OAuth client's
// access tokens (client credentials for the account URN and the connector's platform scopes,
// renewed) are sent as Bearer to the platform URL (https://{id}.apps.dynatrace.com), where
// the classic API is read under /platform/classic/environment-api/v2 and SLOs from the
// platform SLO service too. Links keep the environment URL.
func buildDynatrace(cfg *config.Config, in config.Instance, c *config.Dynatrace, o Options) connectors.Source {
	platform := c.Platform()
	base := c.URL
	if platform {
		base = dynatraceDomain(c.URL, ".live.", ".apps.")
	}
	h := clientOptions(cfg, o, in.Name, base)
	token := c.Token.Value()
	switch {
	case c.ClientID != "":
		h.OAuth = &httpx.OAuth{TokenURL: c.TokenURL, ClientID: c.ClientID, ClientSecret: c.ClientSecret.Value(),
			Scopes: dynatrace.PlatformScopes, Params: url.Values{"resource": {c.AccountURN}}}
	case platform:
		h.Auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	default:
		h.Auth = func(r *http.Request) { r.Header.Set("Authorization", "Api-Token "+token) }
	}
	return dynatrace.New(dynatrace.Options{
		Name:     in.Name,
		Client:   newClient(o, h),
		Platform: platform,
		EnvURL:   dynatraceDomain(c.URL, ".apps.", ".live."),
		Logger:   o.Logger,
		Now:      o.Now,
		// SLO definitions are reference data, refreshed with the catalogs.
		ReferenceTTL: cfg.CacheTTL[config.CacheCatalog],
		Shared:       sharedCacheOf(o.shared),
	})
}

// dynatraceDomain swaps a SaaS environment URL's domain part from to to
// (abc12345.live.dynatrace.com <-> abc12345.apps.dynatrace.com); other URLs (Managed, tests)
// are kept.
func dynatraceDomain(raw, from, to string) string {
	u, err := url.Parse(raw)
	if err != nil || !strings.Contains(u.Host, from) || !strings.Contains(u.Host, "dynatrace") {
		return raw
	}
	u.Host = strings.Replace(u.Host, from, to, 1)
	return u.String()
}
