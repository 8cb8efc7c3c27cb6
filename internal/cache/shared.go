package cache

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"
)

// Shared is a cache that several processes share, such as the replicas of one deployment
// (internal/sharedcache keeps it in Redis or Valkey): values as bytes with when they were
// fetched, and a lock per key. A Cache with Options.Shared looks there before it fetches,
// takes the key's lock so that one process fetches while the others wait for its value, and
// stores what it fetched. A failing Shared is bypassed: the value is fetched directly.
type Shared interface {
	// Get returns the value stored under key and when it was fetched; ok is false when
	// there is none.
	Get(ctx context.Context, key string) (data []byte, asOf time.Time, ok bool, err error)
	// Set stores data, fetched at asOf, under key for ttl.
	Set(ctx context.Context, key string, data []byte, asOf time.Time, ttl time.Duration) error
	// Lock takes key's lock for at most ttl; ok is false when another process holds it.
	// release gives it back.
	Lock(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool, err error)
}

// sharedPoll is how often a process waiting for another's fetch looks for its value.
const sharedPoll = 20 * time.Millisecond

// sharing reports whether values of kind go through the shared cache: every kind with a
// TTL.
func (c *Cache) sharing(kind Kind) bool {
	return c.shared != nil && c.TTL(kind) > 0
}

// awaitShared returns a fresh value of k that another process stored, waiting for it while
// another process holds k's lock. Otherwise it returns the lock's release (the caller
// fetches, then calls putShared and release), or the Shared's failure (the caller fetches
// without it).
func awaitShared[T any](ctx context.Context, c *Cache, kind Kind, k string) (e *entry[T], release func(), err error) {
	release = func() {}
	for {
		b, asOf, ok, err := c.shared.Get(ctx, k)
		if err != nil {
			return nil, release, err
		}
		if ok && c.now().Sub(asOf) < c.TTL(kind) {
			var v T
			if json.Unmarshal(b, &v) == nil { // else written in another shape: fetch it again
				return &entry[T]{v: v, asOf: asOf}, release, nil
			}
		}
		r, mine, err := c.lockSubject(ctx, k)
		if err != nil || mine {
			return nil, r, err
		}
		select {
		case <-ctx.Done():
			return nil, release, nil // the fetch fails on ctx too, and the caller falls back
		case <-time.After(sharedPoll):
		}
	}
}

// held is a shared lock this process holds, with how many of its fetches use it.
type held struct {
	release func()
	n       int
}

// lockSubject takes the shared lock of k's subject — the source and what is asked of it,
// whatever the kind (k without its kind) — or joins it when this process holds it already:
// the kinds of one subject are then fetched by the process that asked first, so a listing a
// connector shares between the capabilities of one answer is read by one replica, not by
// each replica that fetched one of the kinds.
func (c *Cache) lockSubject(ctx context.Context, k string) (release func(), ok bool, err error) {
	_, subject, _ := strings.Cut(k, "\x00")
	c.heldMu.Lock()
	defer c.heldMu.Unlock()
	h := c.held[subject]
	if h == nil {
		r, ok, err := c.shared.Lock(ctx, subject, c.fetchTimeout)
		if err != nil || !ok {
			return r, false, err
		}
		h = &held{release: r}
		c.held[subject] = h
	}
	h.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.heldMu.Lock()
			defer c.heldMu.Unlock()
			if h.n--; h.n == 0 {
				delete(c.held, subject)
				h.release()
			}
		})
	}, true, nil
}

// putShared stores e for the other processes until its TTL is over; it returns the
// Shared's failure, if any.
func putShared[T any](ctx context.Context, c *Cache, kind Kind, k string, e *entry[T]) error {
	b, err := json.Marshal(e.v)
	if err != nil {
		return nil // not shareable (a value of the process's own); kept locally
	}
	return c.shared.Set(ctx, k, b, e.asOf, c.TTL(kind)-c.now().Sub(e.asOf))
}
