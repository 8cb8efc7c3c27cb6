package fetch

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/model"
)

// Catalogs fetches every catalog concurrently. It returns when all have answered, when ctx
// is done, or a grace period after the first one answered: a slow catalog source then does
// not hold the answer back. It is reported as still loading, and its fetch goes on in the
// background (through the cache) for the next answer. It also starts the warmers.
func (r *Round) Catalogs(ctx context.Context) []model.Sourced[model.Catalog] {
	r.f.warm(ctx)
	c, b := r.f.o.Cache, r.b
	srcs := Capable[connectors.Catalog](r.f.o.Sources)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex // guards left, recorded and got: a catalog is either in time or late
		left     bool
		recorded = map[string]bool{}
		got      = map[string]model.Sourced[model.Catalog]{}
		start    = time.Now()
	)
	answered := make(chan bool, len(srcs)) // true when a catalog arrived in time
	for _, s := range srcs {
		if v, info, ok := cache.Fresh[model.Catalog](c, cache.KindCatalog, s.Name()+"|catalog"); ok { // no goroutine for a hit
			mu.Lock()
			recorded[s.Name()] = true
			b.record(s.Name(), "catalog", info, nil, 0, truncated(v))
			got[s.Name()] = model.Sourced[model.Catalog]{Source: s.Name(), Value: v, AsOf: info.AsOf}
			mu.Unlock()
			answered <- true
			continue
		}
		if sd, ok := r.f.seeds.get(s.Name()); ok { // from the snapshot: at once, while it is read again
			mu.Lock()
			recorded[s.Name()] = true
			b.record(s.Name(), "catalog", cache.Info{AsOf: sd.AsOf, Stale: true, Err: errFromSnapshot}, nil, 0, truncated(sd.Value))
			got[s.Name()] = sd
			mu.Unlock()
			answered <- true
			r.f.refreshSeed(ctx, s)
			continue
		}
		go func() {
			v, info, err := cache.Fetch(ctx, c, cache.KindCatalog, s.Name()+"|catalog", r.f.loadCatalog(s, r.lim))
			mu.Lock()
			inTime := !left
			if inTime {
				recorded[s.Name()] = true
				b.record(s.Name(), "catalog", info, err, time.Since(start), truncated(v))
				if err == nil {
					got[s.Name()] = model.Sourced[model.Catalog]{Source: s.Name(), Value: v, AsOf: info.AsOf}
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
				grace = time.After(r.f.o.Grace)
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
		if v, info, ok := cache.Peek[model.Catalog](c, cache.KindCatalog, s.Name()+"|catalog"); ok {
			info.Stale, info.Err = true, slow // the last good catalog, while the refresh goes on
			b.record(s.Name(), "catalog", info, nil, time.Since(start), truncated(v))
			got[s.Name()] = model.Sourced[model.Catalog]{Source: s.Name(), Value: v, AsOf: info.AsOf}
			continue
		}
		b.record(s.Name(), "catalog", cache.Info{}, fmt.Errorf("%w; answered without it", slow), time.Since(start), "")
	}
	out := make([]model.Sourced[model.Catalog], 0, len(got))
	for _, s := range srcs {
		if v, ok := got[s.Name()]; ok {
			out = append(out, v)
		}
	}
	return out
}

// loadCatalog returns the fetch of s's catalog (within lim's bound on its kind, when lim is
// set): stamped with its source, and saved to the snapshot when it succeeds.
func (f *Fetcher) loadCatalog(s connectors.Catalog, lim *limiter) func(context.Context) (model.Catalog, error) {
	return func(ctx context.Context) (model.Catalog, error) {
		if lim != nil {
			release, err := lim.acquire(ctx, s.Name())
			if err != nil {
				return model.Catalog{}, err
			}
			defer release()
		}
		v, err := s.Catalog(ctx)
		if err != nil {
			return model.Catalog{}, err
		}
		v = own(s.Name(), v)
		f.seeds.drop(s.Name())
		f.saveCatalog(s, v)
		return v, nil
	}
}

// warm starts every Warmer's Warm, at most once per catalog TTL (through the cache), and
// does not wait (Close does). It is detached from the answer (which may be over before the
// goroutine runs); the cache bounds the fetch by its FetchTimeout. What a Keeper warmed —
// and learnt from its catalog, which the warm waits for — goes through the cache as its Kept
// data, so that with a shared cache one replica warms and reads the catalog, and the others
// Keep what it read. The warm is keyed like the catalog (one subject, whose shared lock one
// replica takes for both): the replica that reads the catalog is the one that warms, so what
// the connector learns from its catalog is in the Kept data the others take.
func (f *Fetcher) warm(ctx context.Context) {
	if f.o.NoWarm {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, w := range Capable[connectors.Warmer](f.o.Sources) {
		if _, _, ok := cache.Fresh[json.RawMessage](f.o.Cache, cache.KindWarm, w.Name()+"|catalog"); ok {
			continue // warmed within the catalog TTL
		}
		f.saving.Go(func() {
			var warmed atomic.Bool
			data, _, err := cache.Fetch(ctx, f.o.Cache, cache.KindWarm, w.Name()+"|catalog", func(ctx context.Context) (json.RawMessage, error) {
				warmed.Store(true)
				if err := w.Warm(ctx); err != nil {
					return nil, err
				}
				if c, ok := w.(connectors.Catalog); ok { // what the source learns from its catalog is kept too
					_, _, _ = cache.Fetch(ctx, f.o.Cache, cache.KindCatalog, w.Name()+"|catalog", f.loadCatalog(c, nil))
				}
				f.save(w, nil)
				if k, ok := w.(connectors.Keeper); ok {
					return k.Kept()
				}
				return nil, nil
			})
			if k, ok := w.(connectors.Keeper); ok && err == nil && !warmed.Load() && len(data) > 0 {
				err = k.Keep(data) // another replica warmed it
			}
			if err != nil {
				f.o.Logger.Debug("warm failed", "source", w.Name(), "err", ErrorText(err))
			}
		})
	}
}

// truncated says why a catalog may be incomplete: the source had more rows than it reads.
func truncated(c model.Catalog) string {
	if !c.Truncated {
		return ""
	}
	return "may be incomplete: the source has more services or relations than it reads (its row or page cap)"
}
