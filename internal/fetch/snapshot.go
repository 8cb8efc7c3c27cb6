package fetch

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/snapshot"
)

// errFromSnapshot is why a catalog from the snapshot on disk is served stale.
var errFromSnapshot = errors.New("from the snapshot on disk, while it is read again")

// seeds are the catalogs a fresh process loaded from its snapshot: each is served (stale,
// with its as_of) until the first fetch of its source succeeds.
type seeds struct {
	mu sync.Mutex
	m  map[string]model.Sourced[model.Catalog]
}

func (s *seeds) get(source string) (model.Sourced[model.Catalog], bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[source]
	return v, ok
}

func (s *seeds) drop(source string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, source)
}

// load reads every source's snapshot: catalogs become seeds, reference data goes back to
// its Keeper.
func (f *Fetcher) load() {
	f.seeds.m = map[string]model.Sourced[model.Catalog]{}
	if f.o.Snapshot == nil {
		return
	}
	for _, s := range f.o.Sources {
		e, ok := f.o.Snapshot.Load(s.Name())
		if !ok {
			continue
		}
		if _, isCat := s.(connectors.Catalog); isCat && e.Catalog != nil {
			f.seeds.m[s.Name()] = model.Sourced[model.Catalog]{Source: s.Name(), Value: *e.Catalog, AsOf: e.CatalogAsOf}
		}
		if k, isKeeper := s.(connectors.Keeper); isKeeper && len(e.Reference) > 0 {
			if err := k.Keep(e.Reference); err != nil {
				f.o.Logger.Warn("snapshot: reference data ignored", "source", s.Name(), "err", err)
			}
		}
	}
	if len(f.seeds.m) > 0 {
		f.o.Logger.Info("snapshot loaded", "catalogs", len(f.seeds.m), "dir", f.o.Snapshot.Dir())
	}
}

// entry returns what the snapshot of s holds now: its catalog (cat when set: one just read,
// not yet in the cache; else the cache's, else its seed) and the reference data it keeps.
func (f *Fetcher) entry(s connectors.Source, cat *model.Sourced[model.Catalog]) snapshot.Entry {
	var e snapshot.Entry
	if cat != nil {
		e.Catalog, e.CatalogAsOf = &cat.Value, cat.AsOf
	} else if v, info, ok := cache.Peek[model.Catalog](f.o.Cache, cache.KindCatalog, s.Name()+"|catalog"); ok {
		e.Catalog, e.CatalogAsOf = &v, info.AsOf
	} else if sd, ok := f.seeds.get(s.Name()); ok {
		e.Catalog, e.CatalogAsOf = &sd.Value, sd.AsOf
	}
	if k, ok := s.(connectors.Keeper); ok {
		if b, err := k.Kept(); err != nil {
			f.o.Logger.Warn("snapshot: reference data not saved", "source", s.Name(), "err", err)
		} else if string(b) != "{}" && string(b) != "null" {
			e.Reference, e.ReferenceAsOf = b, time.Now().UTC()
		}
	}
	return e
}

// save writes the snapshot of s in the background (Close waits for it); cat is a catalog
// just read, or nil.
func (f *Fetcher) save(s connectors.Source, cat *model.Sourced[model.Catalog]) {
	if f.o.Snapshot == nil {
		return
	}
	f.saving.Go(func() { f.write(s, cat) })
}

// saveCatalog saves s with the catalog it just read.
func (f *Fetcher) saveCatalog(s connectors.Source, v model.Catalog) {
	f.save(s, &model.Sourced[model.Catalog]{Source: s.Name(), Value: v, AsOf: f.o.Cache.Now()})
}

func (f *Fetcher) write(s connectors.Source, cat *model.Sourced[model.Catalog]) {
	if err := f.o.Snapshot.Save(s.Name(), f.entry(s, cat)); err != nil {
		f.o.Logger.Warn("snapshot not written", "source", s.Name(), "err", err)
	}
}

// refreshSeed reads a seeded catalog again in the background, through the cache, and drops
// the seed once it succeeds; a failure leaves the seed for the next answer to retry.
func (f *Fetcher) refreshSeed(ctx context.Context, s connectors.Catalog) {
	f.saving.Go(func() {
		_, info, err := cache.Fetch(context.WithoutCancel(ctx), f.o.Cache, cache.KindCatalog, s.Name()+"|catalog", f.loadCatalog(s, nil))
		if err != nil || info.Stale {
			f.o.Logger.Debug("catalog refresh after the snapshot failed", "source", s.Name(), "err", ErrorText(cmpErr(err, info.Err)))
		}
	})
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// Close waits (at most wait) for the snapshot writes and catalog refreshes under way, then
// writes every source's snapshot once more: what the sources keep now, which a one-shot
// command's answer filled.
func (f *Fetcher) Close(wait time.Duration) {
	done := make(chan struct{})
	go func() { f.saving.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
	}
	if f.o.Snapshot == nil {
		return
	}
	for _, s := range f.o.Sources {
		f.write(s, nil)
	}
}
