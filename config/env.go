package config

import (
	"fmt"
	"strings"
	"sync"
)

// envSetting binds an environment variable to the setting at a YAML path.
type envSetting struct {
	name string // environment variable
	path string // YAML path of the setting
	// ifEnabled settings apply only to a source enabled by something else.
	ifEnabled bool
}

var envSettings = sync.OnceValue(func() []envSetting {
	s := []envSetting{
		{name: "OPSCTX_DEADLINE", path: "deadline"},
		{name: "OPSCTX_SOURCE_TIMEOUT", path: "source_timeout"},
		{name: "OPSCTX_LOG_LEVEL", path: "log_level"},
		{name: "OPSCTX_RESULT_FORM", path: "result_form"},
		{name: "OPSCTX_AUTH_TOKEN", path: "http.auth_token"},
		{name: "OPSCTX_OAUTH_ISSUER", path: "http.oauth.issuer"},
		{name: "OPSCTX_OAUTH_AUDIENCE", path: "http.oauth.audience"},
		{name: "OPSCTX_OAUTH_RESOURCE", path: "http.oauth.resource"},
		{name: "OPSCTX_OAUTH_SCOPE", path: "http.oauth.scope"},
		{name: "OPSCTX_CATALOG", path: "sources.catalog.paths"},
		{name: "BACKSTAGE_URL", path: "sources.backstage.url"},
		{name: "BACKSTAGE_TOKEN", path: "sources.backstage.token"},
		{name: "SERVICENOW_INSTANCE_URL", path: "sources.servicenow.url"},
		{name: "SERVICENOW_USERNAME", path: "sources.servicenow.username"},
		{name: "SERVICENOW_PASSWORD", path: "sources.servicenow.password"},
		{name: "SERVICENOW_CLIENT_ID", path: "sources.servicenow.client_id"},
		{name: "SERVICENOW_CLIENT_SECRET", path: "sources.servicenow.client_secret"},
		{name: "SERVICENOW_TOKEN", path: "sources.servicenow.token"},
		{name: "SERVICENOW_CI_CLASSES", path: "sources.servicenow.ci_classes", ifEnabled: true},
		{name: "PAGERDUTY_API_URL", path: "sources.pagerduty.url"},
		{name: "PAGERDUTY_API_TOKEN", path: "sources.pagerduty.token"},
		{name: "PAGERDUTY_CLIENT_ID", path: "sources.pagerduty.client_id"},
		{name: "PAGERDUTY_CLIENT_SECRET", path: "sources.pagerduty.client_secret"},
		{name: "PAGERDUTY_SUBDOMAIN", path: "sources.pagerduty.subdomain", ifEnabled: true},
		{name: "PAGERDUTY_TOKEN_URL", path: "sources.pagerduty.token_url", ifEnabled: true},
		{name: "OPSGENIE_API_URL", path: "sources.opsgenie.url"},
		{name: "OPSGENIE_API_KEY", path: "sources.opsgenie.api_key"},
		{name: "JSM_SITE_URL", path: "sources.jsm.site_url"},
		{name: "JSM_CLOUD_ID", path: "sources.jsm.cloud_id"},
		{name: "JSM_USER_EMAIL", path: "sources.jsm.email"},
		{name: "JSM_API_TOKEN", path: "sources.jsm.api_token"},
		{name: "JSM_API_URL", path: "sources.jsm.url"},
		{name: "DYNATRACE_ENV_URL", path: "sources.dynatrace.url"},
		{name: "DYNATRACE_API_TOKEN", path: "sources.dynatrace.token"},
	}
	for _, src := range []string{"prometheus", "alertmanager"} {
		up := strings.ToUpper(src)
		for _, k := range []string{"url", "username", "password", "token"} {
			s = append(s, envSetting{name: up + "_" + strings.ToUpper(k), path: "sources." + src + "." + k})
		}
	}
	for _, k := range cacheDefaults {
		s = append(s, envSetting{name: "OPSCTX_CACHE_TTL_" + strings.ToUpper(k.kind), path: "cache." + k.kind})
	}
	return s
})

// envNames maps a YAML path to its environment variable.
var envNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, e := range envSettings() {
		m[e.path] = e.name
	}
	return m
})

// EnvVars returns every environment variable Load reads, in a fixed order.
func EnvVars() []string {
	var out []string
	for _, e := range envSettings() {
		out = append(out, e.name)
	}
	return out
}

// Variable is one environment variable Load reads.
type Variable struct {
	Name   string // e.g. PAGERDUTY_API_TOKEN
	Path   string // YAML path of its setting, e.g. sources.pagerduty.token
	Secret bool   // the setting is a credential, redacted everywhere
}

// Variables returns every environment variable Load reads with its setting, in the order
// of EnvVars.
func Variables() []Variable {
	var out []Variable
	for _, e := range envSettings() {
		out = append(out, Variable{Name: e.name, Path: e.path, Secret: typeAt(e.path) == secretType})
	}
	return out
}

// applyEnv sets every non-empty variable (trimmed) over the file's values.
func (c *Config) applyEnv(getenv func(string) string) []error {
	if c.from == nil {
		c.from = map[string]string{}
	}
	var errs []error
	for _, e := range envSettings() {
		s := strings.TrimSpace(getenv(e.name))
		if s == "" {
			continue
		}
		scope := sourceScope(e.path)
		if e.ifEnabled && !c.source(strings.TrimPrefix(scope, "sources.")).IsValid() {
			continue
		}
		if err := c.setPath(e.path, s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.name, err))
			continue
		}
		c.from[e.path] = fromEnv
		if scope != "" && c.from[scope] != fromFile {
			c.from[scope] = fromEnv
		}
	}
	return errs
}

// envSecretValues returns the values of secret variables, to be redacted from errors.
func envSecretValues(getenv func(string) string) []string {
	var out []string
	for _, e := range envSettings() {
		if typeAt(e.path) == secretType {
			if v := strings.TrimSpace(getenv(e.name)); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// sourceScope returns "sources.<name>" for a path inside a source block, else "".
func sourceScope(path string) string {
	parts := strings.SplitN(path, ".", 3)
	if len(parts) < 2 || parts[0] != "sources" {
		return ""
	}
	return parts[0] + "." + parts[1]
}

// name is how an error refers to the setting at path: the environment variable when it
// was set there, the YAML path when it was set in the file. An unset setting is named
// the way its source was enabled (file block: YAML path; otherwise the variable).
func (c *Config) name(path string) string {
	env, hasEnv := envNames()[path]
	switch c.from[path] {
	case fromEnv:
		return env
	case fromFile:
		return path
	}
	if scope := sourceScope(path); hasEnv && (scope == "" || c.from[scope] != fromFile) {
		return env
	}
	return path
}
