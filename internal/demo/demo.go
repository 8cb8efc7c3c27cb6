// Package demo is the embedded demo environment: one online-shop scenario, defined once,
// served by the shared fakes on 127.0.0.1 in each vendor's real API format. `--demo` points
// every connector at it, and tests and benchmarks use the same scenario.
package demo

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"time"

	"github.com/opsctx/opsctx/config"
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
	// Scenario is the story the fakes serve.
	Scenario Scenario
	// Servers are the running vendor fakes, by source name.
	Servers map[string]*fake.Server
}

// starter starts one vendor's fake for the scenario and points cfg at it.
type starter func(s Scenario, cfg *config.Config) (*fake.Server, error)

// starters are registered by each vendor's demo file (servicenow.go, pagerduty.go, ...).
var starters = map[string]starter{}

// register adds a vendor's starter; called from init in the vendor's demo file.
func register(source string, f starter) { starters[source] = f }

// Start starts the demo fakes and returns a configuration that uses them. The caller must Close it.
func Start(ctx context.Context) (*Env, error) {
	return StartAt(ctx, time.Now())
}

// StartAt is Start with a chosen T0 (tests).
func StartAt(ctx context.Context, t0 time.Time) (*Env, error) {
	return StartScenario(ctx, Scenario{T0: t0})
}

// StartScenario starts the demo with a variation of the story (see Scenario.Edit).
func StartScenario(ctx context.Context, sc Scenario) (*Env, error) {
	cfg := config.Default()
	cfg.Sources.CatalogFile = []*config.CatalogFile{{Paths: []string{"."}}}
	sc.T0 = sc.T0.UTC()
	env := &Env{Config: cfg, CatalogFS: sc.CatalogFS(), Start: sc.T0, Scenario: sc, Servers: map[string]*fake.Server{}}
	names := make([]string, 0, len(starters))
	for n := range starters {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		srv, err := starters[n](sc, cfg)
		if err != nil {
			env.Close()
			return nil, fmt.Errorf("demo %s: %w", n, err)
		}
		env.Servers[n] = srv
	}
	return env, nil
}

// Close stops every fake.
func (e *Env) Close() {
	for _, s := range e.Servers {
		s.Close()
	}
}
