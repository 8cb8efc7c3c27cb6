package config

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestInstanceListForEveryKind: every source kind takes a list of named instances, each
// with its own settings, named kind/instance; a single block keeps its plain name.
func TestInstanceListForEveryKind(t *testing.T) {
	yaml := `sources:
  catalog:
    - {name: team-a, paths: [a.yaml]}
    - {name: team-b, paths: [b.yaml]}
  backstage:
    - {name: main, url: https://bs.example.com}
    - {name: acquired, url: https://bs.acquired.example.com, token: bs-tok-2}
  servicenow:
    - {name: emea, url: https://emea.service-now.com, token: sn-tok-1}
    - {name: amer, url: https://amer.service-now.com, username: u, password: sn-pw-2, max_rows: 50}
  pagerduty:
    - {name: eu, url: https://api.eu.pagerduty.com, token: pd-eu-tok}
    - {name: us, token: pd-us-tok, timeout: 3s}
  opsgenie:
    - {name: eu, url: https://api.eu.opsgenie.com, api_key: og-eu-key}
    - {name: us, api_key: og-us-key}
  jsm:
    - {name: one, site_url: https://one.atlassian.net, email: a@x, api_token: jsm-tok-1}
    - {name: two, cloud_id: 3b1f0c0e-9d7a-4c55, email: b@x, api_token: jsm-tok-2}
  dynatrace:
    - {name: prod, url: https://prod.live.dynatrace.com, token: dt-prod-tok}
    - {name: preprod, url: https://pre.live.dynatrace.com, token: dt-pre-tok}
  prometheus:
    - {name: eu-west-1, url: http://prom-eu:9090, labels: {service: app}}
    - {name: us-east-1, url: http://prom-us:9090, token: prom-us-tok}
  alertmanager:
    - {name: eu-west-1, url: http://am-eu:9093}
    - {name: us-east-1, url: http://am-us:9093, username: u, password: am-pw}
`
	c, err := load(t, yaml, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, k := range sourceKeys {
		f := c.blocks(k.key)
		if f.Len() != 2 {
			t.Fatalf("%s: %d instances, want 2", k.key, f.Len())
		}
		for i := range f.Len() {
			want = append(want, k.name+"/"+f.Index(i).Elem().Field(0).String())
		}
	}
	if got := c.Enabled(); !slices.Equal(got, want) || got[0] != "catalogfile/team-a" || got[len(got)-1] != "alertmanager/us-east-1" {
		t.Errorf("Enabled() = %q", got)
	}
	s := c.Sources
	for _, tc := range []struct {
		what      string
		got, want any
	}{
		{"catalog paths per instance", filepath.Base(s.CatalogFile[1].Paths[0]), "b.yaml"},
		{"servicenow own credentials", s.ServiceNow[1].Password.Value(), "sn-pw-2"},
		{"servicenow own max_rows, default for the other", [2]int{s.ServiceNow[0].MaxRows, s.ServiceNow[1].MaxRows}, [2]int{DefaultServiceNowMaxRows, 50}},
		{"pagerduty EU URL, US default", [2]string{s.PagerDuty[0].URL, s.PagerDuty[1].URL}, [2]string{"https://api.eu.pagerduty.com", DefaultPagerDutyURL}},
		{"own timeout", c.TimeoutFor("pagerduty/us"), 3 * time.Second},
		{"global timeout for the other", c.TimeoutFor("pagerduty/eu"), DefaultSourceTimeout},
		{"own labels, defaults for the other", [2]string{s.Prometheus[0].Labels.Service, s.Prometheus[1].Labels.Service}, [2]string{"app", "service"}},
		{"jsm cloud id on the second", s.JSM[1].CloudID, "3b1f0c0e-9d7a-4c55"},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.what, tc.got, tc.want)
		}
	}
	for _, sec := range []string{"sn-pw-2", "pd-us-tok", "og-eu-key", "jsm-tok-2", "dt-pre-tok", "prom-us-tok", "am-pw", "bs-tok-2"} {
		if !slices.Contains(c.Secrets(), sec) {
			t.Errorf("secret of a listed instance not collected for redaction: %s", sec)
		}
		if strings.Contains(c.String(), sec) {
			t.Errorf("summary shows a secret of a listed instance")
		}
	}
	if !strings.Contains(c.String(), "  prometheus/us-east-1: url=http://prom-us:9090") {
		t.Errorf("summary does not list each instance:\n%s", c)
	}
}

// TestInstanceForms: a single block stays the unnamed instance (plain name, as before);
// a single block may be named; the environment configures the unnamed instance with the
// plain variables and named ones declared by <KIND>_INSTANCES, beside the file's.
func TestInstanceForms(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want []string
		// check returns what to compare with wantVal.
		check   func(c *Config) any
		wantVal any
	}{
		{name: "single block is the unnamed instance", yaml: "sources:\n  prometheus: {url: http://p:9090}\n",
			want: []string{"prometheus"}},
		{name: "env alone as before", env: map[string]string{"PROMETHEUS_URL": "http://p:9090", "DYNATRACE_ENV_URL": "https://x.live.dynatrace.com", "DYNATRACE_API_TOKEN": "t"},
			want: []string{"dynatrace", "prometheus"}},
		{name: "single named block", yaml: "sources:\n  prometheus: {name: eu, url: http://p:9090}\n", want: []string{"prometheus/eu"}},
		{name: "env form for named instances", env: map[string]string{
			"PROMETHEUS_URL": "http://p:9090", "PROMETHEUS_INSTANCES": "eu-west-1, us-east-1",
			"PROMETHEUS_EU_WEST_1_URL": "http://eu:9090", "PROMETHEUS_US_EAST_1_URL": "http://us:9090", "PROMETHEUS_US_EAST_1_TOKEN": "tok-us"},
			want:    []string{"prometheus", "prometheus/eu-west-1", "prometheus/us-east-1"},
			check:   func(c *Config) any { return c.Sources.Prometheus[2].URL + " " + c.Sources.Prometheus[2].Token.Value() },
			wantVal: "http://us:9090 tok-us"},
		{name: "env adds a second instance to the file's", yaml: "sources:\n  pagerduty: {name: eu, url: https://api.eu.pagerduty.com, token: a}\n",
			env:  map[string]string{"PAGERDUTY_INSTANCES": "us", "PAGERDUTY_US_API_TOKEN": "b"},
			want: []string{"pagerduty/eu", "pagerduty/us"}, check: func(c *Config) any { return c.Sources.PagerDuty[1].URL }, wantVal: DefaultPagerDutyURL},
		{name: "env overrides a file instance by name", yaml: "sources:\n  prometheus:\n    - {name: eu, url: http://old:9090}\n    - {name: us, url: http://us:9090}\n",
			env: map[string]string{"PROMETHEUS_INSTANCES": "eu", "PROMETHEUS_EU_URL": "http://new:9090"}, want: []string{"prometheus/eu", "prometheus/us"},
			check: func(c *Config) any { return c.Sources.Prometheus[0].URL }, wantVal: "http://new:9090"},
		{name: "catalog files per instance from env", env: map[string]string{"OPSCTX_CATALOG_INSTANCES": "team-a", "OPSCTX_CATALOG_TEAM_A": "a.yaml,b.yaml"},
			want: []string{"catalogfile/team-a"}, check: func(c *Config) any { return strings.Join(c.Sources.CatalogFile[0].Paths, ",") }, wantVal: "a.yaml,b.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.yaml, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Enabled(); !slices.Equal(got, tc.want) {
				t.Errorf("Enabled() = %q, want %q", got, tc.want)
			}
			if tc.check != nil {
				if got := tc.check(c); !reflect.DeepEqual(got, tc.wantVal) {
					t.Errorf("got %v, want %v", got, tc.wantVal)
				}
			}
		})
	}
}

// TestInstanceErrorsNameTheInstance: validation errors name the instance they are about, as
// its YAML path or its variable, and names are checked.
func TestInstanceErrorsNameTheInstance(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		want []string
	}{
		{name: "missing URL in a listed instance",
			yaml: "sources:\n  prometheus:\n    - {name: eu-west-1, url: http://eu:9090}\n    - {name: us-east-1}\n",
			want: []string{"sources.prometheus[us-east-1].url is not set"}},
		{name: "unknown key in a listed instance",
			yaml: "sources:\n  dynatrace:\n    - {name: prod, url: https://p.live.dynatrace.com, token: t}\n    - {name: preprod, url: https://q.live.dynatrace.com, tokn: t}\n",
			want: []string{"sources.dynatrace[preprod].tokn: unknown key"}},
		{name: "declared in env without its settings",
			env:  map[string]string{"PAGERDUTY_INSTANCES": "eu"},
			want: []string{"PAGERDUTY_EU_API_TOKEN is not set"}},
		{name: "bad credentials combination in env instance",
			env:  map[string]string{"ALERTMANAGER_INSTANCES": "b", "ALERTMANAGER_B_URL": "http://b:9093", "ALERTMANAGER_B_USERNAME": "u"},
			want: []string{"ALERTMANAGER_B_USERNAME is set but ALERTMANAGER_B_PASSWORD is not"}},
		{name: "duplicate names",
			yaml: "sources:\n  prometheus:\n    - {name: eu, url: http://a:9090}\n    - {name: eu, url: http://b:9090}\n",
			want: []string{"sources.prometheus[eu]: two instances have this name"}},
		{name: "two unnamed",
			yaml: "sources:\n  prometheus:\n    - {url: http://a:9090}\n    - {url: http://b:9090}\n",
			want: []string{"sources.prometheus: more than one instance has no name"}},
		{name: "invalid name",
			yaml: "sources:\n  prometheus:\n    - {name: EU/West, url: http://a:9090}\n",
			want: []string{"sources.prometheus[EU/West]: the instance name must be lower-case"}},
		{name: "names that make the same variables",
			yaml: "sources:\n  prometheus:\n    - {name: eu-west, url: http://a:9090}\n    - {name: eu_west, url: http://b:9090}\n",
			want: []string{"sources.prometheus[eu_west]: same variable names (PROMETHEUS_EU_WEST) as instance \"eu-west\""}},
		{name: "empty list", yaml: "sources:\n  prometheus: []\n", want: []string{"sources.prometheus: empty list"}},
		{name: "bad concurrency", env: map[string]string{"OPSCTX_INSTANCE_CONCURRENCY": "-1"}, want: []string{"OPSCTX_INSTANCE_CONCURRENCY must be positive"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.yaml, tc.env)
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

// TestNamedInstanceSecretsRedacted: a named instance's secret variable never shows in errors.
func TestNamedInstanceSecretsRedacted(t *testing.T) {
	_, err := load(t, "", map[string]string{"DYNATRACE_INSTANCES": "prod", "DYNATRACE_PROD_API_TOKEN": "dt0c01.SECRETVALUE", "DYNATRACE_PROD_ENV_URL": "dt0c01.SECRETVALUE"})
	if err == nil || strings.Contains(err.Error(), "SECRETVALUE") {
		t.Fatalf("want an error without the secret, got %v", err)
	}
}

// TestInstanceVar: the documented variable names of named instances.
func TestInstanceVar(t *testing.T) {
	for _, tc := range [][3]string{
		{"PROMETHEUS_URL", "eu-west-1", "PROMETHEUS_EU_WEST_1_URL"},
		{"SERVICENOW_INSTANCE_URL", "emea", "SERVICENOW_EMEA_INSTANCE_URL"},
		{"OPSCTX_CATALOG", "team-a", "OPSCTX_CATALOG_TEAM_A"},
		{"PAGERDUTY_API_TOKEN", "", "PAGERDUTY_API_TOKEN"},
	} {
		if got := InstanceVar(tc[0], tc[1]); got != tc[2] {
			t.Errorf("InstanceVar(%s, %s) = %s, want %s", tc[0], tc[1], got, tc[2])
		}
	}
	if InstancesVar(SourcePrometheus) != "PROMETHEUS_INSTANCES" || !slices.Contains(EnvVars(), "OPSCTX_CATALOG_INSTANCES") {
		t.Error("instances variables")
	}
}
