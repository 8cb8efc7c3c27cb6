package app

import (
	"log/slog"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/sharedcache"
	"github.com/opsctx/opsctx/internal/snapshot"
)

// instanceKeys returns each source instance's key: a hash of its kind, name and settings
// (secrets redacted), the same in every process with the same configuration.
func instanceKeys(cfg *config.Config, log *slog.Logger) map[string]string {
	keys := map[string]string{}
	for _, in := range cfg.Instances() {
		k, err := snapshot.Key(in.Kind, in.Name, in.Block)
		if err != nil {
			log.Warn("source left out of the snapshot and the shared cache", "source", in.Name, "err", err)
			continue
		}
		keys[in.Name] = k
	}
	return keys
}

// snapshots returns the store of the sources' snapshots in o.SnapshotDir, nil when unset;
// local catalog files are left out (they are read from disk anyway).
func snapshots(cfg *config.Config, o Options, keys map[string]string) *snapshot.Store {
	if o.SnapshotDir == "" {
		return nil
	}
	ks := map[string]string{}
	for _, in := range cfg.Instances() {
		if in.Kind != config.SourceCatalogFile && keys[in.Name] != "" {
			ks[in.Name] = keys[in.Name]
		}
	}
	return snapshot.New(snapshot.Options{Dir: o.SnapshotDir, MaxAge: cfg.Cache.MaxAge, Keys: ks, Logger: o.Logger, Now: o.Now})
}

// sharedCache opens the cache replicas share at cfg.Cache.URL, nil when unset. Its keys are
// namespaced by the sources' keys together: replicas with the same sources share data and
// cool-downs, another configuration on the same Redis never sees them.
func sharedCache(cfg *config.Config, o Options, keys map[string]string) *sharedcache.Store {
	if cfg.Cache.URL.Value() == "" {
		return nil
	}
	var all []string
	for name, k := range keys {
		all = append(all, name+"="+k)
	}
	slices.Sort(all)
	ns, _ := snapshot.Key("sources", "", strings.Join(all, ","))
	s, err := sharedcache.Open(sharedcache.Options{URL: cfg.Cache.URL.Value(), Namespace: ns[:16], Logger: o.Logger})
	if err != nil {
		o.Logger.Warn("shared cache not used", "err", err)
		return nil
	}
	o.Logger.Info("shared cache", "addr", s.Addr())
	return s
}

// sharedCacheOf and sharedCooldowns return s as the interfaces cache and httpx take (a nil
// store as a nil interface, not a typed nil).
func sharedCacheOf(s *sharedcache.Store) cache.Shared {
	if s == nil {
		return nil
	}
	return s
}

func sharedCooldowns(s *sharedcache.Store) httpx.Cooldowns {
	if s == nil {
		return nil
	}
	return s
}
