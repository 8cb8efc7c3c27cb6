// Package fetch is the fan-out: it asks every enabled source that implements a capability,
// concurrently and through the cache, and keeps a status book per answer (status, as_of,
// latency and error per source). A slow or failing source is recorded, never fatal: its
// data is missing from the Facts and its reason is in the statuses.
//
// A source is one instance of a source kind ("prometheus", "prometheus/eu-west-1"): each
// has its own cache entries (keyed "<source name>|<what>", see key), status entry, client
// (rate-limit cool-down, pagination guards) and target view (model.Target.For); every item
// it returns is stamped with its name. A round talks to at most PerKind instances of one
// kind at once.
package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sourcegraph/conc/pool"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/snapshot"
)

// Options configure a Fetcher.
type Options struct {
	// Sources are the enabled sources, most trusted catalog first.
	Sources []connectors.Source
	// Disabled names the sources that are not configured (reported as "disabled").
	Disabled []string
	Cache    *cache.Cache
	// Grace is how long Catalogs waits for the other catalogs once the first has answered.
	Grace  time.Duration
	Logger *slog.Logger
	// NoWarm skips Warmer sources' Warm: for one answer and exit (the CLI's context and
	// check), where reference data would be fetched for nothing.
	NoWarm bool
	// PerKind bounds how many instances of one kind a round talks to at once (default
	// DefaultPerKind).
	PerKind int
	// Snapshot, when set, is where each source's catalog and reference data are saved after
	// they are read, and loaded from by New: a fresh process then answers at once from them
	// (catalogs marked stale with their as_of) while they are read again.
	Snapshot *snapshot.Store
}

// Fetcher fans out to the sources. It is safe for concurrent use; each answer starts its
// own Round.
type Fetcher struct {
	o      Options
	names  []string       // source names in order, for the statuses
	seeds  seeds          // catalogs from the snapshot not yet read again
	saving sync.WaitGroup // snapshot writes and seed refreshes under way
	last   lastSeen       // each source's status as the latest answer that asked it left it
}

// New returns a Fetcher; a nil Cache or Logger gets a default.
func New(o Options) *Fetcher {
	if o.Cache == nil {
		o.Cache = cache.New(cache.Options{})
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.PerKind <= 0 {
		o.PerKind = DefaultPerKind
	}
	f := &Fetcher{o: o}
	for _, s := range o.Sources {
		f.names = append(f.names, s.Name())
	}
	f.load()
	return f
}

// Sources returns the enabled sources.
func (f *Fetcher) Sources() []connectors.Source { return f.o.Sources }

// Disabled returns the names of sources that are not configured.
func (f *Fetcher) Disabled() []string { return f.o.Disabled }

// Round is one answer's fetching: the calls it makes and the status book they fill.
type Round struct {
	f   *Fetcher
	b   *book
	lim *limiter
	env Environment // narrows per-service fetches (Within)
}

// Begin starts the fetching of one answer.
func (f *Fetcher) Begin() *Round {
	return &Round{f: f, b: newBook(&f.last), lim: newLimiter(f.o.PerKind)}
}

// LastSeen returns, in source order, the status of each enabled source as the latest
// answer that asked it left it (its worst call in that answer, as of its oldest data), and
// nothing for a source no answer has asked yet.
func (f *Fetcher) LastSeen() []model.SourceStatus {
	f.last.mu.Lock()
	defer f.last.mu.Unlock()
	var out []model.SourceStatus
	for _, n := range f.names {
		if s, ok := f.last.m[n]; ok {
			out = append(out, s)
		}
	}
	return out
}

// Statuses returns the status of every source this round asked, in source order, followed
// by the disabled sources: the `sources` of an answer.
// Sources outside the round's environment that were not asked are reported as skipped.
func (r *Round) Statuses() []model.SourceStatus {
	st := r.b.statuses(r.f.names, r.f.o.Disabled)
	if len(r.env) == 0 {
		return st
	}
	in := r.selected(r.f.names)
	for _, n := range r.f.names {
		if !in(n) && !slices.ContainsFunc(st, func(s model.SourceStatus) bool { return s.Name == n }) {
			st = append(st, model.SourceStatus{Name: n, Status: model.StateSkipped,
				Error: "not in environment " + strings.Join(r.env, ", ")})
		}
	}
	return st
}

// Asked returns the status of every source this round asked so far, in source order.
func (r *Round) Asked() []model.SourceStatus { return r.b.statuses(r.f.names, nil) }

// Capable returns the sources implementing capability T, in source order.
func Capable[T any](srcs []connectors.Source) []T {
	var out []T
	for _, s := range srcs {
		if c, ok := s.(T); ok {
			out = append(out, c)
		}
	}
	return out
}

// partial is a source's value as cached: with why a listing in it may be incomplete, if so.
type partial[T any] struct {
	v          T
	incomplete string
}

// partialJSON is a partial in the shared cache.
type partialJSON[T any] struct {
	V          T      `json:"v"`
	Incomplete string `json:"incomplete,omitempty"`
}

// MarshalJSON encodes the value with its reason.
func (p partial[T]) MarshalJSON() ([]byte, error) {
	return json.Marshal(partialJSON[T]{p.v, p.incomplete})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (p *partial[T]) UnmarshalJSON(b []byte) error {
	var j partialJSON[T]
	err := json.Unmarshal(b, &j)
	p.v, p.incomplete = j.V, j.Incomplete
	return err
}

// all calls call on every source concurrently through the cache (at most PerKind instances
// of a kind at once) and returns the values of those that answered (fresh or stale), each
// stamped with its source, in source order. Each call leaves at ctx's deadline. A call that
// returns a *connectors.Incomplete with its values answered: the values are kept and cached
// with the reason, and the source's status says the listing may be incomplete.
func all[S connectors.Source, T any](ctx context.Context, r *Round, srcs []S, kind cache.Kind, key, what string,
	call func(context.Context, S) (T, error)) []model.Sourced[T] {
	if len(srcs) == 0 {
		return nil
	}
	c, b := r.f.o.Cache, r.b
	var mu sync.Mutex
	got := map[string]model.Sourced[T]{}
	p := pool.New().WithMaxGoroutines(len(srcs))
	for _, s := range srcs {
		if v, info, ok := cache.Fresh[partial[T]](c, kind, s.Name()+"|"+key); ok { // a hit needs no goroutine
			b.record(s.Name(), what, info, nil, 0, v.incomplete)
			mu.Lock() // goroutines of earlier misses may be storing theirs
			got[s.Name()] = model.Sourced[T]{Source: s.Name(), Value: v.v, AsOf: info.AsOf}
			mu.Unlock()
			continue
		}
		p.Go(func() {
			start := time.Now()
			v, info, err := cache.Fetch(ctx, c, kind, s.Name()+"|"+key, func(ctx context.Context) (partial[T], error) {
				release, err := r.lim.acquire(ctx, s.Name())
				if err != nil {
					return partial[T]{}, err
				}
				defer release()
				v, err := call(ctx, s)
				if inc := (*connectors.Incomplete)(nil); errors.As(err, &inc) {
					return partial[T]{v: own(s.Name(), v), incomplete: inc.Error()}, nil // the rows that were read are kept
				}
				return partial[T]{v: own(s.Name(), v)}, err
			})
			b.record(s.Name(), what, info, err, time.Since(start), v.incomplete)
			if err != nil {
				r.f.o.Logger.Debug("source failed", "source", s.Name(), "what", what, "err", ErrorText(err))
				return
			}
			mu.Lock()
			got[s.Name()] = model.Sourced[T]{Source: s.Name(), Value: v.v, AsOf: info.AsOf}
			mu.Unlock()
		})
	}
	p.Wait()
	out := make([]model.Sourced[T], 0, len(got))
	for _, s := range srcs {
		if v, ok := got[s.Name()]; ok {
			out = append(out, v)
		}
	}
	return out
}
