package app

import (
	"net/http"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/servicenow"
)

func init() {
	register(config.SourceServiceNow, func(cfg *config.Config, o Options) connectors.Source {
		sn := cfg.Sources.ServiceNow
		auth, vars := serviceNowAuth(sn)
		return servicenow.New(servicenow.Options{
			Client:      httpClient(cfg, o, config.SourceServiceNow, sn.URL, auth, nil),
			InstanceURL: sn.URL,
			CIClasses:   sn.CIClasses,
			MaxRows:     sn.MaxRows,
			AuthVars:    vars,
		})
	})
}

// serviceNowAuth returns the OAuth bearer auth when a token is set, else basic auth, with
// the variables a 401 should name.
func serviceNowAuth(sn *config.ServiceNow) (func(*http.Request), string) {
	if tok := sn.Token.Value(); tok != "" {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }, "SERVICENOW_TOKEN"
	}
	user, pass := sn.Username, sn.Password.Value()
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }, "SERVICENOW_USERNAME and SERVICENOW_PASSWORD"
}
