// Package cache is where opsctx keeps what it read from upstreams, in two forms:
//
//   - Cache holds the data of answers (catalogs, alerts, problems, incidents, changes,
//     on-call, SLOs) for a freshness TTL per data kind, shared by every answer. Concurrent
//     misses on the same key share one upstream call (singleflight) that outlives a caller
//     who leaves, and when a refresh fails the last good value is served marked stale
//     instead of an error.
//   - Memo is a connector's own keyed memory (reference data, listings one answer's
//     capabilities share, lookups by id): one fetch per key among concurrent callers, on the
//     caller's context, errors returned rather than served stale.
package cache

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"

	gocache "github.com/patrickmn/go-cache"
	"golang.org/x/sync/singleflight"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultMaxStale     = 24 * time.Hour
	DefaultFetchTimeout = 30 * time.Second
)

// sweepEvery bounds how often expired entries are purged (on writes).
const sweepEvery = time.Minute

// Options configures a Cache. The zero value is valid.
type Options struct {
	// TTLs overrides the freshness TTL per kind; missing kinds use DefaultTTLs.
	// A zero or negative TTL means values of that kind are never fresh (every
	// call refetches) but are still shared between concurrent callers and
	// served stale on failure. Kinds absent from both maps have TTL 0.
	TTLs map[Kind]time.Duration
	// MaxStale is how long after its fetch a last good value may still be
	// served stale when a refresh fails. Default DefaultMaxStale.
	MaxStale time.Duration
	// FetchTimeout bounds every upstream fetch. The fetch context keeps the
	// first caller's values but not its cancellation, so one caller leaving
	// does not abort a fetch others wait on; this timeout makes sure it still
	// ends. Default DefaultFetchTimeout.
	FetchTimeout time.Duration
	// Now returns the current time, for tests. Default time.Now.
	Now func() time.Time
	// Shared, when set, is the cache this process shares with others (replicas): values of
	// every kind are looked for there before a fetch, fetched by one process at a time, and
	// stored there for their TTL. This cache stays in front of it.
	Shared Shared
}

// Cache holds fetched values keyed by (kind, key). It is safe for concurrent
// use; use Fetch to read through it.
type Cache struct {
	items        *gocache.Cache
	group        singleflight.Group
	ttls         map[Kind]time.Duration
	maxStale     time.Duration
	fetchTimeout time.Duration
	now          func() time.Time
	shared       *sharing // nil without Options.Shared

	mu        sync.RWMutex // orders stores against Flush
	gen       uint64       // bumped by Flush; guarded by mu
	lastSweep atomic.Int64 // unix nanos of the last purge of expired entries
}

// New returns a Cache configured by o. It starts no goroutines.
func New(o Options) *Cache {
	c := &Cache{
		ttls:         DefaultTTLs(),
		maxStale:     o.MaxStale,
		fetchTimeout: o.FetchTimeout,
		now:          o.Now,
	}
	maps.Copy(c.ttls, o.TTLs)
	if _, ok := o.TTLs[KindWarm]; !ok {
		c.ttls[KindWarm] = c.ttls[KindCatalog] // warm once per catalog TTL
	}
	if c.maxStale <= 0 {
		c.maxStale = DefaultMaxStale
	}
	if c.fetchTimeout <= 0 {
		c.fetchTimeout = DefaultFetchTimeout
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.shared = newSharing(o.Shared, c.now, c.fetchTimeout)
	// No janitor goroutine: expired entries are purged by store instead.
	c.items = gocache.New(c.maxStale, 0)
	c.lastSweep.Store(time.Now().UnixNano())
	return c
}

// TTL returns how long a value of kind k stays fresh.
func (c *Cache) TTL(k Kind) time.Duration { return c.ttls[k] }

// Now returns the cache's clock: what AsOf is set from.
func (c *Cache) Now() time.Time { return c.now() }

// Flush drops all cached values. Fetches already in flight still answer
// their callers but do not store their results.
func (c *Cache) Flush() {
	c.mu.Lock()
	c.gen++
	c.items.Flush()
	c.mu.Unlock()
}

// generation returns the current Flush generation, for a later store.
func (c *Cache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// store keeps v under k unless Flush ran since generation gen. Entries are
// retained for MaxStale (or the kind's TTL if longer) so they can be served
// stale; freshness itself is judged from the entry's AsOf.
func (c *Cache) store(gen uint64, kind Kind, k string, v any) {
	keep := max(c.maxStale, c.TTL(kind))
	c.mu.RLock()
	if c.gen == gen {
		c.items.Set(k, v, keep)
	}
	c.mu.RUnlock()
	c.sweep()
}

// sweep purges expired entries at most once per sweepEvery. go-cache expires
// entries by wall clock, so this uses time.Now rather than Options.Now.
func (c *Cache) sweep() {
	now := time.Now().UnixNano()
	last := c.lastSweep.Load()
	if now-last < int64(sweepEvery) || !c.lastSweep.CompareAndSwap(last, now) {
		return
	}
	c.items.DeleteExpired()
}

// sharing reports whether values of kind go through the shared cache: every kind with a
// TTL.
func (c *Cache) sharing(kind Kind) bool {
	return c.shared != nil && c.TTL(kind) > 0
}
