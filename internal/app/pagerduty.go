package app

import (
	"strings"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/pagerduty"
	"github.com/opsctx/opsctx/internal/httpx"
)

func init() { register(config.SourcePagerDuty, buildPagerDuty) }

// buildPagerDuty wires the PagerDuty connector: base URL (US default, EU when configured), the
// versioned Accept header, and `Token token=` auth with a REST API key, or a Scoped OAuth app's
// tokens (client credentials for the account's as_account scope and the read scopes the
// connector uses, renewed).
func buildPagerDuty(cfg *config.Config, in config.Instance, pc *config.PagerDuty, o Options) connectors.Source {
	base := pc.URL
	if base == "" {
		base = config.DefaultPagerDutyURL
	}
	h := clientOptions(cfg, o, in.Name, base)
	h.Header = pagerduty.Header()
	if pc.ClientID != "" {
		region := "us"
		if strings.Contains(base, ".eu.") {
			region = "eu"
		}
		h.OAuth = &httpx.OAuth{TokenURL: pc.TokenURL, ClientID: pc.ClientID, ClientSecret: pc.ClientSecret.Value(),
			Scopes: append([]string{"as_account-" + region + "." + pc.Subdomain}, pagerduty.Scopes...)}
	} else {
		h.Auth = pagerduty.Auth(pc.Token.Value())
	}
	return pagerduty.New(pagerduty.Options{Name: in.Name, Client: newClient(o, h), Now: o.Now, Shared: sharedCacheOf(o.shared)})
}
