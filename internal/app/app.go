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
	"github.com/opsctx/opsctx/internal/join"
)

// Options adjust wiring beyond the configuration.
type Options struct {
	// CatalogFS, when set, is where catalog file paths are read from (the embedded demo).
	CatalogFS fs.FS
	Logger    *slog.Logger
	// Now overrides the clock (tests).
	Now func() time.Time
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

func build(cfg *config.Config, name string, o Options) connectors.Source {
	switch name {
	case "catalogfile":
		return catalogfile.New(catalogfile.Options{Paths: cfg.Sources.CatalogFile.Paths, FS: o.CatalogFS})
	}
	return nil
}

// Engine builds the join engine for cfg.
func Engine(cfg *config.Config, o Options) *join.Engine {
	ttls := map[cache.Kind]time.Duration{}
	for k, v := range cfg.CacheTTL {
		ttls[cache.Kind(k)] = v
	}
	srcs, disabled := Sources(cfg, o)
	return join.New(join.Options{
		Sources:  srcs,
		Disabled: disabled,
		Cache:    cache.New(cache.Options{TTLs: ttls}),
		Deadline: cfg.Deadline,
		Aliases:  cfg.Aliases,
		Now:      o.Now,
		Logger:   o.Logger,
	})
}
