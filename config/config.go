// Package config loads opsctx settings from an optional YAML file and the environment,
// applies defaults, validates them and keeps credentials out of every printed form.
//
// Precedence: environment > YAML file > defaults. A source is enabled when its block is
// present in the file or any of its URL/credential variables is set.
//
// Every source kind takes one block (its single, unnamed instance, named in answers by the
// kind alone: "prometheus") or a list of named instances ("prometheus/eu-west-1"), each with
// its own credentials, timeout and options. In the environment, PROMETHEUS_URL and its
// siblings configure the unnamed instance; PROMETHEUS_INSTANCES=eu-west-1,us-east-1 declares
// named ones, configured by PROMETHEUS_EU_WEST_1_URL and so on (see InstanceVar).
package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/model"
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
	// DefaultServiceNowParallel is how many requests of one ServiceNow listing run at once:
	// the integration semaphores (API_INT) of two instance nodes, halved after a 429.
	DefaultServiceNowParallel = 8
	DefaultServiceNowCIClass  = "cmdb_ci_service"
	DefaultResultForm         = ResultBoth
	// DefaultInstanceConcurrency bounds how many instances of one source kind one answer
	// talks to at once.
	DefaultInstanceConcurrency = 16
)

// Result forms: what a tool call returns (Config.ResultForm).
const (
	// ResultBoth returns the structured result (with output schemas) and its markdown text.
	ResultBoth = "both"
	// ResultText returns the markdown text only and declares no output schemas, for
	// clients that read text better.
	ResultText = "text"
)

// Source kinds. A kind's unnamed instance is named by the kind alone in answers.
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

// sourceKeys maps each source kind, in Enabled order, to its key under `sources:` and the
// prefix of its environment variables.
var sourceKeys = []struct{ name, key, env string }{
	{SourceCatalogFile, "catalog", "OPSCTX_CATALOG"},
	{SourceBackstage, "backstage", "BACKSTAGE"},
	{SourceServiceNow, "servicenow", "SERVICENOW"},
	{SourcePagerDuty, "pagerduty", "PAGERDUTY"},
	{SourceOpsgenie, "opsgenie", "OPSGENIE"},
	{SourceJSM, "jsm", "JSM"},
	{SourceDynatrace, "dynatrace", "DYNATRACE"},
	{SourcePrometheus, "prometheus", "PROMETHEUS"},
	{SourceAlertmanager, "alertmanager", "ALERTMANAGER"},
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

// SourceNames returns every source kind in the fixed order used by Enabled.
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
	// InstanceConcurrency bounds how many instances of one source kind an answer talks to
	// at once (default DefaultInstanceConcurrency): thirty clusters are not thirty
	// connections per question. YAML instance_concurrency, env OPSCTX_INSTANCE_CONCURRENCY.
	InstanceConcurrency int `yaml:"instance_concurrency" json:"instance_concurrency"`
	// Cache configures the freshness of each kind of data, the snapshot on disk and the
	// cache replicas share. YAML cache.*.
	Cache Cache `yaml:"cache" json:"cache"`
	// CacheTTL maps a cache kind (see CacheKinds) to how long its entries stay fresh: filled
	// from Cache by Validate.
	CacheTTL map[string]time.Duration `yaml:"-" json:"-"`
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

// Cache configures what opsctx keeps of what it read: how long each kind stays fresh (env
// OPSCTX_CACHE_TTL_<KIND>), the snapshot on disk a fresh process starts from, and the cache
// that replicas share.
type Cache struct {
	Catalog   time.Duration `yaml:"catalog" json:"catalog"`
	OnCall    time.Duration `yaml:"oncall" json:"oncall"`
	Alerts    time.Duration `yaml:"alerts" json:"alerts"`
	Problems  time.Duration `yaml:"problems" json:"problems"`
	Incidents time.Duration `yaml:"incidents" json:"incidents"`
	Changes   time.Duration `yaml:"changes" json:"changes"`
	SLOs      time.Duration `yaml:"slos" json:"slos"`
	// Dir is the directory of the snapshot on disk (see SnapshotDir). Env OPSCTX_CACHE_DIR.
	Dir string `yaml:"dir" json:"dir,omitempty"`
	// MaxAge is how old a snapshot may be and still be used at start (default
	// DefaultSnapshotMaxAge). Env OPSCTX_CACHE_MAX_AGE.
	MaxAge time.Duration `yaml:"max_age" json:"max_age"`
	// URL is the redis:// or rediss:// URL of the Redis or Valkey that replicas share; it
	// may hold a password. Env OPSCTX_CACHE_URL.
	URL Secret `yaml:"url" json:"url,omitempty"`
}

// DefaultSnapshotMaxAge is how old a snapshot may be and still be used at start.
const DefaultSnapshotMaxAge = 24 * time.Hour

// SnapshotOff as cache.dir (or an empty cache.dir in the file) disables the snapshot.
const SnapshotOff = "off"

// SnapshotDir returns the directory of the snapshot on disk: cache.dir, else the user cache
// directory's opsctx (os.UserCacheDir); "" when it is disabled (cache.dir "off", or empty in
// the file) or there is no user cache directory.
func (c *Config) SnapshotDir() string {
	switch d := strings.TrimSpace(c.Cache.Dir); {
	case strings.EqualFold(d, SnapshotOff) || d == "" && c.from["cache.dir"] != "":
		return ""
	case d != "":
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "opsctx")
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

// Sources holds the per-upstream settings: the instances of each kind, none when the kind
// is disabled. In YAML each takes one block or a list of blocks with unique names.
type Sources struct {
	ServiceNow   []*ServiceNow   `yaml:"servicenow" json:"servicenow,omitempty"`
	Dynatrace    []*Dynatrace    `yaml:"dynatrace" json:"dynatrace,omitempty"`
	PagerDuty    []*PagerDuty    `yaml:"pagerduty" json:"pagerduty,omitempty"`
	Opsgenie     []*Opsgenie     `yaml:"opsgenie" json:"opsgenie,omitempty"`
	JSM          []*JSM          `yaml:"jsm" json:"jsm,omitempty"`
	Alertmanager []*Alertmanager `yaml:"alertmanager" json:"alertmanager,omitempty"`
	Prometheus   []*Prometheus   `yaml:"prometheus" json:"prometheus,omitempty"`
	Backstage    []*Backstage    `yaml:"backstage" json:"backstage,omitempty"`
	CatalogFile  []*CatalogFile  `yaml:"catalog" json:"catalog,omitempty"`
}

// ServiceNow authenticates with OAuth (ClientID+ClientSecret: client credentials, or with
// Username+Password the password grant; tokens renewed), basic auth (Username+Password), or a
// static bearer Token.
type ServiceNow struct {
	Name         string   `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
	URL          string   `yaml:"url" json:"url"`
	Username     string   `yaml:"username" json:"username,omitempty"`
	Password     Secret   `yaml:"password" json:"password,omitempty"`
	ClientID     string   `yaml:"client_id" json:"client_id,omitempty"`
	ClientSecret Secret   `yaml:"client_secret" json:"client_secret,omitempty"`
	Token        Secret   `yaml:"token" json:"token,omitempty"`
	CIClasses    []string `yaml:"ci_classes" json:"ci_classes"` // CMDB tables read as services
	MaxRows      int      `yaml:"max_rows" json:"max_rows"`     // cap on rows read per table
	// Parallel is how many requests of one listing (its pages after the first, which
	// announces the total) or lookup are sent at once (default DefaultServiceNowParallel).
	Parallel int           `yaml:"parallel" json:"parallel"`
	Timeout  time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// Dynatrace needs an environment URL and a credential: a classic API token (dt0c01.…,
// "Api-Token"), a platform token (dt0s16.…, Bearer, through the platform), or an OAuth
// client (ClientID dt0s02.…, ClientSecret, AccountURN; Bearer access tokens from TokenURL,
// renewed).
type Dynatrace struct {
	Name         string        `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
	URL          string        `yaml:"url" json:"url"`
	Token        Secret        `yaml:"token" json:"token,omitempty"`
	ClientID     string        `yaml:"client_id" json:"client_id,omitempty"`
	ClientSecret Secret        `yaml:"client_secret" json:"client_secret,omitempty"`
	AccountURN   string        `yaml:"account_urn" json:"account_urn,omitempty"` // urn:dtaccount:<uuid> (or urn:dtenvironment:<id>)
	TokenURL     string        `yaml:"token_url" json:"token_url,omitempty"`     // default DefaultDynatraceTokenURL
	Timeout      time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// DefaultDynatraceTokenURL is Dynatrace's SSO token endpoint for OAuth clients.
const DefaultDynatraceTokenURL = "https://sso.dynatrace.com/sso/oauth2/token"

// DynatracePlatformTokenPrefix starts a Dynatrace platform token (a classic API token starts
// with dt0c01.).
const DynatracePlatformTokenPrefix = "dt0s16."

// Platform reports whether d signs in to the Dynatrace platform (Bearer): with an OAuth
// client or a platform token.
func (d *Dynatrace) Platform() bool {
	return d.ClientID != "" || strings.HasPrefix(d.Token.Value(), DynatracePlatformTokenPrefix)
}

// PagerDuty needs a REST API key (Token), or a Scoped OAuth app's ClientID and ClientSecret with
// the account's Subdomain (app tokens from TokenURL, renewed); URL defaults to DefaultPagerDutyURL.
type PagerDuty struct {
	Name         string        `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
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
	Name    string        `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
	URL     string        `yaml:"url" json:"url"`
	APIKey  Secret        `yaml:"api_key" json:"api_key,omitempty"`
	Timeout time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// JSM reads Jira Service Management Operations with an Atlassian account's e-mail and API
// token. The site is named by SiteURL (https://<site>.atlassian.net, whose tenant_info gives
// the cloud id) or by its CloudID; URL is the API gateway (DefaultJSMURL).
type JSM struct {
	Name     string        `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
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
	// Hosts are the labels that name the host an alert is about, most specific first
	// (empty: instance, node, host, nodename); alerts without a service label are matched to
	// the hosts services run on by them.
	Hosts []string `yaml:"hosts" json:"hosts,omitempty"`
}

// Alertmanager authentication is optional: basic (Username+Password) or bearer Token.
type Alertmanager struct {
	Name     string        `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
	URL      string        `yaml:"url" json:"url"`
	Username string        `yaml:"username" json:"username,omitempty"`
	Password Secret        `yaml:"password" json:"password,omitempty"`
	Token    Secret        `yaml:"token" json:"token,omitempty"`
	Labels   Labels        `yaml:"labels" json:"labels"`
	Timeout  time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// Prometheus authentication is optional: basic (Username+Password) or bearer Token.
type Prometheus struct {
	Name     string        `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
	URL      string        `yaml:"url" json:"url"`
	Username string        `yaml:"username" json:"username,omitempty"`
	Password Secret        `yaml:"password" json:"password,omitempty"`
	Token    Secret        `yaml:"token" json:"token,omitempty"`
	Labels   Labels        `yaml:"labels" json:"labels"`
	Timeout  time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// Backstage needs a base URL; Token is optional.
type Backstage struct {
	Name    string        `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
	URL     string        `yaml:"url" json:"url"`
	Token   Secret        `yaml:"token" json:"token,omitempty"`
	Timeout time.Duration `yaml:"timeout" json:"timeout,omitempty"`
}

// CatalogFile reads Backstage catalog-info.yaml documents from files or directories.
type CatalogFile struct {
	Name  string   `yaml:"name" json:"name,omitempty"` // instance name; "" for the unnamed instance
	Paths []string `yaml:"paths" json:"paths"`
}

// Default returns a configuration with every default applied and no source enabled.
func Default() *Config {
	c := &Config{}
	_ = c.Validate() // cannot fail: nothing is set
	return c
}

// Instance is one configured instance of a source kind.
type Instance struct {
	// Kind is the source kind (SourcePrometheus, ...).
	Kind string
	// Name is the source name in answers: the kind for the unnamed instance, else
	// kind/instance (model.SourceName).
	Name string
	// Block is the instance's settings: *Prometheus for SourcePrometheus, and so on.
	Block any
}

// Instances returns every configured instance, by kind in the order of SourceNames, then
// in configuration order.
func (c *Config) Instances() []Instance {
	var out []Instance
	for _, s := range sourceKeys {
		f := c.blocks(s.key)
		for i := range f.Len() {
			b := f.Index(i)
			out = append(out, Instance{Kind: s.name, Name: model.SourceName(s.name, b.Elem().Field(0).String()), Block: b.Interface()})
		}
	}
	return out
}

// Enabled returns the source names of every configured instance, in Instances order.
func (c *Config) Enabled() []string {
	var out []string
	for _, in := range c.Instances() {
		out = append(out, in.Name)
	}
	return out
}

// TimeoutFor returns the own Timeout of the instance with the source name, or
// SourceTimeout when it has none.
func (c *Config) TimeoutFor(source string) time.Duration {
	for _, in := range c.Instances() {
		if in.Name != source {
			continue
		}
		if f, ok := fieldByKey(reflect.ValueOf(in.Block).Elem(), "timeout"); ok && f.Int() > 0 {
			return time.Duration(f.Int())
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
	case reflect.Slice:
		for i := range v.Len() {
			out = collectSecrets(v.Index(i), out)
		}
	case reflect.String:
		if v.Type() == secretType && v.Len() > 0 {
			out = append(out, v.String())
		}
	}
	return out
}

// blocks returns the list of instances of the source kind with the given YAML key.
func (c *Config) blocks(key string) reflect.Value {
	f, ok := fieldByKey(reflect.ValueOf(&c.Sources).Elem(), key)
	if !ok {
		panic("config: unknown source key " + key)
	}
	return f
}

// instance returns the instance of the source kind with the given YAML key and name (""
// for the unnamed one), adding it when create is set; else an invalid Value.
func (c *Config) instance(key, name string, create bool) reflect.Value {
	f := c.blocks(key)
	for i := range f.Len() {
		if b := f.Index(i).Elem(); b.Field(0).String() == name {
			return b
		}
	}
	if !create {
		return reflect.Value{}
	}
	b := reflect.New(f.Type().Elem().Elem())
	b.Elem().Field(0).SetString(name)
	f.Set(reflect.Append(f, b))
	return b.Elem()
}
