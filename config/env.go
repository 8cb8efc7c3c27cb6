package config

import (
	"fmt"
	"strings"
	"sync"
)

// envSetting binds an environment variable to the setting at a YAML path.
type envSetting struct {
	name string // environment variable
	path string // YAML path of the setting (of the unnamed instance, for a source setting)
	// ifEnabled settings apply only to a source enabled by something else.
	ifEnabled bool
}

var envSettings = sync.OnceValue(func() []envSetting {
	s := []envSetting{
		{name: "OPSCTX_DEADLINE", path: "deadline"},
		{name: "OPSCTX_SOURCE_TIMEOUT", path: "source_timeout"},
		{name: "OPSCTX_INSTANCE_CONCURRENCY", path: "instance_concurrency"},
		{name: "OPSCTX_LOG_LEVEL", path: "log_level"},
		{name: "OPSCTX_RESULT_FORM", path: "result_form"},
		{name: "OPSCTX_AUTH_TOKEN", path: "http.auth_token"},
		{name: "OPSCTX_OAUTH_ISSUER", path: "http.oauth.issuer"},
		{name: "OPSCTX_OAUTH_AUDIENCE", path: "http.oauth.audience"},
		{name: "OPSCTX_OAUTH_RESOURCE", path: "http.oauth.resource"},
		{name: "OPSCTX_OAUTH_SCOPE", path: "http.oauth.scope"},
		{name: "OPSCTX_CACHE_DIR", path: "cache.dir"},
		{name: "OPSCTX_CACHE_MAX_AGE", path: "cache.max_age"},
		{name: "OPSCTX_CACHE_URL", path: "cache.url"},
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
		{name: "SERVICENOW_PARALLEL", path: "sources.servicenow.parallel", ifEnabled: true},
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
		{name: "DYNATRACE_CLIENT_ID", path: "sources.dynatrace.client_id"},
		{name: "DYNATRACE_CLIENT_SECRET", path: "sources.dynatrace.client_secret"},
		{name: "DYNATRACE_ACCOUNT_URN", path: "sources.dynatrace.account_urn", ifEnabled: true},
		{name: "DYNATRACE_TOKEN_URL", path: "sources.dynatrace.token_url", ifEnabled: true},
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

// envNames maps a YAML path (of a source's unnamed instance, for source settings) to its
// environment variable.
var envNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, e := range envSettings() {
		m[e.path] = e.name
	}
	return m
})

// EnvVars returns every environment variable Load reads for the unnamed instances and the
// global settings, then the variables that declare named instances, in a fixed order.
func EnvVars() []string {
	var out []string
	for _, e := range envSettings() {
		out = append(out, e.name)
	}
	for _, k := range sourceKeys {
		out = append(out, k.env+"_INSTANCES")
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

// InstancesVar returns the variable that declares a kind's named instances
// (PROMETHEUS_INSTANCES), or "" for an unknown kind.
func InstancesVar(kind string) string {
	for _, k := range sourceKeys {
		if k.name == kind {
			return k.env + "_INSTANCES"
		}
	}
	return ""
}

// InstanceVar returns the variable that sets, for the named instance, what variable sets
// for the unnamed one: the instance name, upper-cased with every other character than a
// letter or digit made _, follows the kind's prefix (PROMETHEUS_URL, eu-west-1 ->
// PROMETHEUS_EU_WEST_1_URL; OPSCTX_CATALOG, team-a -> OPSCTX_CATALOG_TEAM_A).
func InstanceVar(variable, instance string) string {
	if instance == "" {
		return variable
	}
	for _, k := range sourceKeys {
		if variable == k.env || strings.HasPrefix(variable, k.env+"_") {
			return k.env + "_" + envInfix(instance) + variable[len(k.env):]
		}
	}
	return variable
}

// envInfix is an instance name as it appears in variable names.
func envInfix(instance string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, instance)
}

// envInstances returns the named instances the environment declares for the source with
// the YAML key.
func envInstances(key string, getenv func(string) string) []string {
	for _, k := range sourceKeys {
		if k.key == key {
			return splitList(strings.ReplaceAll(getenv(k.env+"_INSTANCES"), " ", ","))
		}
	}
	return nil
}

// applyEnv sets every non-empty variable (trimmed) over the file's values: global settings,
// each kind's unnamed instance, and the named instances declared by <KIND>_INSTANCES.
func (c *Config) applyEnv(getenv func(string) string) []error {
	if c.from == nil {
		c.from = map[string]string{}
	}
	var errs []error
	for _, e := range envSettings() {
		scope := sourceScope(e.path)
		if scope == "" {
			s := strings.TrimSpace(getenv(e.name))
			if s == "" {
				continue
			}
			if err := c.setPath(e.path, s); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", e.name, err))
				continue
			}
			c.from[e.path] = fromEnv
			continue
		}
		key, field := strings.TrimPrefix(scope, "sources."), strings.TrimPrefix(e.path, scope+".")
		for _, inst := range append([]string{""}, envInstances(key, getenv)...) {
			name := InstanceVar(e.name, inst)
			s := strings.TrimSpace(getenv(name))
			if s == "" || e.ifEnabled && !c.instance(key, inst, false).IsValid() {
				continue
			}
			f, _ := fieldByKey(c.instance(key, inst, true), field)
			if err := setScalar(f, s); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
				continue
			}
			ip := InstancePath(key, inst)
			c.from[ip+"."+field] = fromEnv
			if c.from[ip] != fromFile {
				c.from[ip] = fromEnv
			}
		}
	}
	// A declared instance is enabled even with no variable set: validation then names the
	// variables it needs.
	for _, k := range sourceKeys {
		for _, inst := range envInstances(k.key, getenv) {
			c.instance(k.key, inst, true)
			if ip := InstancePath(k.key, inst); c.from[ip] == "" {
				c.from[ip] = fromEnv
			}
		}
	}
	return errs
}

// envSecretValues returns the values of secret variables, to be redacted from errors.
func envSecretValues(getenv func(string) string) []string {
	var out []string
	for _, e := range envSettings() {
		if typeAt(e.path) != secretType {
			continue
		}
		scope := sourceScope(e.path)
		for _, inst := range append([]string{""}, envInstances(strings.TrimPrefix(scope, "sources."), getenv)...) {
			if v := strings.TrimSpace(getenv(InstanceVar(e.name, inst))); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// InstancePath returns the YAML path by which settings and errors name an instance of the
// source with the YAML key: sources.prometheus for the unnamed instance,
// sources.prometheus[eu-west-1] for a named one.
func InstancePath(key, instance string) string {
	if instance == "" {
		return "sources." + key
	}
	return "sources." + key + "[" + instance + "]"
}

// sourceScope returns the instance path (sources.<key> or sources.<key>[<name>]) of a
// path inside a source block, else "".
func sourceScope(path string) string {
	parts := strings.SplitN(path, ".", 3)
	if len(parts) < 2 || parts[0] != "sources" {
		return ""
	}
	return parts[0] + "." + parts[1]
}

// envName returns the variable that sets the setting at path ("" when none does).
func envName(path string) string {
	scope := sourceScope(path)
	key, inst, named := strings.Cut(strings.TrimPrefix(scope, "sources."), "[")
	if !named {
		return envNames()[path]
	}
	v := envNames()["sources."+key+strings.TrimPrefix(path, scope)]
	if v == "" {
		return ""
	}
	return InstanceVar(v, strings.TrimSuffix(inst, "]"))
}

// name is how an error refers to the setting at path: the environment variable when it
// was set there, the YAML path when it was set in the file. An unset setting is named
// the way its source instance was enabled (file block: YAML path; otherwise the variable).
func (c *Config) name(path string) string {
	env := envName(path)
	switch c.from[path] {
	case fromEnv:
		return env
	case fromFile:
		return path
	}
	if scope := sourceScope(path); env != "" && (scope == "" || c.from[scope] != fromFile) {
		return env
	}
	return path
}
