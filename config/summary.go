package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
)

// String returns a human summary of the settings, one line per area. Secrets show as
// "[REDACTED]" (or "unset"); their values never appear.
func (c *Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "deadline=%s source_timeout=%s instance_concurrency=%d log_level=%s\n",
		formatDuration(c.Deadline), formatDuration(c.SourceTimeout), c.InstanceConcurrency, c.LogLevel)
	var cache []string
	for _, k := range cacheOrder(c.CacheTTL) {
		cache = append(cache, k+"="+formatDuration(c.CacheTTL[k]))
	}
	fmt.Fprintf(&b, "cache: %s\n", strings.Join(cache, " "))
	if len(c.Aliases) > 0 {
		var al []string
		for _, k := range sortedKeys(c.Aliases) {
			al = append(al, fmt.Sprintf("%s(%d)", k, len(c.Aliases[k])))
		}
		fmt.Fprintf(&b, "aliases: %s\n", strings.Join(al, " "))
	}
	h := c.HTTP
	fmt.Fprintf(&b, "http: addr=%s auth_token=%s", orNone(h.Addr), secretState(h.AuthToken))
	if h.AuthTokenFile != "" {
		fmt.Fprintf(&b, " auth_token_file=%s", h.AuthTokenFile)
	}
	if len(h.AllowedOrigins) > 0 {
		fmt.Fprintf(&b, " allowed_origins=%s", strings.Join(h.AllowedOrigins, ","))
	}
	b.WriteByte('\n')

	enabled := c.Enabled()
	var disabled []string
	for _, k := range sourceKeys {
		if c.blocks(k.key).Len() == 0 {
			disabled = append(disabled, k.name)
		}
	}
	fmt.Fprintf(&b, "sources: %s (disabled: %s)\n", orNone(strings.Join(enabled, ", ")), orNone(strings.Join(disabled, ", ")))
	for _, in := range c.Instances() {
		f := blockSummary(in.Block)
		if in.Kind != SourceCatalogFile {
			f = append(f, "timeout="+formatDuration(c.TimeoutFor(in.Name)))
		}
		fmt.Fprintf(&b, "  %s: %s\n", in.Name, strings.Join(f, " "))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// blockSummary lists an instance's settings, secrets as their state.
func blockSummary(block any) []string {
	switch x := block.(type) {
	case *CatalogFile:
		return []string{"paths=" + strings.Join(x.Paths, ",")}
	case *Backstage:
		return []string{"url=" + safeURL(x.URL), "token=" + secretState(x.Token)}
	case *ServiceNow:
		return []string{"url=" + safeURL(x.URL), "username=" + orNone(x.Username), "password=" + secretState(x.Password),
			"client_id=" + orNone(x.ClientID), "client_secret=" + secretState(x.ClientSecret), "token=" + secretState(x.Token),
			"ci_classes=" + strings.Join(x.CIClasses, ","), fmt.Sprintf("max_rows=%d", x.MaxRows)}
	case *PagerDuty:
		f := []string{"url=" + safeURL(x.URL), "token=" + secretState(x.Token)}
		if x.ClientID != "" {
			f = append(f, "client_id="+x.ClientID, "client_secret="+secretState(x.ClientSecret), "subdomain="+x.Subdomain)
		}
		return f
	case *Opsgenie:
		return []string{"url=" + safeURL(x.URL), "api_key=" + secretState(x.APIKey)}
	case *JSM:
		return []string{"url=" + safeURL(x.URL), "site_url=" + safeURL(x.SiteURL), "cloud_id=" + orNone(x.CloudID),
			"email=" + orNone(x.Email), "api_token=" + secretState(x.APIToken)}
	case *Dynatrace:
		f := []string{"url=" + safeURL(x.URL), "token=" + secretState(x.Token)}
		if x.ClientID != "" {
			f = append(f, "client_id="+x.ClientID, "client_secret="+secretState(x.ClientSecret), "account_urn="+x.AccountURN)
		}
		return f
	case *Prometheus:
		return []string{"url=" + safeURL(x.URL), "username=" + orNone(x.Username), "password=" + secretState(x.Password),
			"token=" + secretState(x.Token), "labels=" + labelsString(x.Labels)}
	case *Alertmanager:
		return []string{"url=" + safeURL(x.URL), "username=" + orNone(x.Username), "password=" + secretState(x.Password),
			"token=" + secretState(x.Token), "labels=" + labelsString(x.Labels)}
	}
	return nil
}

// LogValue makes slog log a short summary without secrets.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Duration("deadline", c.Deadline),
		slog.Duration("source_timeout", c.SourceTimeout),
		slog.String("log_level", c.LogLevel),
		slog.String("sources", strings.Join(c.Enabled(), ",")),
		slog.String("http_addr", c.HTTP.Addr),
		slog.Bool("http_auth", c.HTTP.AuthToken != ""),
	)
}

// SlogLevel returns LogLevel as a slog.Level (info when unset or unknown).
func (c *Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

func secretState(s Secret) string {
	if s == "" {
		return "unset"
	}
	return s.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func labelsString(l Labels) string {
	s := fmt.Sprintf("service:%s,team:%s,severity:%s", l.Service, l.Team, l.Severity)
	if len(l.Hosts) > 0 {
		s += ",hosts:" + strings.Join(l.Hosts, "+")
	}
	return s
}

// safeURL hides userinfo and query strings, which may carry credentials.
func safeURL(raw string) string {
	if raw == "" {
		return "none"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "[invalid URL]"
	}
	hadUser, hadQuery := u.User != nil, u.RawQuery != "" || u.Fragment != ""
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	s := u.String()
	if hadUser {
		s = strings.Replace(s, "//", "//[REDACTED]@", 1)
	}
	if hadQuery {
		s += "?[REDACTED]"
	}
	return s
}

// cacheOrder lists known kinds in CacheKinds order, then any others sorted.
func cacheOrder(m map[string]time.Duration) []string {
	var out []string
	for _, k := range CacheKinds() {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range sortedKeys(m) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
