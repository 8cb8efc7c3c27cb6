// Package config loads opsctx settings from an optional YAML file and the environment,
// applies defaults, validates them and keeps credentials out of every printed form.
//
// Precedence: environment > YAML file > defaults. A source is enabled when its block is
// present in the file or any of its URL/credential variables is set.
package config

import (
	"reflect"
	"slices"
	"time"
)

// Defaults applied by Validate (and therefore Load) to unset settings.
const (
	DefaultDeadline          = 8 * time.Second
	DefaultSourceTimeout     = 5 * time.Second
	DefaultLogLevel          = "info"
	DefaultPagerDutyURL      = "https://api.pagerduty.com"
	DefaultPagerDutyTokenURL = "https://identity.pagerduty.com/oauth/token"
	DefaultOpsgenieURL       = "https://api.opsgenie.com"
	DefaultJSMURL            = "https://api.atlassian.com"
	DefaultServiceNowMaxRows = 10000
	DefaultServiceNowCIClass = "cmdb_ci_service"
	DefaultResultForm        = ResultBoth
)

// Result forms: what a tool call returns (Config.ResultForm).
const (
	// ResultBoth returns the structured result (with output schemas) and its markdown text.
	ResultBoth = "both"
	// ResultText returns the markdown text only and declares no output schemas, for
	// clients that read text better.
	ResultText = "text"
)

// Source names, as returned by Enabled and accepted by TimeoutFor.
const (
	SourceCatalogFile  = "catalogfile"
	SourceBackstage    = "backstage"
	SourceServiceNow   = "servicenow"
	SourcePagerDuty    = "pagerduty"
	SourceOpsgenie     = "opsgenie"
	SourceJSM          = "jsm"
	SourceDynatrace    = "dynatrace"
	SourcePrometheus   = "prometheus"
	SourceAlertmanager = "alertmanager"
)

// Cache kinds accepted as keys of Config.CacheTTL.
const (
	CacheCatalog   = "catalog"
	CacheOnCall    = "oncall"
	CacheAlerts    = "alerts"
	CacheProblems  = "problems"
	CacheIncidents = "incidents"
	CacheChanges   = "changes"
	CacheSLOs      = "slos"
)

// sourceKeys maps each source name, in Enabled order, to its key under `sources:`.
var sourceKeys = []struct{ name, key string }{
	{SourceCatalogFile, "catalog"},
	{SourceBackstage, "backstage"},
	{SourceServiceNow, "servicenow"},
	{SourcePagerDuty, "pagerduty"},
	{SourceOpsgenie, "opsgenie"},
	{SourceJSM, "jsm"},
	{SourceDynatrace, "dynatrace"},
	{SourcePrometheus, "prometheus"},
	{SourceAlertmanager, "alertmanager"},
}

var cacheDefaults = []struct {
	kind string
	ttl  time.Duration
}{
	{CacheCatalog, 10 * time.Minute},
	{CacheOnCall, 5 * time.Minute},
	{CacheAlerts, 30 * time.Second},
	{CacheProblems, 30 * time.Second},
	{CacheIncidents, 30 * time.Second},
	{CacheChanges, 2 * time.Minute},
	{CacheSLOs, time.Minute},
}

// SourceNames returns every source name in the fixed order used by Enabled.
func SourceNames() []string {
	out := make([]string, len(sourceKeys))
	for i, s := range sourceKeys {
		out[i] = s.name
	}
	return out
}

// CacheKinds returns the valid cache kinds in a fixed order.
func CacheKinds() []string {
	out := make([]string, len(cacheDefaults))
	for i, k := range cacheDefaults {
		out[i] = k.kind
	}
	return out
}

// Config is the complete opsctx configuration. Struct tags name the YAML keys.
type Config struct {
	// Deadline bounds the time to answer one question. YAML deadline, env OPSCTX_DEADLINE.
	Deadline time.Duration `yaml:"deadline" json:"deadline"`
	// SourceTimeout is the per-request timeout of sources without their own Timeout.
	// YAML source_timeout, env OPSCTX_SOURCE_TIMEOUT.
	SourceTimeout time.Duration `yaml:"source_timeout" json:"source_timeout"`
	// CacheTTL maps a cache kind (see CacheKinds) to how long its entries stay fresh.
	// YAML cache.<kind>, env OPSCTX_CACHE_TTL_<KIND>.
	CacheTTL map[string]time.Duration `yaml:"cache" json:"cache"`
	// Aliases maps a canonical service name to other names users call it.
	Aliases map[string][]string `yaml:"aliases" json:"aliases,omitempty"`
	// HTTP configures the streamable HTTP transport.
	HTTP HTTP `yaml:"http" json:"http"`
	// LogLevel is debug, info, warn or error. YAML log_level, env OPSCTX_LOG_LEVEL.
	LogLevel string `yaml:"log_level" json:"log_level"`
	// ResultForm is ResultBoth (default) or ResultText. YAML result_form, env OPSCTX_RESULT_FORM.
	ResultForm string `yaml:"result_form" json:"result_form"`
	// Sources holds one block per upstream; nil means disabled.
	Sources Sources `yaml:"sources" json:"sources"`
	// SLOs are objectives declared here and evaluated with PromQL against Prometheus.
	SLOs []SLO `yaml:"slos" json:"slos,omitempty"`

	// from records where each setting came from (fromFile or fromEnv), keyed by YAML path.
	from map[string]string
}

// HTTP configures the HTTP transport.
type HTTP struct {
	// Addr is the listen address, e.g. 127.0.0.1:8080.
	Addr string `yaml:"addr" json:"addr,omitempty"`
	// AuthToken is the bearer token clients must send. Env OPSCTX_AUTH_TOKEN.
	AuthToken Secret `yaml:"auth_token" json:"auth_token,omitempty"`
	// AuthTokenFile names a file holding AuthToken; Load reads it (relative to the config file).
	AuthTokenFile string `yaml:"auth_token_file" json:"auth_token_file,omitempty"`
	// AllowedOrigins lists browser origins allowed to call the server ("*" for any).
	AllowedOrigins []string `yaml:"allowed_origins" json:"allowed_origins,omitempty"`
	// OAuth makes the server an OAuth resource server instead of using AuthToken.
	OAuth OAuth `yaml:"oauth" json:"oauth"`
}

// OAuth configures sign-in with access tokens from an authorization server (the MCP
// authorization specification). It is enabled when Issuer is set.
type OAuth struct {
	// Issuer is the authorization server's issuer URL. Env OPSCTX_OAUTH_ISSUER.
	Issuer string `yaml:"issuer" json:"issuer,omitempty"`
	// Audience is the value tokens' aud must contain. Env OPSCTX_OAUTH_AUDIENCE.
	Audience string `yaml:"audience" json:"audience,omitempty"`
	// Resource is this server's public URL, published in its metadata; default Audience.
	// Env OPSCTX_OAUTH_RESOURCE.
	Resource string `yaml:"resource" json:"resource,omitempty"`
	// Scope, when set, must be among the token's scopes. Env OPSCTX_OAUTH_SCOPE.
	Scope string `yaml:"scope" json:"scope,omitempty"`
}

// Enabled reports whether OAuth sign-in is configured.
func (o OAuth) Enabled() bool { return o.Issuer != "" || o.Audience != "" }

// Sources holds the per-upstream settings; a nil pointer means the source is disabled.
type Sources struct {
	ServiceNow   *ServiceNow   `yaml:"servicenow" json:"servicenow,omitempty"`
	Dynatrace    *Dynatrace    `yaml:"dynatrace" json:"dynatrace,omitempty"`
	PagerDuty    *PagerDuty    `yaml:"pagerduty" json:"pagerduty,omitempty"`
	Opsgenie     *Opsgenie     `yaml:"opsgenie" json:"opsgenie,omitempty"`
	JSM          *JSM          `yaml:"jsm" json:"jsm,omitempty"`
	Alertmanager *Alertmanager `yaml:"alertmanager" json:"alertmanager,omitempty"`
	Prometheus   *Prometheus   `yaml:"prometheus" json:"prometheus,omitempty"`
	Backstage    *Backstage    `yaml:"backstage" json:"backstage,omitempty"`
	CatalogFile  *CatalogFile  `yaml:"catalog" json:"catalog,omitempty"`
}

// ServiceNow authenticates with OAuth (ClientID+ClientSecret: client credentials, or with
// Username+Password the password grant; tokens renewed), basic auth (Username+Password), or a
// static bearer Token.
type ServiceNow struct {
	URL          string        `yaml:"url" json:"url"`
	Username     string        `yaml:"username" json:"username,omitempty"`
	Password     Secret        `yaml:"password" json:"password,omitempty"`
	ClientID     string        `yaml:"client_id" json:"client_id,omitempty"`
	ClientSecret Secret        `yaml:"client_secret" json:"client_secret,omitempty"`
	Token        Secret        `yaml:"token" json:"token,omitempty"`
	CIClasses    []string      `yaml:"ci_classes" json:"ci_classes"` // CMDB tables read as services
	MaxRows      int           `yaml:"max_rows" json:"max_rows"`     // cap on rows read per table
	Timeout      time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// Dynatrace needs an environment URL and an API token.
type Dynatrace struct {
	URL     string        `yaml:"url" json:"url"`
	Token   Secret        `yaml:"token" json:"token,omitempty"`
	Timeout time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// PagerDuty needs a REST API key (Token), or a Scoped OAuth app's ClientID and ClientSecret with
// the account's Subdomain (app tokens from TokenURL, renewed); URL defaults to DefaultPagerDutyURL.
type PagerDuty struct {
	URL          string        `yaml:"url" json:"url"`
	Token        Secret        `yaml:"token" json:"token,omitempty"`
	ClientID     string        `yaml:"client_id" json:"client_id,omitempty"`
	ClientSecret Secret        `yaml:"client_secret" json:"client_secret,omitempty"`
	Subdomain    string        `yaml:"subdomain" json:"subdomain,omitempty"`
	TokenURL     string        `yaml:"token_url" json:"token_url,omitempty"`
	Timeout      time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// Opsgenie needs an API key; URL defaults to DefaultOpsgenieURL.
type Opsgenie struct {
	URL     string        `yaml:"url" json:"url"`
	APIKey  Secret        `yaml:"api_key" json:"api_key,omitempty"`
	Timeout time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// JSM reads Jira Service Management Operations with an Atlassian account's e-mail and API
// token. The site is named by SiteURL (https://<site>.atlassian.net, whose tenant_info gives
// the cloud id) or by its CloudID; URL is the API gateway (DefaultJSMURL).
type JSM struct {
	SiteURL  string        `yaml:"site_url" json:"site_url,omitempty"`
	CloudID  string        `yaml:"cloud_id" json:"cloud_id,omitempty"`
	Email    string        `yaml:"email" json:"email,omitempty"`
	APIToken Secret        `yaml:"api_token" json:"api_token,omitempty"`
	URL      string        `yaml:"url" json:"url"`
	Timeout  time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// Labels names the alert labels that carry service, team and severity.
type Labels struct {
	Service  string `yaml:"service" json:"service"`
	Team     string `yaml:"team" json:"team"`
	Severity string `yaml:"severity" json:"severity"`
}

// Alertmanager authentication is optional: basic (Username+Password) or bearer Token.
type Alertmanager struct {
	URL      string        `yaml:"url" json:"url"`
	Username string        `yaml:"username" json:"username,omitempty"`
	Password Secret        `yaml:"password" json:"password,omitempty"`
	Token    Secret        `yaml:"token" json:"token,omitempty"`
	Labels   Labels        `yaml:"labels" json:"labels"`
	Timeout  time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// Prometheus authentication is optional: basic (Username+Password) or bearer Token.
type Prometheus struct {
	URL      string        `yaml:"url" json:"url"`
	Username string        `yaml:"username" json:"username,omitempty"`
	Password Secret        `yaml:"password" json:"password,omitempty"`
	Token    Secret        `yaml:"token" json:"token,omitempty"`
	Labels   Labels        `yaml:"labels" json:"labels"`
	Timeout  time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// Backstage needs a base URL; Token is optional.
type Backstage struct {
	URL     string        `yaml:"url" json:"url"`
	Token   Secret        `yaml:"token" json:"token,omitempty"`
	Timeout time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// CatalogFile reads Backstage catalog-info.yaml documents from files or directories.
type CatalogFile struct {
	Paths []string `yaml:"paths" json:"paths"`
}

// Default returns a configuration with every default applied and no source enabled.
func Default() *Config {
	c := &Config{}
	_ = c.Validate() // cannot fail: nothing is set
	return c
}

// Enabled returns the names of enabled sources in the fixed order of SourceNames.
func (c *Config) Enabled() []string {
	var out []string
	for _, s := range sourceKeys {
		if c.source(s.key).IsValid() {
			out = append(out, s.name)
		}
	}
	return out
}

// TimeoutFor returns the named source's own Timeout, or SourceTimeout when it has none.
func (c *Config) TimeoutFor(source string) time.Duration {
	for _, s := range sourceKeys {
		if s.name != source {
			continue
		}
		if v := c.source(s.key); v.IsValid() {
			if f, ok := fieldByKey(v, "timeout"); ok && f.Int() > 0 {
				return time.Duration(f.Int())
			}
		}
	}
	if c.SourceTimeout > 0 {
		return c.SourceTimeout
	}
	return DefaultSourceTimeout
}

// Secrets returns every non-empty secret value in the configuration, without duplicates,
// so that other packages can redact them.
func (c *Config) Secrets() []string {
	out := collectSecrets(reflect.ValueOf(c).Elem(), nil)
	slices.Sort(out)
	return slices.Compact(out)
}

var secretType = reflect.TypeFor[Secret]()

func collectSecrets(v reflect.Value, out []string) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			out = collectSecrets(v.Elem(), out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = collectSecrets(v.Field(i), out)
			}
		}
	case reflect.String:
		if v.Type() == secretType && v.Len() > 0 {
			out = append(out, v.String())
		}
	}
	return out
}

// source returns the enabled source block with the given YAML key, or an invalid Value.
func (c *Config) source(key string) reflect.Value {
	f, ok := fieldByKey(reflect.ValueOf(&c.Sources).Elem(), key)
	if !ok || f.IsNil() {
		return reflect.Value{}
	}
	return f.Elem()
}
