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
}

// Sources builds every enabled source, most trusted catalog first, and names the disabled ones.
func Sources(cfg *config.Config, o Options) (enabled []connectors.Source, disabled []string) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	on := cfg.Enabled()
	for _, name := range config.SourceNames() {
		if !slices.Contains(on, name) {
			disabled = append(disabled, name)
			continue
		}
		if s := build(cfg, name, o); s != nil {
			enabled = append(enabled, s)
		} else {
			disabled = append(disabled, name) // configured, but no connector in this build yet
			o.Logger.Warn("source configured but not supported by this build", "source", name)
		}
	}
	return enabled, disabled
}

// builder constructs one source from the configuration; each connector's wiring file
// (servicenow.go, pagerduty.go, ...) registers its builder in init.
type builder func(cfg *config.Config, o Options) connectors.Source

var builders = map[string]builder{
	"catalogfile": func(cfg *config.Config, o Options) connectors.Source {
		return catalogfile.New(catalogfile.Options{Paths: cfg.Sources.CatalogFile.Paths, FS: o.CatalogFS})
	},
}

func register(name string, b builder) { builders[name] = b }

func build(cfg *config.Config, name string, o Options) connectors.Source {
	if b := builders[name]; b != nil {
		return b(cfg, o)
	}
	return nil
}

// Engine builds the join engine for cfg.
func Engine(cfg *config.Config, o Options) *engine.Engine {
	ttls := map[cache.Kind]time.Duration{}
	for k, v := range cfg.CacheTTL {
		ttls[cache.Kind(k)] = v
	}
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
		Cache:    cache.New(cache.Options{TTLs: ttls, FetchTimeout: fetchTimeout + 2*time.Second, Now: o.Now}),
		Deadline: cfg.Deadline,
		Aliases:  cfg.Aliases,
		Now:      o.Now,
		Logger:   o.Logger,
		NoWarm:   o.OneShot,
	})
}
