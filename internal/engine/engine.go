// Package engine answers the tools' questions: for each one it resolves the input to a
// service in the directory, has fetch gather only the kinds of data that answer needs, and
// has answer assemble the result. It owns the directory's life (rebuilt when a catalog
// changes, in the background for big catalogs) and the per-answer deadline.
package engine

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
	"github.com/opsctx/opsctx/internal/snapshot"
)

// DefaultDeadline bounds every answer.
const DefaultDeadline = 8 * time.Second

// Options configure an Engine.
type Options struct {
	// Sources are the enabled sources, most trusted catalog first.
	Sources []connectors.Source
	// Disabled names the sources that are not configured (reported as "disabled").
	Disabled []string
	Cache    *cache.Cache
	// Deadline bounds every answer; default DefaultDeadline.
	Deadline time.Duration
	// Aliases maps canonical service names to other names.
	Aliases map[string][]string
	Now     func() time.Time
	Logger  *slog.Logger
	// Thresholds are the SLO burn-rate alert thresholds; default slo.DefaultThresholds.
	Thresholds slo.Thresholds
	// NoWarm skips Warmer sources' Warm: for one answer and exit (the CLI's context and
	// check), where reference data would be fetched for nothing.
	NoWarm bool
	// InstanceConcurrency bounds how many instances of one source kind an answer talks to
	// at once (default fetch.DefaultPerKind).
	InstanceConcurrency int
	// Snapshot, when set, keeps each source's catalog and reference data on disk for the
	// next process (fetch.Options.Snapshot); Close writes it a last time.
	Snapshot *snapshot.Store
}

// Engine answers queries by fanning out to sources.
type Engine struct {
	o Options
	f *fetch.Fetcher

	mu       sync.Mutex
	dir      *directory.Directory
	dirStamp string // the catalogs (source and as_of) dir was built from
	building string // the catalogs a background rebuild is building from ("" = none)
}

// AsyncRebuildAbove is the directory size (entities) above which a catalog refresh rebuilds
// the directory in the background while answers keep using the previous one: at 50k
// services a build takes about a second, which every caller would otherwise wait for.
const AsyncRebuildAbove = 5000

// New returns an engine.
func New(o Options) *Engine {
	if o.Deadline <= 0 {
		o.Deadline = DefaultDeadline
	}
	if o.Cache == nil {
		o.Cache = cache.New(cache.Options{})
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Thresholds == (slo.Thresholds{}) {
		o.Thresholds = slo.DefaultThresholds()
	}
	f := fetch.New(fetch.Options{Sources: o.Sources, Disabled: o.Disabled, Cache: o.Cache, Grace: o.Deadline / 4,
		Logger: o.Logger, NoWarm: o.NoWarm, PerKind: o.InstanceConcurrency, Snapshot: o.Snapshot})
	return &Engine{o: o, f: f}
}

// Close waits, at most a deadline, for the catalog reads and snapshot writes under way and
// writes the snapshot a last time. The engine still answers after Close.
func (e *Engine) Close() { e.f.Close(e.o.Deadline) }

// Sources returns the enabled sources.
func (e *Engine) Sources() []connectors.Source { return e.o.Sources }

// Disabled returns the names of sources that are not configured.
func (e *Engine) Disabled() []string { return e.o.Disabled }

// LastSeen returns, in source order, the status of each enabled source as the latest answer
// that asked it left it; nothing for a source no answer has asked yet.
func (e *Engine) LastSeen() []model.SourceStatus { return e.f.LastSeen() }

// Deadline returns the answer deadline.
func (e *Engine) Deadline() time.Duration { return e.o.Deadline }

// directory returns the merged catalog of the catalog sources, rebuilt only when a source's
// data changed.
func (e *Engine) directory(ctx context.Context, r *fetch.Round) *directory.Directory {
	cats := r.Catalogs(ctx)
	var in []directory.SourceCatalog
	var stamp strings.Builder
	for _, c := range cats {
		in = append(in, directory.SourceCatalog{Source: c.Source, Catalog: c.Value})
		stamp.WriteString(c.Source)
		stamp.WriteString(c.AsOf.String())
		stamp.WriteByte('|')
	}
	st := stamp.String()
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.dir != nil && (e.dirStamp == st || e.building == st):
		return e.dir
	case e.dir != nil && len(e.dir.Entities) > AsyncRebuildAbove:
		if e.building == "" { // one build at a time; newer catalogs are picked up by the next call
			e.building = st
			go e.rebuild(in, st)
		}
		return e.dir
	}
	e.dir, e.dirStamp = directory.Build(in, e.o.Aliases), st
	return e.dir
}

// rebuild builds the directory from refreshed catalogs and swaps it in.
func (e *Engine) rebuild(in []directory.SourceCatalog, stamp string) {
	d := directory.Build(in, e.o.Aliases)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dir, e.dirStamp, e.building = d, stamp, ""
}

// Directory fetches every catalog (through the cache, under the deadline) and returns the
// merged directory with the sources' statuses.
func (e *Engine) Directory(ctx context.Context) (*directory.Directory, []model.SourceStatus) {
	ctx, cancel := context.WithTimeout(ctx, e.o.Deadline)
	defer cancel()
	r := e.begin(ctx)
	d := e.directory(ctx, r)
	return d, r.Statuses()
}

// start begins an answer: a deadline-bound context, a fetch round and the directory, with
// the catalogs limited to half the deadline.
func (e *Engine) start(ctx context.Context) (context.Context, context.CancelFunc, *fetch.Round, *directory.Directory) {
	ctx, cancel := context.WithTimeout(ctx, e.o.Deadline)
	r := e.begin(ctx)
	pctx, pcancel := context.WithTimeout(ctx, e.o.Deadline/2)
	d := e.directory(pctx, r)
	pcancel()
	return ctx, cancel, r, d
}

// window returns [now-since, now].
func (e *Engine) window(since time.Duration) (time.Time, time.Time) {
	now := e.o.Now().UTC()
	return now.Add(-since), now
}
