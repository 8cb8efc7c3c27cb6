package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCacheSettings: the snapshot directory defaults to the user cache directory's opsctx,
// is set by cache.dir or OPSCTX_CACHE_DIR and disabled by "off" or an empty cache.dir; the
// maximum age and the shared cache's URL are read from both too.
func TestCacheSettings(t *testing.T) {
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	tests := []struct {
		name, yaml string
		env        map[string]string
		dir        string
		maxAge     time.Duration
		url        string
	}{
		{name: "defaults", dir: filepath.Join(home, "opsctx"), maxAge: DefaultSnapshotMaxAge},
		{name: "env", env: map[string]string{"OPSCTX_CACHE_DIR": "/var/cache/x", "OPSCTX_CACHE_MAX_AGE": "3d", "OPSCTX_CACHE_URL": "redis://:pw@valkey:6379/0"},
			dir: "/var/cache/x", maxAge: 72 * time.Hour, url: "redis://:pw@valkey:6379/0"},
		{name: "file", yaml: "cache: {dir: /srv/opsctx, max_age: 2h, url: 'rediss://valkey:6380/1', alerts: 10s}\n",
			dir: "/srv/opsctx", maxAge: 2 * time.Hour, url: "rediss://valkey:6380/1"},
		{name: "off in env", env: map[string]string{"OPSCTX_CACHE_DIR": "off"}, maxAge: DefaultSnapshotMaxAge},
		{name: "off in file", yaml: "cache: {dir: 'OFF'}\n", maxAge: DefaultSnapshotMaxAge},
		{name: "empty in file", yaml: "cache: {dir: ''}\n", maxAge: DefaultSnapshotMaxAge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.yaml, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.SnapshotDir(); got != tc.dir {
				t.Errorf("SnapshotDir = %q, want %q", got, tc.dir)
			}
			if c.Cache.MaxAge != tc.maxAge || c.Cache.URL.Value() != tc.url {
				t.Errorf("max_age %v, url %q; want %v, %q", c.Cache.MaxAge, c.Cache.URL.Value(), tc.maxAge, tc.url)
			}
			if tc.name == "file" && c.CacheTTL["alerts"] != 10*time.Second {
				t.Errorf("cache.alerts beside the other settings: %v", c.CacheTTL["alerts"])
			}
		})
	}
}

// TestCacheURLInvalid: a cache URL that is not redis:// or rediss:// is an error that does
// not quote the URL (it may hold a password).
func TestCacheURLInvalid(t *testing.T) {
	for _, u := range []string{"http://:canary-pw@valkey:6379", "valkey:6379", "redis:///0"} {
		_, err := load(t, "", map[string]string{"OPSCTX_CACHE_URL": u})
		if err == nil || !strings.Contains(err.Error(), "OPSCTX_CACHE_URL is not a redis") || strings.Contains(err.Error(), "canary-pw") {
			t.Errorf("%s: error %v; want one naming OPSCTX_CACHE_URL without the password", u, err)
		}
	}
}
