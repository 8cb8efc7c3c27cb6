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
// fetched, and a lock per key. A Cache with Options.Shared (and a Memo after Share) looks
// there before it fetches, takes the key's lock so that one process fetches while the others
// wait for its value, and stores what it fetched. A failing Shared is bypassed: the value is
// fetched directly.
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

// sharing is how a Cache or a Memo goes through a Shared: the Shared, the clock values are
// aged by, how long a lock may be held, and the locks this process holds.
type sharing struct {
	s       Shared
	now     func() time.Time
	lockTTL time.Duration

	mu   sync.Mutex       // guards held
	held map[string]*held // the shared locks this process holds, by subject
}

func newSharing(s Shared, now func() time.Time, lockTTL time.Duration) *sharing {
	if s == nil {
		return nil
	}
	return &sharing{s: s, now: now, lockTTL: lockTTL, held: map[string]*held{}}
}

// held is a shared lock this process holds, with how many of its fetches use it.
type held struct {
	release func()
	n       int
}

// await returns a value of k younger than ttl that another process stored, waiting for it
// while another process holds the lock of k's subject. Otherwise it returns the lock's
// release (the caller fetches, then calls put and release), or the Shared's failure (the
// caller fetches without it). A caller whose ctx ends while it waits gets neither: its fetch
// fails on ctx too.
func await[T any](ctx context.Context, sh *sharing, k string, ttl time.Duration) (e *entry[T], release func(), err error) {
	release = func() {}
	for {
		if e, err := getShared[T](ctx, sh, k, ttl); e != nil || err != nil {
			return e, release, err
		}
		r, mine, err := sh.lock(ctx, k)
		if err != nil {
			return nil, r, err
		}
		if mine {
			// The holder before may have stored the value and let go between the Get above
			// and the lock: look once more, under the lock, before fetching.
			e, err := getShared[T](ctx, sh, k, ttl)
			if e != nil {
				r()
				return e, release, nil
			}
			return nil, r, err
		}
		select {
		case <-ctx.Done():
			return nil, release, nil
		case <-time.After(sharedPoll):
		}
	}
}

// getShared returns k's value when the Shared has one younger than ttl, or its failure.
func getShared[T any](ctx context.Context, sh *sharing, k string, ttl time.Duration) (*entry[T], error) {
	b, asOf, ok, err := sh.s.Get(ctx, k)
	if err != nil || !ok || sh.now().Sub(asOf) >= ttl {
		return nil, err
	}
	var v T
	if json.Unmarshal(b, &v) != nil { // written in another shape: fetch it again
		return nil, nil
	}
	return &entry[T]{v: v, asOf: asOf}, nil
}

// lock takes the shared lock of k's subject — k without what precedes its first NUL (a
// Cache's kind: the source and what is asked of it) — or joins it when this process holds
// it already: the kinds of one subject are then fetched by the process that asked first, so
// a listing a connector shares between the capabilities of one answer is read by one
// replica, not by each replica that fetched one of the kinds.
func (sh *sharing) lock(ctx context.Context, k string) (release func(), ok bool, err error) {
	subject := k
	if _, s, cut := strings.Cut(k, "\x00"); cut {
		subject = s
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	h := sh.held[subject]
	if h == nil {
		r, ok, err := sh.s.Lock(ctx, subject, sh.lockTTL)
		if err != nil || !ok {
			return r, false, err
		}
		h = &held{release: r}
		sh.held[subject] = h
	}
	h.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			sh.mu.Lock()
			defer sh.mu.Unlock()
			if h.n--; h.n == 0 {
				delete(sh.held, subject)
				h.release()
			}
		})
	}, true, nil
}

// put stores v, fetched at asOf, for the other processes until it is ttl old; it returns the
// Shared's failure, if any. A value that does not encode is kept by this process only.
func put[T any](ctx context.Context, sh *sharing, k string, v T, asOf time.Time, ttl time.Duration) error {
	left := ttl - sh.now().Sub(asOf)
	if left <= 0 {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return sh.s.Set(ctx, k, b, asOf, left)
}
