// Package app wires configuration to connectors and the join engine. It is the only place
// that knows which connector serves which configured source.
package app

import (
	"io/fs"
	"log/slog"
	"slices"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/catalogfile"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/sharedcache"
	"github.com/opsctx/opsctx/internal/snapshot"
)

// Options adjust wiring beyond the configuration.
type Options struct {
	// CatalogFS, when set, is where catalog file paths are read from (the embedded demo).
	CatalogFS fs.FS
	Logger    *slog.Logger
	// Now overrides the clock (tests).
	Now func() time.Time
	// OneShot is for one answer and exit: reference data is not warmed (engine.Options.NoWarm).
	OneShot bool
	// SnapshotDir, when set, is where each source's catalog and reference data are kept for
	// the next process (cfg.SnapshotDir() for the commands; unset in tests and the demo).
	SnapshotDir string
	// SignInAfresh signs in rather than taking a kept OAuth token (check: the sign-in is
	// what it verifies).
	SignInAfresh bool

	shared *sharedcache.Store // the cache replicas share (cfg.Cache.URL), set by Engine
	snap   *snapshot.Store    // the snapshot in SnapshotDir, set by Engine
}

// Sources builds every configured instance of every source kind, most trusted catalog
// first, and names the kinds that are not configured.
func Sources(cfg *config.Config, o Options) (enabled []connectors.Source, disabled []string) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	instances := cfg.Instances()
	for _, kind := range config.SourceNames() {
		if !slices.ContainsFunc(instances, func(in config.Instance) bool { return in.Kind == kind }) {
			disabled = append(disabled, kind)
		}
	}
	for _, in := range instances {
		if b := builders[in.Kind]; b != nil {
			enabled = append(enabled, b(cfg, in, o))
		} else {
			o.Logger.Warn("source configured but not supported by this build", "source", in.Name)
		}
	}
	return enabled, disabled
}

// builder constructs one source instance; each connector's wiring file (servicenow.go,
// pagerduty.go, ...) registers its builder in init.
type builder func(cfg *config.Config, in config.Instance, o Options) connectors.Source

var builders = map[string]builder{}

func init() {
	register(config.SourceCatalogFile, func(_ *config.Config, in config.Instance, c *config.CatalogFile, o Options) connectors.Source {
		return catalogfile.New(catalogfile.Options{Name: in.Name, Paths: c.Paths, FS: o.CatalogFS})
	})
}

// register sets the builder of a source kind whose instances' settings are a *T: it gets
// the instance (its name in answers, in.Name) and its settings.
func register[T any](kind string, b func(cfg *config.Config, in config.Instance, c *T, o Options) connectors.Source) {
	builders[kind] = func(cfg *config.Config, in config.Instance, o Options) connectors.Source {
		return b(cfg, in, in.Block.(*T), o)
	}
}

// Engine builds the join engine for cfg.
func Engine(cfg *config.Config, o Options) *engine.Engine {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ttls := map[cache.Kind]time.Duration{}
	for k, v := range cfg.CacheTTL {
		ttls[cache.Kind(k)] = v
	}
	keys := instanceKeys(cfg, o.Logger)
	o.shared = sharedCache(cfg, o, keys)
	o.snap = snapshots(cfg, o, keys)
	srcs, disabled := Sources(cfg, o)
	// A fetch that outlives its answer keeps running (to warm the cache) until the
	// slowest source's own timeout, plus slack for retries' bookkeeping.
	fetchTimeout := cfg.Deadline
	for _, s := range srcs {
		fetchTimeout = max(fetchTimeout, cfg.TimeoutFor(s.Name()))
	}
	return engine.New(engine.Options{
		Sources:  srcs,
		Disabled: disabled,
		Cache:    cache.New(cache.Options{TTLs: ttls, FetchTimeout: fetchTimeout + 2*time.Second, Now: o.Now, Shared: sharedCacheOf(o.shared)}),
		Deadline: cfg.Deadline,
		Aliases:  cfg.Aliases,
		Now:      o.Now,
		Logger:   o.Logger,
		NoWarm:   o.OneShot,
		// An answer talks to at most this many instances of one kind at once.
		InstanceConcurrency: cfg.InstanceConcurrency,
		Snapshot:            o.snap,
	})
}
