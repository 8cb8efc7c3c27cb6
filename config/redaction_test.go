package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const canary = "canary-secret-123"

// canaryEnv sets every secret variable to a distinct canary value.
func canaryEnv() map[string]string {
	return map[string]string{
		"OPSCTX_AUTH_TOKEN":       canary + "-http",
		"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com",
		"SERVICENOW_TOKEN":        canary + "-sn-token",
		"DYNATRACE_ENV_URL":       "https://abc.live.dynatrace.com",
		"DYNATRACE_API_TOKEN":     canary + "-dt",
		"PAGERDUTY_API_TOKEN":     canary + "-pd",
		"OPSGENIE_API_KEY":        canary + "-og",
		"JSM_SITE_URL":            "https://acme.atlassian.net",
		"JSM_USER_EMAIL":          "ops@acme.com",
		"JSM_API_TOKEN":           canary + "-jsm",
		"ALERTMANAGER_URL":        "http://am:9093",
		"ALERTMANAGER_USERNAME":   "am-user",
		"ALERTMANAGER_PASSWORD":   canary + "-am-pw",
		"PROMETHEUS_URL":          "http://prom:9090",
		"PROMETHEUS_TOKEN":        canary + "-prom",
		"BACKSTAGE_URL":           "https://backstage.example.com",
		"BACKSTAGE_TOKEN":         canary + "-bs",
		"OPSCTX_CATALOG":          "./catalog",
	}
}

// printed returns every printed/encoded form of the config under test.
func printed(t *testing.T, c *Config) map[string]string {
	t.Helper()
	out := map[string]string{
		"String":  c.String(),
		"%v":      fmt.Sprintf("%v", c),
		"%+v":     fmt.Sprintf("%+v", c),
		"%#v":     fmt.Sprintf("%#v", c),
		"%s":      fmt.Sprintf("%s", c),
		"val %v":  fmt.Sprintf("%v", *c),
		"val %+v": fmt.Sprintf("%+v", *c),
		"val %#v": fmt.Sprintf("%#v", *c),
	}
	// Each source block printed on its own too (pointers hide them in %v of the parent).
	s := c.Sources
	for name, v := range map[string]any{"servicenow": s.ServiceNow, "dynatrace": s.Dynatrace, "pagerduty": s.PagerDuty,
		"opsgenie": s.Opsgenie, "jsm": s.JSM, "alertmanager": s.Alertmanager, "prometheus": s.Prometheus, "backstage": s.Backstage, "http": c.HTTP} {
		out[name+" %+v"] = fmt.Sprintf("%+v", v)
		out[name+" %#v"] = fmt.Sprintf("%#v", v)
	}
	for name, v := range map[string]any{"json ptr": c, "json val": *c, "json sources": c.Sources} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = string(b)
	}
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("config", "cfg", c, "val", *c, "sources", c.Sources, "pd", c.Sources.PagerDuty)
		out[name] = buf.String()
	}
	return out
}

func TestCanarySecretsNeverPrinted(t *testing.T) {
	yamlCanaries := `
http:
  auth_token: ${HTTP_TOKEN}
sources:
  servicenow:
    username: svc
    password: ${SN_PASSWORD}
  prometheus:
    url: http://prom:9090
    username: prom-user
    password: ` + canary + `-literal-in-file
`
	tests := []struct {
		name string
		yaml string
		env  map[string]string
	}{
		{"env", "", canaryEnv()},
		{"yaml", yamlCanaries, map[string]string{
			"HTTP_TOKEN": canary + "-yaml-http", "SN_PASSWORD": canary + "-yaml-sn",
			"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.yaml, tc.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(c.Secrets()) < 3 {
				t.Fatalf("Secrets() = %d values, want every canary", len(c.Secrets()))
			}
			for _, s := range c.Secrets() {
				if !strings.HasPrefix(s, canary) {
					t.Errorf("Secrets() has non-canary %q", s)
				}
			}
			for form, text := range printed(t, c) {
				if strings.Contains(text, canary) {
					t.Errorf("%s leaks a secret:\n%s", form, text)
				}
			}
			if !strings.Contains(c.String(), "[REDACTED]") {
				t.Errorf("String() should mark set secrets as [REDACTED]:\n%s", c.String())
			}
		})
	}
}

func TestCanarySecretsNeverInErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
	}{
		{"half pair with canary password", "", map[string]string{
			"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "SERVICENOW_PASSWORD": canary}},
		{"token and basic both", "", map[string]string{
			"PROMETHEUS_URL": "http://p:9090", "PROMETHEUS_USERNAME": "u", "PROMETHEUS_PASSWORD": canary, "PROMETHEUS_TOKEN": canary + "-t"}},
		{"credential in URL", "", map[string]string{
			"PROMETHEUS_URL": "https://user:" + canary + "@prom:9090", "BACKSTAGE_URL": "https://bs?token=" + canary}},
		{"secret pasted into URL variable", "", map[string]string{
			"PAGERDUTY_API_URL": canary, "PAGERDUTY_API_TOKEN": canary, "OPSGENIE_API_URL": "%%" + canary, "OPSGENIE_API_KEY": "k",
			"JSM_SITE_URL": canary, "JSM_API_URL": "https://x:" + canary + "@api.atlassian.com", "JSM_API_TOKEN": canary}},
		{"secret in a non-secret yaml field via secret variable", "deadline: ${MY_TOKEN}\nsources:\n  servicenow: {max_rows: \"${DB_PASSWORD}\"}\n",
			map[string]string{"MY_TOKEN": canary, "DB_PASSWORD": canary + "-pw"}},
		{"literal secret in yaml with another error", "http: {auth_token: " + canary + "}\nsources:\n  dynatrace: {token: " + canary + "-dt}\n", nil},
		{"unterminated reference next to literal secret", "sources:\n  pagerduty: {token: \"${" + canary + "\"}\n", nil},
		{"bad variable name", "sources:\n  pagerduty: {token: \"${" + canary + "}\"}\n", nil},
		{"secret file content", "http: {auth_token_file: /dev/null}\n", map[string]string{"BACKSTAGE_TOKEN": canary}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.yaml, tc.env)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if strings.Contains(err.Error(), canary) {
				t.Errorf("error leaks a secret:\n%v", err)
			}
		})
	}
}
