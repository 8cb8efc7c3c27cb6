package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadEnvEnablesSources(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		want  []string
		check func(t *testing.T, c *Config)
	}{
		{
			name: "nothing set",
			env:  nil,
			want: nil,
			check: func(t *testing.T, c *Config) {
				if c.Deadline != 8*time.Second || c.SourceTimeout != 5*time.Second || c.LogLevel != "info" {
					t.Errorf("defaults: deadline=%v source_timeout=%v log_level=%q", c.Deadline, c.SourceTimeout, c.LogLevel)
				}
				want := map[string]time.Duration{"catalog": 10 * time.Minute, "oncall": 5 * time.Minute, "alerts": 30 * time.Second,
					"problems": 30 * time.Second, "incidents": 30 * time.Second, "changes": 2 * time.Minute, "slos": time.Minute}
				for k, v := range want {
					if c.CacheTTL[k] != v {
						t.Errorf("CacheTTL[%s] = %v, want %v", k, c.CacheTTL[k], v)
					}
				}
				if len(c.CacheTTL) != len(want) {
					t.Errorf("CacheTTL has %d kinds, want %d", len(c.CacheTTL), len(want))
				}
			},
		},
		{
			name: "pagerduty token uses default URL",
			env:  map[string]string{"PAGERDUTY_API_TOKEN": "pd"},
			want: []string{"pagerduty"},
			check: func(t *testing.T, c *Config) {
				if c.Sources.PagerDuty[0].URL != "https://api.pagerduty.com" || c.Sources.PagerDuty[0].Token.Value() != "pd" {
					t.Errorf("pagerduty = %+v", *c.Sources.PagerDuty[0])
				}
			},
		},
		{
			name: "pagerduty EU URL respected and trailing slash trimmed",
			env:  map[string]string{"PAGERDUTY_API_TOKEN": "pd", "PAGERDUTY_API_URL": "https://api.eu.pagerduty.com/"},
			want: []string{"pagerduty"},
			check: func(t *testing.T, c *Config) {
				if got := c.Sources.PagerDuty[0].URL; got != "https://api.eu.pagerduty.com" {
					t.Errorf("URL = %q", got)
				}
			},
		},
		{
			name: "opsgenie key uses default URL, EU respected",
			env:  map[string]string{"OPSGENIE_API_KEY": "og"},
			want: []string{"opsgenie"},
			check: func(t *testing.T, c *Config) {
				if c.Sources.Opsgenie[0].URL != "https://api.opsgenie.com" {
					t.Errorf("URL = %q", c.Sources.Opsgenie[0].URL)
				}
			},
		},
		{
			name: "opsgenie EU",
			env:  map[string]string{"OPSGENIE_API_KEY": "og", "OPSGENIE_API_URL": "https://api.eu.opsgenie.com"},
			want: []string{"opsgenie"},
			check: func(t *testing.T, c *Config) {
				if c.Sources.Opsgenie[0].URL != "https://api.eu.opsgenie.com" {
					t.Errorf("URL = %q", c.Sources.Opsgenie[0].URL)
				}
			},
		},
		{
			name: "jsm by site URL uses the Atlassian gateway",
			env:  map[string]string{"JSM_SITE_URL": "https://acme.atlassian.net/", "JSM_USER_EMAIL": " ops@acme.com ", "JSM_API_TOKEN": "t"},
			want: []string{"jsm"},
			check: func(t *testing.T, c *Config) {
				if j := c.Sources.JSM[0]; j.URL != "https://api.atlassian.com" || j.SiteURL != "https://acme.atlassian.net" || j.Email != "ops@acme.com" || j.CloudID != "" {
					t.Errorf("jsm = %+v", j)
				}
			},
		},
		{
			name: "jsm by cloud id, gateway overridden",
			env: map[string]string{"JSM_CLOUD_ID": "3b1f0c0e-9d7a-4c55-8a52-1b2c3d4e5f60", "JSM_USER_EMAIL": "ops@acme.com", "JSM_API_TOKEN": "tok",
				"JSM_API_URL": "http://127.0.0.1:9"},
			want: []string{"jsm"},
			check: func(t *testing.T, c *Config) {
				if j := c.Sources.JSM[0]; j.URL != "http://127.0.0.1:9" || j.CloudID != "3b1f0c0e-9d7a-4c55-8a52-1b2c3d4e5f60" || j.APIToken.Value() != "tok" {
					t.Errorf("jsm = %+v", j)
				}
			},
		},
		{
			name: "servicenow basic auth with defaults",
			env: map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_USERNAME": "svc",
				"SERVICENOW_PASSWORD": "pw"},
			want: []string{"servicenow"},
			check: func(t *testing.T, c *Config) {
				sn := c.Sources.ServiceNow[0]
				if !slices.Equal(sn.CIClasses, []string{"cmdb_ci_service"}) || sn.MaxRows != 10000 || sn.Username != "svc" {
					t.Errorf("servicenow = %+v", *sn)
				}
			},
		},
		{
			name: "servicenow OAuth client credentials",
			env: map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_CLIENT_ID": "cid",
				"SERVICENOW_CLIENT_SECRET": "csecret"},
			want: []string{"servicenow"},
			check: func(t *testing.T, c *Config) {
				if sn := c.Sources.ServiceNow[0]; sn.ClientID != "cid" || sn.ClientSecret.Value() != "csecret" || sn.Username != "" {
					t.Errorf("servicenow = %+v", *sn)
				}
			},
		},
		{
			name: "dynatrace OAuth client",
			env: map[string]string{"DYNATRACE_ENV_URL": "https://abc12345.live.dynatrace.com", "DYNATRACE_CLIENT_ID": "dt0s02.C",
				"DYNATRACE_CLIENT_SECRET": "dt0s02.C.SECRET", "DYNATRACE_ACCOUNT_URN": "urn:dtaccount:acc-1"},
			want: []string{"dynatrace"},
			check: func(t *testing.T, c *Config) {
				if dt := c.Sources.Dynatrace[0]; dt.TokenURL != DefaultDynatraceTokenURL || dt.AccountURN != "urn:dtaccount:acc-1" || !dt.Platform() {
					t.Errorf("dynatrace = %+v", *dt)
				}
			},
		},
		{
			name: "dynatrace platform token",
			env:  map[string]string{"DYNATRACE_ENV_URL": "https://abc12345.apps.dynatrace.com", "DYNATRACE_API_TOKEN": "dt0s16.ABC.DEF"},
			want: []string{"dynatrace"},
			check: func(t *testing.T, c *Config) {
				if dt := c.Sources.Dynatrace[0]; !dt.Platform() || dt.TokenURL != "" {
					t.Errorf("dynatrace = %+v", *dt)
				}
			},
		},
		{
			name: "pagerduty Scoped OAuth app",
			env:  map[string]string{"PAGERDUTY_CLIENT_ID": "cid", "PAGERDUTY_CLIENT_SECRET": "cs", "PAGERDUTY_SUBDOMAIN": "acme"},
			want: []string{"pagerduty"},
			check: func(t *testing.T, c *Config) {
				if pd := c.Sources.PagerDuty[0]; pd.TokenURL != DefaultPagerDutyTokenURL || pd.Subdomain != "acme" || pd.URL != DefaultPagerDutyURL {
					t.Errorf("pagerduty = %+v", *pd)
				}
			},
		},
		{
			name: "servicenow OAuth password grant",
			env: map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_CLIENT_ID": "cid",
				"SERVICENOW_CLIENT_SECRET": "csecret", "SERVICENOW_USERNAME": "svc", "SERVICENOW_PASSWORD": "pw"},
			want: []string{"servicenow"},
		},
		{
			name: "servicenow token and CI classes",
			env: map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_TOKEN": "tok",
				"SERVICENOW_CI_CLASSES": "cmdb_ci_service, cmdb_ci_appl ,"},
			want: []string{"servicenow"},
			check: func(t *testing.T, c *Config) {
				if got := c.Sources.ServiceNow[0].CIClasses; !slices.Equal(got, []string{"cmdb_ci_service", "cmdb_ci_appl"}) {
					t.Errorf("CIClasses = %q", got)
				}
			},
		},
		{
			name: "CI classes alone do not enable servicenow",
			env:  map[string]string{"SERVICENOW_CI_CLASSES": "cmdb_ci_appl"},
			want: nil,
		},
		{
			name: "alertmanager and prometheus by URL with default labels",
			env:  map[string]string{"ALERTMANAGER_URL": "http://am:9093", "PROMETHEUS_URL": "http://prom:9090", "PROMETHEUS_TOKEN": "t"},
			want: []string{"prometheus", "alertmanager"},
			check: func(t *testing.T, c *Config) {
				want := Labels{Service: "service", Team: "team", Severity: "severity"}
				if !reflect.DeepEqual(c.Sources.Alertmanager[0].Labels, want) || !reflect.DeepEqual(c.Sources.Prometheus[0].Labels, want) {
					t.Errorf("labels = %+v / %+v", c.Sources.Alertmanager[0].Labels, c.Sources.Prometheus[0].Labels)
				}
			},
		},
		{
			name: "all sources in fixed order",
			env: map[string]string{
				"OPSCTX_CATALOG": "a.yaml, dir ,", "BACKSTAGE_URL": "https://bs.example.com",
				"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_TOKEN": "t",
				"PAGERDUTY_API_TOKEN": "p", "OPSGENIE_API_KEY": "o",
				"DYNATRACE_ENV_URL": "https://abc.live.dynatrace.com", "DYNATRACE_API_TOKEN": "d",
				"PROMETHEUS_URL": "http://prom:9090", "ALERTMANAGER_URL": "http://am:9093",
			},
			want: []string{"catalogfile", "backstage", "servicenow", "pagerduty", "opsgenie", "dynatrace", "prometheus", "alertmanager"},
			check: func(t *testing.T, c *Config) {
				if got := c.Sources.CatalogFile[0].Paths; !slices.Equal(got, []string{"a.yaml", "dir"}) {
					t.Errorf("catalog paths = %q", got)
				}
			},
		},
		{
			name: "global settings",
			env:  map[string]string{"OPSCTX_DEADLINE": "12s", "OPSCTX_SOURCE_TIMEOUT": "3s", "OPSCTX_LOG_LEVEL": " DEBUG "},
			want: nil,
			check: func(t *testing.T, c *Config) {
				if c.Deadline != 12*time.Second || c.SourceTimeout != 3*time.Second || c.LogLevel != "debug" {
					t.Errorf("got deadline=%v source_timeout=%v log_level=%q", c.Deadline, c.SourceTimeout, c.LogLevel)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("", envMap(tc.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := c.Enabled(); !slices.Equal(got, tc.want) {
				t.Errorf("Enabled() = %q, want %q", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

const fullYAML = `
deadline: 10s
source_timeout: 4s
log_level: warn
cache:
  alerts: 15s
  catalog: 1h
aliases:
  checkout: [checkout-api, "Checkout Service"]
  payments: payments-svc
http:
  addr: 0.0.0.0:8080
  auth_token: ${HTTP_TOKEN}
  allowed_origins: ["https://chat.example.com/"]
sources:
  servicenow:
    url: https://${SN_HOST}/
    username: svc
    password: ${SN_PASSWORD}
    ci_classes: [cmdb_ci_service, cmdb_ci_appl]
    max_rows: 500
    timeout: 7s
  dynatrace: {url: "https://abc.live.dynatrace.com", token: "${DT_TOKEN}"}
  pagerduty:
    token: ${PD_TOKEN}
  opsgenie:
    url: https://api.eu.opsgenie.com
    api_key: ${OG_KEY}
  alertmanager:
    url: http://am:9093
    labels: {service: app, team: owner, hosts: [instance, " hostname "]}
  prometheus:
    url: http://prom:9090
    token: ${PROM_TOKEN}
  backstage:
    url: https://backstage.example.com
  catalog:
    paths: [catalog, /abs/catalog-info.yaml]
`

var fullEnv = map[string]string{
	"HTTP_TOKEN": "http-tok", "SN_HOST": "acme.service-now.com", "SN_PASSWORD": "p@$$w0rd",
	"DT_TOKEN": "dt-tok", "PD_TOKEN": "pd-tok", "OG_KEY": "og-key", "PROM_TOKEN": "prom-tok",
}

func TestLoadYAML(t *testing.T) {
	path := writeFile(t, "opsctx.yaml", fullYAML)
	c, err := Load(path, envMap(fullEnv))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	dir := filepath.Dir(path)
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"deadline", c.Deadline, 10 * time.Second},
		{"source_timeout", c.SourceTimeout, 4 * time.Second},
		{"log_level", c.LogLevel, "warn"},
		{"cache.alerts", c.CacheTTL["alerts"], 15 * time.Second},
		{"cache.catalog", c.CacheTTL["catalog"], time.Hour},
		{"cache.oncall default", c.CacheTTL["oncall"], 5 * time.Minute},
		{"aliases.checkout", strings.Join(c.Aliases["checkout"], "|"), "checkout-api|Checkout Service"},
		{"aliases.payments scalar", strings.Join(c.Aliases["payments"], "|"), "payments-svc"},
		{"http.addr", c.HTTP.Addr, "0.0.0.0:8080"},
		{"http.auth_token", c.HTTP.AuthToken.Value(), "http-tok"},
		{"http.allowed_origins", strings.Join(c.HTTP.AllowedOrigins, "|"), "https://chat.example.com"},
		{"servicenow.url expanded, slash trimmed", c.Sources.ServiceNow[0].URL, "https://acme.service-now.com"},
		{"servicenow.password with $ in value", c.Sources.ServiceNow[0].Password.Value(), "p@$$w0rd"},
		{"servicenow.ci_classes", strings.Join(c.Sources.ServiceNow[0].CIClasses, "|"), "cmdb_ci_service|cmdb_ci_appl"},
		{"servicenow.max_rows", c.Sources.ServiceNow[0].MaxRows, 500},
		{"servicenow timeout", c.TimeoutFor("servicenow"), 7 * time.Second},
		{"dynatrace timeout falls back", c.TimeoutFor("dynatrace"), 4 * time.Second},
		{"catalogfile timeout", c.TimeoutFor("catalogfile"), 4 * time.Second},
		{"dynatrace.token", c.Sources.Dynatrace[0].Token.Value(), "dt-tok"},
		{"pagerduty default url", c.Sources.PagerDuty[0].URL, "https://api.pagerduty.com"},
		{"opsgenie EU url", c.Sources.Opsgenie[0].URL, "https://api.eu.opsgenie.com"},
		{"alertmanager labels", fmt.Sprint(c.Sources.Alertmanager[0].Labels), fmt.Sprint(Labels{Service: "app", Team: "owner", Severity: "severity",
			Hosts: []string{"instance", "hostname"}})},
		{"prometheus token", c.Sources.Prometheus[0].Token.Value(), "prom-tok"},
		{"catalog paths relative to file", strings.Join(c.Sources.CatalogFile[0].Paths, "|"), filepath.Join(dir, "catalog") + "|/abs/catalog-info.yaml"},
		{"enabled", strings.Join(c.Enabled(), ","), "catalogfile,backstage,servicenow,pagerduty,opsgenie,dynatrace,prometheus,alertmanager"},
		{"secrets", strings.Join(c.Secrets(), ","), "dt-tok,http-tok,og-key,p@$$w0rd,pd-tok,prom-tok"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestLoadEmptyBlocksAndFiles(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        map[string]string
		want       []string
	}{
		{"empty file", "\n", nil, nil},
		{"comment only", "# nothing here\n", nil, nil},
		{"explicit empty document", "---\n...\n", nil, nil},
		{"empty sources", "sources:\n", nil, nil},
		{"null block enables", "sources:\n  alertmanager:\n", map[string]string{"ALERTMANAGER_URL": "http://am:9093"}, []string{"alertmanager"}},
		{"empty block enables", "sources: {backstage: {}}\n", map[string]string{"BACKSTAGE_URL": "http://bs"}, []string{"backstage"}},
		{"dollar-dollar literal", "sources:\n  backstage: {url: \"https://bs.example.com/$$x\"}\n", nil, []string{"backstage"}},
		{"yaml anchors", "sources:\n  prometheus: &p {url: \"http://p:9090\"}\n  alertmanager: *p\n", nil, []string{"prometheus", "alertmanager"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.yaml, tc.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := c.Enabled(); !slices.Equal(got, tc.want) {
				t.Errorf("Enabled() = %q, want %q", got, tc.want)
			}
			if bs := c.Sources.Backstage; len(bs) > 0 && strings.Contains(tc.yaml, "$$") && bs[0].URL != "https://bs.example.com/$x" {
				t.Errorf("$$ not expanded to $: %q", bs[0].URL)
			}
		})
	}
}

func TestEnvOverridesFile(t *testing.T) {
	const file = `
deadline: 10s
log_level: warn
cache: {alerts: 1m, changes: 5m}
sources:
  pagerduty: {url: "https://api.pagerduty.com", token: file-token}
  servicenow: {url: "https://file.service-now.com", token: file-sn}
  catalog: {paths: [from-file]}
`
	tests := []struct {
		name string
		env  map[string]string
		got  func(c *Config) any
		want any
	}{
		{"deadline", map[string]string{"OPSCTX_DEADLINE": "3s"}, func(c *Config) any { return c.Deadline }, 3 * time.Second},
		{"deadline kept without env", nil, func(c *Config) any { return c.Deadline }, 10 * time.Second},
		{"log level", map[string]string{"OPSCTX_LOG_LEVEL": "error"}, func(c *Config) any { return c.LogLevel }, "error"},
		{"cache ttl", map[string]string{"OPSCTX_CACHE_TTL_ALERTS": "15s"}, func(c *Config) any { return c.CacheTTL["alerts"] }, 15 * time.Second},
		{"other cache ttl kept", map[string]string{"OPSCTX_CACHE_TTL_ALERTS": "15s"}, func(c *Config) any { return c.CacheTTL["changes"] }, 5 * time.Minute},
		{"pagerduty token", map[string]string{"PAGERDUTY_API_TOKEN": "env-token"}, func(c *Config) any { return c.Sources.PagerDuty[0].Token.Value() }, "env-token"},
		{"pagerduty EU url", map[string]string{"PAGERDUTY_API_URL": "https://api.eu.pagerduty.com"}, func(c *Config) any { return c.Sources.PagerDuty[0].URL }, "https://api.eu.pagerduty.com"},
		{"servicenow url", map[string]string{"SERVICENOW_INSTANCE_URL": "https://env.service-now.com"}, func(c *Config) any { return c.Sources.ServiceNow[0].URL }, "https://env.service-now.com"},
		{"catalog replaced", map[string]string{"OPSCTX_CATALOG": "x,y"}, func(c *Config) any { return strings.Join(c.Sources.CatalogFile[0].Paths, ",") }, "x,y"},
		{"env adds a source", map[string]string{"OPSGENIE_API_KEY": "k"}, func(c *Config) any { return strings.Join(c.Enabled(), ",") }, "catalogfile,servicenow,pagerduty,opsgenie"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, file, tc.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := tc.got(c); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want []string // substrings that must all appear
	}{
		{
			name: "unknown top-level key",
			yaml: "deadlin: 5s\n",
			want: []string{"opsctx.yaml:1: deadlin: unknown key (valid: deadline, source_timeout, instance_concurrency, cache, aliases, http, log_level, result_form, sources, slos)"},
		},
		{
			name: "unknown nested key",
			yaml: "sources:\n  pagerduty:\n    tokn: x\n",
			want: []string{":3: sources.pagerduty.tokn: unknown key (valid: name, url, token, client_id, client_secret, subdomain, token_url, timeout)"},
		},
		{
			name: "unknown deeply nested key",
			yaml: "sources:\n  prometheus:\n    url: http://p:9090\n    labels: {servise: app}\n",
			want: []string{"sources.prometheus.labels.servise: unknown key (valid: service, team, severity, hosts)"},
		},
		{
			name: "unknown source",
			yaml: "sources:\n  splunk: {url: x}\n",
			want: []string{"sources.splunk: unknown key (valid: servicenow, dynatrace, pagerduty, opsgenie, jsm, alertmanager, prometheus, backstage, catalog)"},
		},
		{
			name: "several file errors all reported",
			yaml: "deadlin: 5s\nsources:\n  opsgenie: {apikey: x}\n  dynatrace: {url: \"${DT_URL}\", token: [a]}\n",
			want: []string{
				"deadlin: unknown key",
				"sources.opsgenie.apikey: unknown key (valid: name, url, api_key, timeout)",
				":4: sources.dynatrace.url: ${DT_URL} is not set",
				"sources.dynatrace.token: expected a single value, got a list",
			},
		},
		{
			name: "missing variable names variable and line",
			yaml: "log_level: info\nsources:\n  pagerduty:\n    token: ${PD_TOKEN}\n",
			want: []string{"opsctx.yaml:4: sources.pagerduty.token: ${PD_TOKEN} is not set"},
		},
		{
			name: "empty variable is an error",
			yaml: "sources:\n  pagerduty:\n    token: ${PD_TOKEN}\n",
			env:  map[string]string{"PD_TOKEN": ""},
			want: []string{"${PD_TOKEN} is not set"},
		},
		{
			name: "empty key",
			yaml: "\"\": {}\n",
			want: []string{`"": unknown key (valid: deadline,`},
		},
		{
			name: "duplicate key",
			yaml: "deadline: 5s\ndeadline: 6s\n",
			want: []string{":2: deadline: duplicate key"},
		},
		{
			name: "wrong shape",
			yaml: "sources: [pagerduty]\n",
			want: []string{"sources: expected a mapping with keys servicenow,"},
		},
		{
			name: "not yaml",
			yaml: "sources: {\n",
			want: []string{"opsctx.yaml"},
		},
		{
			name: "half servicenow pair in env",
			env:  map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_USERNAME": "svc"},
			want: []string{"SERVICENOW_USERNAME is set but SERVICENOW_PASSWORD is not: set both (with SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET for OAuth's password grant)"},
		},
		{
			name: "password without username in env",
			env:  map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_PASSWORD": "pw"},
			want: []string{"SERVICENOW_PASSWORD is set but SERVICENOW_USERNAME is not: set both"},
		},
		{
			name: "half servicenow pair in yaml",
			yaml: "sources:\n  servicenow: {url: \"https://acme.service-now.com\", username: svc}\n",
			want: []string{"sources.servicenow.username is set but sources.servicenow.password is not: set both (with sources.servicenow.client_id and sources.servicenow.client_secret"},
		},
		{
			name: "mixed provenance: env value in a file-enabled source",
			yaml: "sources:\n  servicenow: {url: \"https://acme.service-now.com\"}\n",
			env:  map[string]string{"SERVICENOW_USERNAME": "svc"},
			want: []string{"SERVICENOW_USERNAME is set but sources.servicenow.password is not: set both"},
		},
		{
			name: "mixed provenance: file value overridden by bad env value",
			yaml: "sources:\n  backstage: {url: \"https://bs.example.com\"}\n",
			env:  map[string]string{"BACKSTAGE_URL": "bs.example.com"},
			want: []string{"BACKSTAGE_URL must start with https:// or http://"},
		},
		{
			name: "half alertmanager and prometheus pairs",
			env: map[string]string{"ALERTMANAGER_URL": "http://am:9093", "ALERTMANAGER_USERNAME": "u",
				"PROMETHEUS_URL": "http://p:9090", "PROMETHEUS_PASSWORD": "pw"},
			want: []string{
				"ALERTMANAGER_USERNAME is set but ALERTMANAGER_PASSWORD is not: set both, or use ALERTMANAGER_TOKEN",
				"PROMETHEUS_PASSWORD is set but PROMETHEUS_USERNAME is not: set both, or use PROMETHEUS_TOKEN",
			},
		},
		{
			name: "token and basic auth both",
			env: map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_USERNAME": "u",
				"SERVICENOW_PASSWORD": "p", "SERVICENOW_TOKEN": "t"},
			want: []string{"SERVICENOW_TOKEN is set with other ServiceNow credentials: use the static token alone"},
		},
		{
			name: "token and OAuth both",
			env: map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_CLIENT_ID": "c",
				"SERVICENOW_CLIENT_SECRET": "s", "SERVICENOW_TOKEN": "t"},
			want: []string{"SERVICENOW_TOKEN is set with other ServiceNow credentials"},
		},
		{
			name: "PagerDuty Scoped OAuth without subdomain",
			env:  map[string]string{"PAGERDUTY_CLIENT_ID": "c", "PAGERDUTY_CLIENT_SECRET": "s"},
			want: []string{"PagerDuty Scoped OAuth needs PAGERDUTY_CLIENT_ID, PAGERDUTY_CLIENT_SECRET and PAGERDUTY_SUBDOMAIN"},
		},
		{
			name: "Dynatrace OAuth client without account URN",
			env:  map[string]string{"DYNATRACE_ENV_URL": "https://abc12345.live.dynatrace.com", "DYNATRACE_CLIENT_ID": "dt0s02.C", "DYNATRACE_CLIENT_SECRET": "s"},
			want: []string{"a Dynatrace OAuth client needs DYNATRACE_CLIENT_ID, DYNATRACE_CLIENT_SECRET and DYNATRACE_ACCOUNT_URN (urn:dtaccount:<account-uuid>)"},
		},
		{
			name: "Dynatrace account URN malformed, in yaml",
			yaml: "sources:\n  dynatrace: {url: \"https://abc12345.live.dynatrace.com\", client_id: dt0s02.C, client_secret: s, account_urn: acc-1}\n",
			want: []string{`sources.dynatrace.account_urn must be urn:dtaccount:<account-uuid> or urn:dtenvironment:<environment-id>, not "acc-1"`},
		},
		{
			name: "Dynatrace token and OAuth client both",
			env: map[string]string{"DYNATRACE_ENV_URL": "https://abc12345.live.dynatrace.com", "DYNATRACE_API_TOKEN": "t",
				"DYNATRACE_CLIENT_ID": "dt0s02.C", "DYNATRACE_CLIENT_SECRET": "s", "DYNATRACE_ACCOUNT_URN": "urn:dtaccount:a"},
			want: []string{"DYNATRACE_API_TOKEN and DYNATRACE_CLIENT_ID are both set"},
		},
		{
			name: "Dynatrace without credentials",
			env:  map[string]string{"DYNATRACE_ENV_URL": "https://abc12345.live.dynatrace.com"},
			want: []string{"DYNATRACE_API_TOKEN is not set: Dynatrace needs an API token (classic dt0c01.… or platform dt0s16.…), " +
				"or an OAuth client (DYNATRACE_CLIENT_ID, DYNATRACE_CLIENT_SECRET, DYNATRACE_ACCOUNT_URN)"},
		},
		{
			name: "PagerDuty key and app both",
			env:  map[string]string{"PAGERDUTY_API_TOKEN": "t", "PAGERDUTY_CLIENT_ID": "c", "PAGERDUTY_CLIENT_SECRET": "s", "PAGERDUTY_SUBDOMAIN": "acme"},
			want: []string{"PAGERDUTY_API_TOKEN and PAGERDUTY_CLIENT_ID are both set"},
		},
		{
			name: "OAuth client id without secret",
			env:  map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_CLIENT_ID": "c"},
			want: []string{"SERVICENOW_CLIENT_ID is set but SERVICENOW_CLIENT_SECRET is not: OAuth needs both"},
		},
		{
			name: "OAuth client secret without id, in yaml",
			yaml: "sources:\n  servicenow: {url: \"https://acme.service-now.com\", client_secret: s3cr3t-value}\n",
			want: []string{"sources.servicenow.client_secret is set but sources.servicenow.client_id is not: OAuth needs both"},
		},
		{
			name: "servicenow without credentials",
			env:  map[string]string{"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com"},
			want: []string{"ServiceNow has no credentials: set SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET (OAuth client credentials; " +
				"add SERVICENOW_USERNAME and SERVICENOW_PASSWORD for the password grant), or SERVICENOW_USERNAME and SERVICENOW_PASSWORD (basic auth), or SERVICENOW_TOKEN"},
		},
		{
			name: "credential without URL",
			env:  map[string]string{"SERVICENOW_TOKEN": "t", "DYNATRACE_API_TOKEN": "d", "BACKSTAGE_TOKEN": "b", "ALERTMANAGER_TOKEN": "a"},
			want: []string{"SERVICENOW_INSTANCE_URL is not set", "DYNATRACE_ENV_URL is not set", "BACKSTAGE_URL is not set", "ALERTMANAGER_URL is not set"},
		},
		{
			name: "URL without token",
			env: map[string]string{"PAGERDUTY_API_URL": "https://api.eu.pagerduty.com", "OPSGENIE_API_URL": "https://api.eu.opsgenie.com",
				"DYNATRACE_ENV_URL": "https://abc.live.dynatrace.com"},
			want: []string{"PAGERDUTY_API_TOKEN is not set", "OPSGENIE_API_KEY is not set", "DYNATRACE_API_TOKEN is not set"},
		},
		{
			name: "jsm without site, e-mail or token",
			env:  map[string]string{"JSM_API_URL": "https://api.atlassian.com"},
			want: []string{"JSM_SITE_URL and JSM_CLOUD_ID are not set", "JSM_USER_EMAIL is not set", "JSM_API_TOKEN is not set"},
		},
		{
			name: "jsm bad site and cloud id",
			env:  map[string]string{"JSM_SITE_URL": "acme.atlassian.net", "JSM_CLOUD_ID": "not a cloud/id", "JSM_USER_EMAIL": "e", "JSM_API_TOKEN": "t"},
			want: []string{"JSM_SITE_URL must start with https:// or http://", "JSM_CLOUD_ID is not a cloud id"},
		},
		{
			name: "jsm in yaml named by path",
			yaml: "sources:\n  jsm: {site_url: \"https://acme.atlassian.net\"}\n",
			want: []string{"sources.jsm.email is not set", "sources.jsm.api_token is not set"},
		},
		{
			name: "missing settings in yaml named by path",
			yaml: "sources:\n  dynatrace: {}\n  catalog: {}\n",
			want: []string{"sources.dynatrace.url is not set", "sources.dynatrace.token is not set", "sources.catalog.paths is empty"},
		},
		{
			name: "bad URLs named",
			env: map[string]string{
				"BACKSTAGE_URL": "backstage.example.com", "PROMETHEUS_URL": "ftp://prom", "ALERTMANAGER_URL": "http://",
				"DYNATRACE_ENV_URL": "https://abc.live.dynatrace.com/?x=1", "DYNATRACE_API_TOKEN": "d",
				"PAGERDUTY_API_URL": "https://u:p@api.pagerduty.com", "PAGERDUTY_API_TOKEN": "t",
				"OPSGENIE_API_URL": "%zz", "OPSGENIE_API_KEY": "k",
			},
			want: []string{"BACKSTAGE_URL must start with https:// or http://", "PROMETHEUS_URL must start with",
				"ALERTMANAGER_URL has no host", "DYNATRACE_ENV_URL must not contain a query", "PAGERDUTY_API_URL must not contain user:password",
				"OPSGENIE_API_URL is not a valid URL"},
		},
		{
			name: "bad URL in yaml named by path",
			yaml: "sources:\n  backstage: {url: \"not a url\"}\n",
			want: []string{"sources.backstage.url must start with https:// or http://"},
		},
		{
			name: "bad durations named",
			env:  map[string]string{"OPSCTX_DEADLINE": "fast", "OPSCTX_SOURCE_TIMEOUT": "-1s", "OPSCTX_CACHE_TTL_ALERTS": "0s"},
			want: []string{"OPSCTX_DEADLINE: invalid duration", "OPSCTX_SOURCE_TIMEOUT:", "OPSCTX_CACHE_TTL_ALERTS:"},
		},
		{
			name: "bad durations in yaml",
			yaml: "deadline: 8\nsources:\n  pagerduty: {token: t, timeout: soon}\ncache: {alerts: 0s}\n",
			want: []string{":1: deadline: invalid duration", ":3: sources.pagerduty.timeout: invalid duration", ":4: cache.alerts: duration"},
		},
		{
			name: "unknown cache kind",
			yaml: "cache:\n  alertz: 10s\n",
			want: []string{"cache.alertz: unknown key (valid: catalog, oncall, alerts, problems, incidents, changes, slos, dir, max_age, url)"},
		},
		{
			name: "max rows",
			yaml: "sources:\n  servicenow: {url: \"https://a.service-now.com\", token: t, max_rows: 0}\n",
			want: []string{"sources.servicenow.max_rows must be greater than 0"},
		},
		{
			name: "max rows not a number",
			yaml: "sources:\n  servicenow: {url: \"https://a.service-now.com\", token: t, max_rows: lots}\n",
			want: []string{"sources.servicenow.max_rows: \"lots\" is not a whole number"},
		},
		{
			name: "bad CI class",
			env:  map[string]string{"SERVICENOW_INSTANCE_URL": "https://a.service-now.com", "SERVICENOW_TOKEN": "t", "SERVICENOW_CI_CLASSES": "cmdb_ci_service^ORsys_id!=x"},
			want: []string{"SERVICENOW_CI_CLASSES: each class must be a CMDB table name"},
		},
		{
			name: "log level",
			env:  map[string]string{"OPSCTX_LOG_LEVEL": "verbose"},
			want: []string{"OPSCTX_LOG_LEVEL is not a log level: use debug, info, warn or error"},
		},
		{
			name: "log level in yaml named by path",
			yaml: "log_level: verbose\n",
			want: []string{"log_level is not a log level"},
		},
		{
			name: "alias conflict",
			yaml: "aliases:\n  checkout: [shop]\n  payments: [Shop]\n",
			want: []string{`aliases.payments: "Shop" is already a name of "checkout"`},
		},
		{
			name: "http settings",
			yaml: "http: {addr: localhost, allowed_origins: [\"https://a.example.com/path\"]}\n",
			want: []string{"http.addr is not host:port", "http.allowed_origins[0] is not an origin"},
		},
		{
			name: "auth token and file both",
			yaml: "http: {auth_token: a, auth_token_file: f}\n",
			want: []string{"http.auth_token and http.auth_token_file are both set"},
		},
		{
			name: "config file missing",
			yaml: "",
			env:  nil,
			want: []string{"no-such-file.yaml"},
		},
		{
			name: "env and validation errors together",
			env:  map[string]string{"OPSCTX_DEADLINE": "x", "PAGERDUTY_API_URL": "https://api.pagerduty.com"},
			want: []string{"OPSCTX_DEADLINE: invalid duration", "PAGERDUTY_API_TOKEN is not set"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.name == "config file missing" {
				_, err = Load(filepath.Join(t.TempDir(), "no-such-file.yaml"), envMap(nil))
			} else {
				_, err = load(t, tc.yaml, tc.env)
			}
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestAuthTokenFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte("\n  file-token-value \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "opsctx.yaml")
	tests := []struct {
		name    string
		yaml    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{"relative to config file, trimmed", "http: {auth_token_file: token}\n", nil, "file-token-value", ""},
		{"absolute path", "http: {auth_token_file: " + filepath.Join(dir, "token") + "}\n", nil, "file-token-value", ""},
		{"env wins", "http: {auth_token_file: token}\n", map[string]string{"OPSCTX_AUTH_TOKEN": "env-token"}, "env-token", ""},
		{"unreadable file named", "http: {auth_token_file: missing-token}\n", nil, "", filepath.Join(dir, "missing-token")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(cfg, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(cfg, envMap(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "http.auth_token_file") {
					t.Fatalf("err = %v, want naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := c.HTTP.AuthToken.Value(); got != tc.want {
				t.Errorf("AuthToken = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCacheTTLEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		kind string
		want time.Duration
	}{
		{map[string]string{"OPSCTX_CACHE_TTL_ALERTS": "15s"}, "alerts", 15 * time.Second},
		{map[string]string{"OPSCTX_CACHE_TTL_ALERTS": "15s"}, "problems", 30 * time.Second},
		{map[string]string{"OPSCTX_CACHE_TTL_CATALOG": "1d"}, "catalog", 24 * time.Hour},
		{map[string]string{"OPSCTX_CACHE_TTL_ONCALL": "90s"}, "oncall", 90 * time.Second},
		{map[string]string{"OPSCTX_CACHE_TTL_INCIDENTS": "1m", "OPSCTX_CACHE_TTL_CHANGES": "10m"}, "changes", 10 * time.Minute},
	}
	for _, tc := range tests {
		c, err := Load("", envMap(tc.env))
		if err != nil {
			t.Fatalf("%v: %v", tc.env, err)
		}
		if got := c.CacheTTL[tc.kind]; got != tc.want {
			t.Errorf("%v: CacheTTL[%s] = %v, want %v", tc.env, tc.kind, got, tc.want)
		}
	}
}

func TestTimeoutFor(t *testing.T) {
	c := &Config{SourceTimeout: 3 * time.Second, Sources: Sources{
		PagerDuty:   []*PagerDuty{{Timeout: 9 * time.Second}},
		Opsgenie:    []*Opsgenie{{}},
		CatalogFile: []*CatalogFile{{}},
	}}
	tests := []struct {
		source string
		want   time.Duration
	}{
		{"pagerduty", 9 * time.Second},
		{"opsgenie", 3 * time.Second},
		{"catalogfile", 3 * time.Second},
		{"dynatrace", 3 * time.Second},
		{"unknown", 3 * time.Second},
	}
	for _, tc := range tests {
		if got := c.TimeoutFor(tc.source); got != tc.want {
			t.Errorf("TimeoutFor(%q) = %v, want %v", tc.source, got, tc.want)
		}
	}
	if got := (&Config{}).TimeoutFor("pagerduty"); got != DefaultSourceTimeout {
		t.Errorf("zero config TimeoutFor = %v, want default", got)
	}
}

func TestDefaultAndString(t *testing.T) {
	c := Default()
	if c.Deadline != DefaultDeadline || len(c.CacheTTL) != len(CacheKinds()) || len(c.Enabled()) != 0 {
		t.Fatalf("Default() = %+v", *c)
	}
	c, err := Load("", envMap(map[string]string{"PAGERDUTY_API_TOKEN": "pd", "OPSCTX_CATALOG": "./catalog"}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	for _, w := range []string{"deadline=8s", "cache: catalog=10m oncall=5m alerts=30s", "sources: catalogfile, pagerduty",
		"pagerduty: url=https://api.pagerduty.com token=[REDACTED] timeout=5s", "catalogfile: paths=./catalog", "auth_token=unset"} {
		if !strings.Contains(s, w) {
			t.Errorf("String() lacks %q:\n%s", w, s)
		}
	}
}
