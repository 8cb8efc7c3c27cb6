package config

import (
	"strings"
	"testing"
)

func TestOAuthAndResultForm(t *testing.T) {
	const issuer, aud = "https://idp.example.com/realms/ops", "https://opsctx.example.com/mcp"
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want OAuth  // when no error
		form string // when no error
		err  []string
	}{
		{name: "defaults", form: ResultBoth},
		{name: "env", env: map[string]string{"OPSCTX_OAUTH_ISSUER": issuer, "OPSCTX_OAUTH_AUDIENCE": aud, "OPSCTX_OAUTH_SCOPE": "opsctx", "OPSCTX_RESULT_FORM": "Text"},
			want: OAuth{Issuer: issuer, Audience: aud, Scope: "opsctx"}, form: ResultText},
		{name: "yaml", yaml: "result_form: both\nhttp:\n  oauth: {issuer: " + issuer + ", audience: api://opsctx, resource: " + aud + "}\n",
			want: OAuth{Issuer: issuer, Audience: "api://opsctx", Resource: aud}, form: ResultBoth},
		{name: "loopback http issuer (tests)", env: map[string]string{"OPSCTX_OAUTH_ISSUER": "http://127.0.0.1:9000", "OPSCTX_OAUTH_AUDIENCE": "http://127.0.0.1:8080/mcp"},
			want: OAuth{Issuer: "http://127.0.0.1:9000", Audience: "http://127.0.0.1:8080/mcp"}, form: ResultBoth},
		{name: "unknown form", env: map[string]string{"OPSCTX_RESULT_FORM": "json"}, err: []string{"OPSCTX_RESULT_FORM is not a result form"}},
		{name: "issuer without audience", env: map[string]string{"OPSCTX_OAUTH_ISSUER": issuer}, err: []string{"OPSCTX_OAUTH_AUDIENCE is not set"}},
		{name: "audience without issuer", yaml: "http: {oauth: {audience: " + aud + "}}\n", err: []string{"OPSCTX_OAUTH_ISSUER is not set"}},
		{name: "scope alone", env: map[string]string{"OPSCTX_OAUTH_SCOPE": "x"}, err: []string{"OAuth sign-in needs both"}},
		{name: "plain http issuer", env: map[string]string{"OPSCTX_OAUTH_ISSUER": "http://idp.example.com", "OPSCTX_OAUTH_AUDIENCE": aud},
			err: []string{"OPSCTX_OAUTH_ISSUER must be an https:// URL"}},
		{name: "audience is not a URL and no resource", env: map[string]string{"OPSCTX_OAUTH_ISSUER": issuer, "OPSCTX_OAUTH_AUDIENCE": "api://opsctx"},
			err: []string{"OPSCTX_OAUTH_AUDIENCE (the resource, as OPSCTX_OAUTH_RESOURCE is not set) must be this server's https:// URL"}},
		{name: "token and oauth both", env: map[string]string{"OPSCTX_OAUTH_ISSUER": issuer, "OPSCTX_OAUTH_AUDIENCE": aud, "OPSCTX_AUTH_TOKEN": "canary-tok"},
			err: []string{"OPSCTX_AUTH_TOKEN and OPSCTX_OAUTH_ISSUER are both set: use one sign-in"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.yaml, tc.env)
			if len(tc.err) > 0 {
				if err == nil {
					t.Fatal("Load succeeded, want an error")
				}
				for _, w := range tc.err {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error does not contain %q:\n%v", w, err)
					}
				}
				if strings.Contains(err.Error(), "canary-tok") {
					t.Errorf("the error prints the token: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.HTTP.OAuth != tc.want || c.ResultForm != tc.form {
				t.Errorf("oauth %+v form %q, want %+v %q", c.HTTP.OAuth, c.ResultForm, tc.want, tc.form)
			}
		})
	}
}
