package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/loopback"
	"github.com/opsctx/opsctx/internal/redact"
)

// Validate fills unset settings with their defaults, normalizes values (trims URL
// trailing slashes, lower-cases the log level) and checks everything. It reports all
// problems at once, each naming the setting (variable or YAML path) and the fix.
func (c *Config) Validate() error {
	v := &validator{c: c}
	v.global()
	v.http()
	v.sources()
	v.slos()
	return redact.Error(errors.Join(v.errs...), c.Secrets()...)
}

type validator struct {
	c    *Config
	errs []error
}

func (v *validator) errf(format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf(format, args...))
}

func (v *validator) n(path string) string { return v.c.name(path) }

// duration defaults an unset (zero) duration; optional ones stay zero.
func (v *validator) duration(path string, d *time.Duration, def time.Duration) {
	switch {
	case *d == 0:
		*d = def
	case *d < 0:
		v.errf("%s must be positive (e.g. 30s, 5m)", v.n(path))
	}
}

func (v *validator) global() {
	c := v.c
	v.duration("deadline", &c.Deadline, DefaultDeadline)
	v.duration("source_timeout", &c.SourceTimeout, DefaultSourceTimeout)
	switch {
	case c.InstanceConcurrency == 0:
		c.InstanceConcurrency = DefaultInstanceConcurrency
	case c.InstanceConcurrency < 0:
		v.errf("%s must be positive (default %d)", v.n("instance_concurrency"), DefaultInstanceConcurrency)
	}

	c.ResultForm = strings.ToLower(strings.TrimSpace(c.ResultForm))
	switch c.ResultForm {
	case "":
		c.ResultForm = DefaultResultForm
	case ResultBoth, ResultText:
	default:
		v.errf("%s is not a result form: use both (structured result and text) or text", v.n("result_form"))
	}

	c.LogLevel = strings.ToLower(strings.TrimSpace(c.LogLevel))
	switch c.LogLevel {
	case "":
		c.LogLevel = DefaultLogLevel
	case "debug", "info", "warn", "error":
	default:
		v.errf("%s is not a log level: use debug, info, warn or error", v.n("log_level"))
	}

	if c.CacheTTL == nil {
		c.CacheTTL = map[string]time.Duration{}
	}
	cv := reflect.ValueOf(&c.Cache).Elem()
	for _, d := range cacheDefaults {
		f, _ := fieldByKey(cv, d.kind)
		ttl := time.Duration(f.Int())
		if ttl == 0 {
			ttl = c.CacheTTL[d.kind] // set by a program rather than loaded
		}
		v.duration("cache."+d.kind, &ttl, d.ttl)
		f.SetInt(int64(ttl))
		c.CacheTTL[d.kind] = ttl
	}
	v.duration("cache.max_age", &c.Cache.MaxAge, DefaultSnapshotMaxAge)
	if u := c.Cache.URL.Value(); u != "" {
		if p, err := url.Parse(u); err != nil || p.Scheme != "redis" && p.Scheme != "rediss" || p.Host == "" {
			v.errf("%s is not a redis:// or rediss:// URL with a host", v.n("cache.url"))
		}
	}
	v.aliases()
}

// aliases trims names and rejects empty names and names claimed by two services.
func (v *validator) aliases() {
	if len(v.c.Aliases) == 0 {
		return
	}
	owner := map[string]string{} // lower-case name -> canonical
	out := map[string][]string{}
	canon := sortedKeys(v.c.Aliases)
	for _, k := range canon {
		name := strings.TrimSpace(k)
		if name == "" {
			v.errf("aliases: a service name is empty: remove it")
			continue
		}
		if prev, ok := owner[strings.ToLower(name)]; ok {
			v.errf("%s: same service as %q (names are case-insensitive): merge them", joinPath("aliases", k), prev)
			continue
		}
		owner[strings.ToLower(name)] = name
		out[name] = nil
	}
	for _, k := range canon {
		name := strings.TrimSpace(k)
		if _, ok := out[name]; !ok {
			continue
		}
		for _, a := range v.c.Aliases[k] {
			a = strings.TrimSpace(a)
			switch prev, ok := owner[strings.ToLower(a)]; {
			case a == "":
				v.errf("%s: an alias is empty: remove it", joinPath("aliases", k))
			case ok && prev == name:
				// duplicate or the canonical name itself: harmless
			case ok:
				v.errf("%s: %q is already a name of %q: a name can belong to one service only", joinPath("aliases", k), a, prev)
			default:
				owner[strings.ToLower(a)] = name
				out[name] = append(out[name], a)
			}
		}
	}
	v.c.Aliases = out
}

func (v *validator) http() {
	h := &v.c.HTTP
	if h.Addr = strings.TrimSpace(h.Addr); h.Addr != "" {
		if _, _, err := net.SplitHostPort(h.Addr); err != nil {
			v.errf("http.addr is not host:port: use e.g. 127.0.0.1:8080")
		}
	}
	for i, o := range h.AllowedOrigins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		h.AllowedOrigins[i] = o
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.Path != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
			v.errf("http.allowed_origins[%d] is not an origin: use scheme://host[:port] (e.g. https://chat.example.com) or \"*\"", i)
		}
	}
	v.oauth()
}

// oauth checks the sign-in settings: issuer and audience together, https (http only on
// loopback, for tests), and not together with the static token.
func (v *validator) oauth() {
	o := &v.c.HTTP.OAuth
	o.Issuer, o.Audience = strings.TrimSpace(o.Issuer), strings.TrimSpace(o.Audience)
	o.Resource, o.Scope = strings.TrimSpace(o.Resource), strings.TrimSpace(o.Scope)
	if !o.Enabled() {
		if o.Resource != "" || o.Scope != "" {
			v.errf("%s and %s are not set: OAuth sign-in needs both", v.n("http.oauth.issuer"), v.n("http.oauth.audience"))
		}
		return
	}
	switch {
	case o.Issuer == "":
		v.errf("%s is not set: OAuth sign-in needs the authorization server's issuer URL", v.n("http.oauth.issuer"))
	case o.Audience == "":
		v.errf("%s is not set: OAuth sign-in needs the audience its tokens name this server by", v.n("http.oauth.audience"))
	}
	if o.Issuer != "" {
		if u, err := url.Parse(o.Issuer); err != nil || !secureURL(u) || u.RawQuery != "" || u.Fragment != "" {
			v.errf("%s must be an https:// URL without query (http:// only on a loopback address, for tests)", v.n("http.oauth.issuer"))
		}
	}
	resource, name := o.Resource, v.n("http.oauth.resource")
	if resource == "" {
		resource = o.Audience
		name = v.n("http.oauth.audience") + " (the resource, as " + v.n("http.oauth.resource") + " is not set)"
	}
	if u, err := url.Parse(resource); resource != "" && (err != nil || !secureURL(u) || u.Fragment != "") {
		v.errf("%s must be this server's https:// URL, e.g. https://opsctx.example.com/mcp", name)
	}
	if v.c.HTTP.AuthToken != "" || v.c.HTTP.AuthTokenFile != "" {
		v.errf("%s and %s are both set: use one sign-in, the static token or OAuth", v.n("http.auth_token"), v.n("http.oauth.issuer"))
	}
}

// secureURL accepts https URLs and http URLs on a loopback host.
func secureURL(u *url.URL) bool {
	if u.Host == "" {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	return u.Scheme == "http" && loopback.Host(u.Hostname())
}

// sources checks every instance of every kind: its name, then its settings, each error
// naming the instance's setting (sources.prometheus[eu-west-1].url, PROMETHEUS_EU_WEST_1_URL).
func (v *validator) sources() {
	s := &v.c.Sources
	for _, k := range sourceKeys {
		v.instanceNames(k.key, k.env)
	}
	for _, b := range s.CatalogFile {
		b.Paths = splitList(strings.Join(b.Paths, ","))
		if len(b.Paths) == 0 {
			v.errf("%s is empty: list catalog-info.yaml files or directories", v.n(InstancePath("catalog", b.Name)+".paths"))
		}
	}
	for _, b := range s.Backstage {
		p := InstancePath("backstage", b.Name)
		v.url(p, "backstage", &b.URL, "", "https://backstage.example.com")
		v.timeout(p, b.Timeout)
	}
	for _, b := range s.ServiceNow {
		v.serviceNow(b)
	}
	for _, b := range s.PagerDuty {
		p := InstancePath("pagerduty", b.Name)
		v.url(p, "pagerduty", &b.URL, DefaultPagerDutyURL, DefaultPagerDutyURL+" or https://api.eu.pagerduty.com")
		v.pagerDutyAuth(p, b)
		v.timeout(p, b.Timeout)
	}
	for _, b := range s.Opsgenie {
		p := InstancePath("opsgenie", b.Name)
		v.url(p, "opsgenie", &b.URL, DefaultOpsgenieURL, DefaultOpsgenieURL+" or https://api.eu.opsgenie.com")
		v.required(p+".api_key", b.APIKey, "Opsgenie needs an API key")
		v.timeout(p, b.Timeout)
	}
	for _, b := range s.JSM {
		v.jsm(b)
	}
	for _, b := range s.Dynatrace {
		p := InstancePath("dynatrace", b.Name)
		v.url(p, "dynatrace", &b.URL, "", "https://abc12345.live.dynatrace.com")
		v.dynatraceAuth(p, b)
		v.timeout(p, b.Timeout)
	}
	for _, b := range s.Prometheus {
		p := InstancePath("prometheus", b.Name)
		v.url(p, "prometheus", &b.URL, "", "http://prometheus:9090")
		v.auth(p, "prometheus", b.Username, b.Password, b.Token, false)
		v.labels(p, &b.Labels)
		v.timeout(p, b.Timeout)
	}
	for _, b := range s.Alertmanager {
		p := InstancePath("alertmanager", b.Name)
		v.url(p, "alertmanager", &b.URL, "", "http://alertmanager:9093")
		v.auth(p, "alertmanager", b.Username, b.Password, b.Token, false)
		v.labels(p, &b.Labels)
		v.timeout(p, b.Timeout)
	}
}

// instanceNames checks the names of a kind's instances: at most one unnamed, names that are
// valid and unique, also as they appear in variable names.
func (v *validator) instanceNames(key, env string) {
	f := v.c.blocks(key)
	seen, vars := map[string]bool{}, map[string]string{}
	for i := range f.Len() {
		b := f.Index(i).Elem().Field(0)
		name := strings.TrimSpace(b.String())
		b.SetString(name)
		switch {
		case name == "" && seen[""]:
			v.errf("sources.%s: more than one instance has no name: give each a name (e.g. name: eu-west-1), or set %s_INSTANCES", key, env)
		case name == "":
		case !instanceName(name):
			v.errf("%s: the instance name must be lower-case letters, digits, - and _ (at most 63, starting with a letter or digit), e.g. eu-west-1", InstancePath(key, name))
		case seen[name]:
			v.errf("%s: two instances have this name: names must be unique per source", InstancePath(key, name))
		case vars[envInfix(name)] != "":
			v.errf("%s: same variable names (%s) as instance %q: rename one", InstancePath(key, name), InstanceVar(env, name), vars[envInfix(name)])
		default:
			vars[envInfix(name)] = name
		}
		seen[name] = true
	}
}

// instanceName reports whether s is a valid instance name.
func instanceName(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || i > 0 && (r == '-' || r == '_')) {
			return false
		}
	}
	return true
}

// serviceNow checks a ServiceNow instance: URL, credentials, CI classes and row cap.
func (v *validator) serviceNow(b *ServiceNow) {
	p := InstancePath("servicenow", b.Name)
	v.url(p, "servicenow", &b.URL, "", "https://acme.service-now.com")
	v.serviceNowAuth(p, b)
	if len(b.CIClasses) == 0 {
		b.CIClasses = []string{DefaultServiceNowCIClass}
	}
	for _, cls := range b.CIClasses {
		if !tableName(cls) {
			v.errf("%s: each class must be a CMDB table name such as cmdb_ci_service (letters, digits, _)", v.n(p+".ci_classes"))
			break
		}
	}
	switch {
	case b.MaxRows == 0 && v.c.from[p+".max_rows"] == "":
		b.MaxRows = DefaultServiceNowMaxRows
	case b.MaxRows <= 0:
		v.errf("%s must be greater than 0 (default %d)", v.n(p+".max_rows"), DefaultServiceNowMaxRows)
	}
	switch {
	case b.Parallel == 0:
		b.Parallel = DefaultServiceNowParallel
	case b.Parallel < 1 || b.Parallel > 32:
		v.errf("%s must be between 1 and 32 (default %d)", v.n(p+".parallel"), DefaultServiceNowParallel)
	}
	v.timeout(p, b.Timeout)
}

// jsm checks the site (its URL or cloud id), the account e-mail, the API token and the
// gateway URL.
func (v *validator) jsm(b *JSM) {
	p := InstancePath("jsm", b.Name)
	v.url(p, "jsm", &b.URL, DefaultJSMURL, DefaultJSMURL)
	b.CloudID = strings.TrimSpace(b.CloudID)
	switch {
	case b.SiteURL != "":
		v.urlAt(p+".site_url", "jsm", &b.SiteURL, "", "https://acme.atlassian.net")
	case b.CloudID == "":
		v.errf("%s and %s are not set: JSM Operations needs the site, e.g. https://acme.atlassian.net, or its cloud id",
			v.n(p+".site_url"), v.n(p+".cloud_id"))
	}
	if b.CloudID != "" && !cloudID(b.CloudID) {
		v.errf("%s is not a cloud id: use the cloudId that https://<site>.atlassian.net/_edge/tenant_info shows, or set %s instead",
			v.n(p+".cloud_id"), v.n(p+".site_url"))
	}
	if b.Email = strings.TrimSpace(b.Email); b.Email == "" {
		v.errf("%s is not set: JSM Operations needs the e-mail of the Atlassian account the API token belongs to", v.n(p+".email"))
	}
	v.required(p+".api_token", b.APIToken, "JSM Operations needs an Atlassian API token (id.atlassian.com, Security, API tokens)")
	v.timeout(p, b.Timeout)
}

// cloudID reports whether s looks like a cloud id (letters, digits and dashes).
func cloudID(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// url defaults, trims and checks the base URL of the instance at path p of kind src.
func (v *validator) url(p, src string, u *string, def, example string) {
	v.urlAt(p+".url", src, u, def, example)
}

// urlAt defaults, trims and checks the URL setting at path. The value is never printed: a
// misplaced credential must not end up in an error.
func (v *validator) urlAt(path, src string, u *string, def, example string) {
	s := strings.TrimRight(strings.TrimSpace(*u), "/")
	if s == "" {
		s = def
	}
	*u = s
	if s == "" {
		v.errf("%s is not set: %s needs its base URL, e.g. %s", v.n(path), displayNames[src], example)
		return
	}
	p, err := url.Parse(s)
	switch {
	case err != nil:
		v.errf("%s is not a valid URL: use e.g. %s", v.n(path), example)
	case p.Scheme != "http" && p.Scheme != "https":
		v.errf("%s must start with https:// or http:// (e.g. %s)", v.n(path), example)
	case p.Host == "":
		v.errf("%s has no host: use e.g. %s", v.n(path), example)
	case p.User != nil:
		v.errf("%s must not contain user:password: remove them and set the credentials in their own settings", v.n(path))
	case p.RawQuery != "" || p.ForceQuery || p.Fragment != "":
		v.errf("%s must not contain a query or fragment: use the base URL, e.g. %s", v.n(path), example)
	}
}

// auth checks the basic-auth pair of the instance at path p and its exclusivity with a
// bearer token.
func (v *validator) auth(p, src, user string, pass, token Secret, required bool) {
	u, pw, tok := v.n(p+".username"), v.n(p+".password"), v.n(p+".token")
	switch {
	case token != "" && (user != "" || pass != ""):
		v.errf("%s and %s/%s are both set: use either the token or username and password", tok, u, pw)
	case user != "" && pass == "":
		v.errf("%s is set but %s is not: set both, or use %s", u, pw, tok)
	case user == "" && pass != "":
		v.errf("%s is set but %s is not: set both, or use %s", pw, u, tok)
	case required && user == "" && token == "":
		v.errf("%s has no credentials: set %s and %s, or %s", displayNames[src], u, pw, tok)
	}
}

// pagerDutyAuth checks that PagerDuty has a REST API key or a complete Scoped OAuth app (client
// id, secret and the account's subdomain), not both, and defaults the token URL.
func (v *validator) pagerDutyAuth(p string, b *PagerDuty) {
	n := func(k string) string { return v.n(p + "." + k) }
	oauth := b.ClientID != "" || b.ClientSecret != ""
	switch {
	case b.Token != "" && oauth:
		v.errf("%s and %s are both set: use the REST API key or the Scoped OAuth app", n("token"), n("client_id"))
	case oauth && (b.ClientID == "" || b.ClientSecret == "" || b.Subdomain == ""):
		v.errf("PagerDuty Scoped OAuth needs %s, %s and %s (the account's subdomain, as in acme.pagerduty.com)",
			n("client_id"), n("client_secret"), n("subdomain"))
	case !oauth && b.Token == "":
		v.errf("%s is not set: PagerDuty needs a REST API key, or a Scoped OAuth app (%s, %s, %s)",
			n("token"), n("client_id"), n("client_secret"), n("subdomain"))
	}
	if oauth && b.TokenURL == "" {
		b.TokenURL = DefaultPagerDutyTokenURL
	}
}

// dynatraceAuth checks that exactly one of Dynatrace's ways to sign in is configured, each
// complete: an API token (classic or platform), or an OAuth client (client_id, client_secret
// and the account URN its tokens are asked for).
func (v *validator) dynatraceAuth(p string, b *Dynatrace) {
	n := func(k string) string { return v.n(p + "." + k) }
	oauth := b.ClientID != "" || b.ClientSecret != "" || b.AccountURN != ""
	switch {
	case b.Token != "" && oauth:
		v.errf("%s and %s are both set: use an API token (classic or platform) or an OAuth client", n("token"), n("client_id"))
	case oauth && (b.ClientID == "" || b.ClientSecret == "" || b.AccountURN == ""):
		v.errf("a Dynatrace OAuth client needs %s, %s and %s (urn:dtaccount:<account-uuid>)", n("client_id"), n("client_secret"), n("account_urn"))
	case oauth && !strings.HasPrefix(b.AccountURN, "urn:dtaccount:") && !strings.HasPrefix(b.AccountURN, "urn:dtenvironment:"):
		v.errf("%s must be urn:dtaccount:<account-uuid> or urn:dtenvironment:<environment-id>, not %q", n("account_urn"), b.AccountURN)
	case !oauth && b.Token == "":
		v.errf("%s is not set: Dynatrace needs an API token (classic dt0c01.… or platform dt0s16.…), or an OAuth client (%s, %s, %s)",
			n("token"), n("client_id"), n("client_secret"), n("account_urn"))
	}
	if oauth && b.TokenURL == "" {
		b.TokenURL = DefaultDynatraceTokenURL
	}
}

// serviceNowAuth checks that exactly one of ServiceNow's ways to sign in is configured, each
// complete: OAuth (client_id and client_secret, with username and password for the password
// grant), basic (username and password), or a static token.
func (v *validator) serviceNowAuth(p string, b *ServiceNow) {
	n := func(k string) string { return v.n(p + "." + k) }
	id, sec, tok, user, pw := n("client_id"), n("client_secret"), n("token"), n("username"), n("password")
	oauth := b.ClientID != "" || b.ClientSecret != ""
	switch {
	case b.Token != "" && (oauth || b.Username != "" || b.Password != ""):
		v.errf("%s is set with other ServiceNow credentials: use the static token alone, or OAuth (%s and %s), or %s and %s",
			tok, id, sec, user, pw)
	case b.ClientID != "" && b.ClientSecret == "":
		v.errf("%s is set but %s is not: OAuth needs both", id, sec)
	case b.ClientID == "" && b.ClientSecret != "":
		v.errf("%s is set but %s is not: OAuth needs both", sec, id)
	case b.Username != "" && b.Password == "":
		v.errf("%s is set but %s is not: set both (with %s and %s for OAuth's password grant)", user, pw, id, sec)
	case b.Username == "" && b.Password != "":
		v.errf("%s is set but %s is not: set both (with %s and %s for OAuth's password grant)", pw, user, id, sec)
	case !oauth && b.Username == "" && b.Token == "":
		v.errf("ServiceNow has no credentials: set %s and %s (OAuth client credentials; add %s and %s for the password grant), "+
			"or %s and %s (basic auth), or %s", id, sec, user, pw, user, pw, tok)
	}
}

func (v *validator) required(path string, s Secret, why string) {
	if s == "" {
		v.errf("%s is not set: %s", v.n(path), why)
	}
}

func (v *validator) timeout(p string, d time.Duration) {
	if d < 0 {
		v.errf("%s must be positive (e.g. 5s)", v.n(p+".timeout"))
	}
}

// labels defaults and checks the alert label names of the instance at path p.
func (v *validator) labels(p string, l *Labels) {
	for _, f := range []struct {
		key string
		val *string
	}{{"service", &l.Service}, {"team", &l.Team}, {"severity", &l.Severity}} {
		if *f.val = strings.TrimSpace(*f.val); *f.val == "" {
			*f.val = f.key
		}
		if r := (*f.val)[0]; !tableName(*f.val) || r >= '0' && r <= '9' {
			v.errf("%s.labels.%s must be a label name (letters, digits, _), e.g. %s", p, f.key, f.key)
		}
	}
	for i, h := range l.Hosts {
		if l.Hosts[i] = strings.TrimSpace(h); l.Hosts[i] == "" || !tableName(l.Hosts[i]) || l.Hosts[i][0] >= '0' && l.Hosts[i][0] <= '9' {
			v.errf("%s.labels.hosts must list label names (letters, digits, _), e.g. [instance, node]", p)
			break
		}
	}
}

// displayNames maps a source's YAML key to its product name for messages.
var displayNames = map[string]string{
	"servicenow": "ServiceNow", "dynatrace": "Dynatrace", "pagerduty": "PagerDuty", "opsgenie": "Opsgenie", "jsm": "JSM Operations",
	"alertmanager": "Alertmanager", "prometheus": "Prometheus", "backstage": "Backstage", "catalog": "Catalog files",
}

// tableName reports whether s is a plain identifier (letters, digits, _).
func tableName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
