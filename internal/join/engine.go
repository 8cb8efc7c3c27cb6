// Package join is the engine: it fans out to every enabled source concurrently under one
// deadline, resolves which records describe the same service, correlates alerts, problems
// and changes, and assembles the answers the tools return. It sees only internal/model and
// the capability interfaces of connectors; it knows no vendor API and nothing about MCP.
package join

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/metrics"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
	"github.com/opsctx/opsctx/internal/slo"
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
}

// Engine answers queries by fanning out to sources.
type Engine struct {
	o Options

	mu       sync.Mutex
	dir      *Directory
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
	return &Engine{o: o}
}

// Sources returns the enabled sources.
func (e *Engine) Sources() []connectors.Source { return e.o.Sources }

// Disabled returns the names of sources that are not configured.
func (e *Engine) Disabled() []string { return e.o.Disabled }

// Deadline returns the answer deadline.
func (e *Engine) Deadline() time.Duration { return e.o.Deadline }

// capable returns the sources implementing capability T, in source order.
func capable[T any](srcs []connectors.Source) []T {
	var out []T
	for _, s := range srcs {
		if c, ok := s.(T); ok {
			out = append(out, c)
		}
	}
	return out
}

// sourced is one source's value and when it was fetched from the upstream.
type sourced[T any] struct {
	Source string
	Value  T
	AsOf   time.Time
}

// book collects per-source status across the calls of one answer.
type book struct {
	mu    sync.Mutex
	m     map[string]*model.SourceStatus
	order []string
}

func newBook() *book { return &book{m: map[string]*model.SourceStatus{}} }

var rank = map[model.SourceState]int{model.StateOK: 1, model.StateStale: 2, model.StateError: 3}

func (b *book) record(source, what string, info cache.Info, err error, d time.Duration) {
	st, msg := model.StateOK, ""
	switch {
	case err != nil:
		st, msg = model.StateError, errorText(err)
	case info.Stale:
		st, msg = model.StateStale, "serving data from "+info.AsOf.UTC().Format(time.RFC3339)+" (refresh: "+errorText(info.Err)+")"
	}
	metrics.ObserveSource(source, string(st), d)
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.m[source]
	if s == nil {
		s = &model.SourceStatus{Name: source, Status: st}
		b.m[source] = s
		b.order = append(b.order, source)
	}
	if rank[st] > rank[s.Status] {
		s.Status = st
	}
	if ms := d.Milliseconds(); ms > s.LatencyMS {
		s.LatencyMS = ms
	}
	if !info.AsOf.IsZero() && (s.AsOf.IsZero() || info.AsOf.Before(s.AsOf)) {
		s.AsOf = info.AsOf
	}
	if msg != "" {
		msg = what + ": " + msg
		if s.Error == "" {
			s.Error = msg
		} else if !strings.Contains(s.Error, msg) {
			s.Error += "; " + msg
		}
	}
}

// statuses returns the collected statuses in source order, followed by disabled sources.
func (b *book) statuses(order []connectors.Source, disabled []string) []model.SourceStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []model.SourceStatus
	for _, s := range order {
		if st := b.m[s.Name()]; st != nil {
			out = append(out, *st)
		}
	}
	for _, n := range disabled {
		out = append(out, model.SourceStatus{Name: n, Status: model.StateDisabled})
	}
	return out
}

// errorText makes an upstream error fit for an answer.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within the deadline"
	case errors.Is(err, context.Canceled):
		return "request cancelled"
	}
	return sanitize.Text(err.Error(), 400)
}

// fetchAll calls call on every source concurrently through the cache and returns the values
// of those that answered (fresh or stale), in source order. Each call leaves at ctx's deadline.
func fetchAll[S connectors.Source, T any](ctx context.Context, e *Engine, b *book, srcs []S, kind cache.Kind, key, what string,
	call func(context.Context, S) (T, error)) []sourced[T] {
	if len(srcs) == 0 {
		return nil
	}
	var mu sync.Mutex
	got := map[string]sourced[T]{}
	p := pool.New().WithMaxGoroutines(len(srcs))
	for _, s := range srcs {
		if v, info, ok := cache.Fresh[T](e.o.Cache, kind, s.Name()+"|"+key); ok { // a hit needs no goroutine
			b.record(s.Name(), what, info, nil, 0)
			mu.Lock() // goroutines of earlier misses may be storing theirs
			got[s.Name()] = sourced[T]{Source: s.Name(), Value: v, AsOf: info.AsOf}
			mu.Unlock()
			continue
		}
		p.Go(func() {
			start := time.Now()
			v, info, err := cache.Fetch(ctx, e.o.Cache, kind, s.Name()+"|"+key, func(ctx context.Context) (T, error) {
				return call(ctx, s)
			})
			b.record(s.Name(), what, info, err, time.Since(start))
			if err != nil {
				e.o.Logger.Debug("source failed", "source", s.Name(), "what", what, "err", errorText(err))
				return
			}
			mu.Lock()
			got[s.Name()] = sourced[T]{Source: s.Name(), Value: v, AsOf: info.AsOf}
			mu.Unlock()
		})
	}
	p.Wait()
	out := make([]sourced[T], 0, len(got))
	for _, s := range srcs {
		if v, ok := got[s.Name()]; ok {
			out = append(out, v)
		}
	}
	return out
}

// catalogs fetches every catalog concurrently. It returns when all have answered, when ctx
// is done, or a grace period after the first one answered: a slow catalog source then does
// not hold the answer back. It is reported as still loading, and its fetch goes on in the
// background (through the cache) for the next answer.
func (e *Engine) catalogs(ctx context.Context, b *book) []sourced[model.Catalog] {
	e.warm(ctx)
	srcs := capable[connectors.Catalog](e.o.Sources)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex // guards left, recorded and got: a catalog is either in time or late
		left     bool
		recorded = map[string]bool{}
		got      = map[string]sourced[model.Catalog]{}
		start    = time.Now()
	)
	answered := make(chan bool, len(srcs)) // true when a catalog arrived in time
	for _, s := range srcs {
		if v, info, ok := cache.Fresh[model.Catalog](e.o.Cache, cache.KindCatalog, s.Name()+"|catalog"); ok { // no goroutine for a hit
			mu.Lock()
			recorded[s.Name()] = true
			b.record(s.Name(), "catalog", info, nil, 0)
			got[s.Name()] = sourced[model.Catalog]{Source: s.Name(), Value: v, AsOf: info.AsOf}
			mu.Unlock()
			answered <- true
			continue
		}
		go func() {
			v, info, err := cache.Fetch(ctx, e.o.Cache, cache.KindCatalog, s.Name()+"|catalog", s.Catalog)
			mu.Lock()
			inTime := !left
			if inTime {
				recorded[s.Name()] = true
				b.record(s.Name(), "catalog", info, err, time.Since(start))
				if err == nil {
					got[s.Name()] = sourced[model.Catalog]{Source: s.Name(), Value: v, AsOf: info.AsOf}
				}
			}
			mu.Unlock()
			answered <- inTime && err == nil
		}()
	}
	var grace <-chan time.Time
	pending := len(srcs)
	for pending > 0 {
		select {
		case ok := <-answered:
			pending--
			if ok && grace == nil {
				grace = time.After(e.o.Deadline / 4)
			}
			continue
		case <-grace:
		case <-ctx.Done():
		}
		break
	}
	mu.Lock()
	defer mu.Unlock()
	left = true
	for _, s := range srcs {
		if recorded[s.Name()] {
			continue
		}
		slow := fmt.Errorf("still loading after %s", time.Since(start).Round(time.Millisecond))
		if v, info, ok := cache.Peek[model.Catalog](e.o.Cache, cache.KindCatalog, s.Name()+"|catalog"); ok {
			info.Stale, info.Err = true, slow // the last good catalog, while the refresh goes on
			b.record(s.Name(), "catalog", info, nil, time.Since(start))
			got[s.Name()] = sourced[model.Catalog]{Source: s.Name(), Value: v, AsOf: info.AsOf}
			continue
		}
		b.record(s.Name(), "catalog", cache.Info{}, fmt.Errorf("%w; answered without it", slow), time.Since(start))
	}
	out := make([]sourced[model.Catalog], 0, len(got))
	for _, s := range srcs {
		if v, ok := got[s.Name()]; ok {
			out = append(out, v)
		}
	}
	return out
}

// warm starts every Warmer's Warm, at most once per catalog TTL (through the cache), and
// does not wait. It is detached from the answer (which may be over before the goroutine
// runs); the cache bounds the fetch by its FetchTimeout.
func (e *Engine) warm(ctx context.Context) {
	if e.o.NoWarm {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, w := range capable[connectors.Warmer](e.o.Sources) {
		if _, _, ok := cache.Fresh[struct{}](e.o.Cache, cache.KindCatalog, w.Name()+"|warm"); ok {
			continue // warmed within the catalog TTL
		}
		go func() {
			_, _, err := cache.Fetch(ctx, e.o.Cache, cache.KindCatalog, w.Name()+"|warm", func(ctx context.Context) (struct{}, error) {
				return struct{}{}, w.Warm(ctx)
			})
			if err != nil {
				e.o.Logger.Debug("warm failed", "source", w.Name(), "err", errorText(err))
			}
		}()
	}
}

// directory returns the merged catalog of the catalog sources, rebuilt only when a source's
// data changed.
func (e *Engine) directory(ctx context.Context, b *book) *Directory {
	cats := e.catalogs(ctx, b)
	var in []SourceCatalog
	var stamp strings.Builder
	for _, c := range cats {
		in = append(in, SourceCatalog{Source: c.Source, Catalog: c.Value})
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
	e.dir, e.dirStamp = Build(in, e.o.Aliases), st
	return e.dir
}

// rebuild builds the directory from refreshed catalogs and swaps it in.
func (e *Engine) rebuild(in []SourceCatalog, stamp string) {
	d := Build(in, e.o.Aliases)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dir, e.dirStamp, e.building = d, stamp, ""
}

// Directory fetches every catalog (through the cache, under the deadline) and returns the
// merged directory with the sources' statuses.
func (e *Engine) Directory(ctx context.Context) (*Directory, []model.SourceStatus) {
	ctx, cancel := context.WithTimeout(ctx, e.o.Deadline)
	defer cancel()
	b := newBook()
	d := e.directory(ctx, b)
	return d, b.statuses(e.o.Sources, e.o.Disabled)
}

// sortStrings returns a sorted copy.
func sortStrings(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}
