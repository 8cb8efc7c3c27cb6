package app

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/opsctx/opsctx/connectors/jsm"
	jsmfake "github.com/opsctx/opsctx/internal/fake/jsm"
)

// TestJSMWiring: the gateway defaults to api.atlassian.com; configured with the site (the
// fake stands for both), check reads the cloud id from tenant_info and then the alerts,
// schedules and users with basic auth; configured with the cloud id it never asks the site.
func TestJSMWiring(t *testing.T) {
	const cloud = "3b1f0c0e-9d7a-4c55-8a52-1b2c3d4e5f60"
	if s := source(t, map[string]string{"JSM_SITE_URL": "https://acme.atlassian.net", "JSM_USER_EMAIL": "e@x", "JSM_API_TOKEN": "t"}, "jsm"); s.(*jsm.Source).BaseURL() != "https://api.atlassian.com" {
		t.Errorf("base URL %q", s.(*jsm.Source).BaseURL())
	}
	srv := jsmfake.Start(jsmfake.Data{CloudID: cloud}, "ops@acme.com", "jsm-token-1234")
	defer srv.Close()
	for _, env := range []map[string]string{
		{"JSM_SITE_URL": srv.URL, "JSM_API_URL": srv.URL, "JSM_USER_EMAIL": "ops@acme.com", "JSM_API_TOKEN": "jsm-token-1234"},
		{"JSM_CLOUD_ID": cloud, "JSM_API_URL": srv.URL, "JSM_USER_EMAIL": "ops@acme.com", "JSM_API_TOKEN": "jsm-token-1234"},
	} {
		srv.Reset()
		if err := source(t, env, "jsm").Check(context.Background()); err != nil {
			t.Fatal(err)
		}
		wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("ops@acme.com:jsm-token-1234"))
		ops := "/jsm/ops/api/" + cloud + "/v1"
		if srv.Count(ops+"/alerts") != 1 || srv.Count(ops+"/schedules") != 1 || srv.Count("/_edge/tenant_info") != map[bool]int{true: 1}[env["JSM_SITE_URL"] != ""] {
			t.Errorf("requests %+v", srv.Requests())
		}
		for _, r := range srv.Requests() {
			if r.Path != "/_edge/tenant_info" && r.Header.Get("Authorization") != wantAuth {
				t.Errorf("%s: Authorization %q", r.Path, r.Header.Get("Authorization"))
			}
		}
	}
}
