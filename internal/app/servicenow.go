package app

import (
	"net/http"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/servicenow"
	"github.com/opsctx/opsctx/internal/httpx"
)

func init() {
	register(config.SourceServiceNow, func(cfg *config.Config, in config.Instance, sn *config.ServiceNow, o Options) connectors.Source {
		h := clientOptions(cfg, o, in.Name, sn.URL)
		vars := serviceNowAuth(sn, &h)
		return servicenow.New(servicenow.Options{
			Name:        in.Name,
			Client:      newClient(o, h),
			InstanceURL: sn.URL,
			CIClasses:   sn.CIClasses,
			MaxRows:     sn.MaxRows,
			Parallel:    sn.Parallel,
			AuthVars:    vars,
		})
	})
}

// serviceNowAuth sets the client's auth and returns the variables a 401 should name: OAuth
// when a client is configured (the password grant with a username, else client credentials;
// tokens from the instance's /oauth_token.do, renewed), else the static bearer token, else
// basic auth. The variables are the instance's (SERVICENOW_<NAME>_TOKEN for a named one).
func serviceNowAuth(sn *config.ServiceNow, h *httpx.Options) string {
	v := func(name string) string { return config.InstanceVar(name, sn.Name) }
	switch {
	case sn.ClientID != "":
		h.OAuth = &httpx.OAuth{TokenURL: sn.URL + "/oauth_token.do", ClientID: sn.ClientID, ClientSecret: sn.ClientSecret.Value(),
			Username: sn.Username, Password: sn.Password.Value()}
		if sn.Username != "" {
			return v("SERVICENOW_CLIENT_ID") + ", " + v("SERVICENOW_CLIENT_SECRET") + ", " + v("SERVICENOW_USERNAME") + " and " +
				v("SERVICENOW_PASSWORD") + " (OAuth password grant)"
		}
		return v("SERVICENOW_CLIENT_ID") + " and " + v("SERVICENOW_CLIENT_SECRET") + " (OAuth client credentials; the OAuth application needs a user)"
	case sn.Token != "":
		tok := sn.Token.Value()
		h.Auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
		return v("SERVICENOW_TOKEN") + " (a static token expires: prefer " + v("SERVICENOW_CLIENT_ID") + " and " + v("SERVICENOW_CLIENT_SECRET") + ")"
	}
	user, pass := sn.Username, sn.Password.Value()
	h.Auth = func(r *http.Request) { r.SetBasicAuth(user, pass) }
	return v("SERVICENOW_USERNAME") + " and " + v("SERVICENOW_PASSWORD")
}
