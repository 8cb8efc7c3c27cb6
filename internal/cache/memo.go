package cache

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Memo is a connector's own keyed memory: it shares one fetch per key among concurrent
// callers and keeps its result for a TTL. Connectors use it for data that several
// capabilities of one answer need (PagerDuty's open incidents), for slowly-changing
// reference data kept between answers (schedules, escalation policies, SLO definitions,
// rule listings, ServiceNow reference rows), which a Warm refreshes in the background
// (Refresh) while answers go on using the value it replaces, and for what a listing last
// said (Put, Last). Unlike Cache, a fetch runs on its caller's context (a caller that
// leaves abandons it) and errors are returned, not served stale: errors are not kept.
// A Memo that Shares a cache with other processes (replicas) also takes their fetches.
// The zero value is not usable: use NewMemo.
type Memo[T any] struct {
	ttl        time.Duration
	shared     *sharing // set by Share
	name       string   // tells this memo's keys in shared from other memos'
	mu         sync.Mutex
	m          map[string]*memoEntry[T] // the kept value, or the fetch a Get started
	refreshing map[string]*memoEntry[T] // background fetches started by Refresh
}

type memoEntry[T any] struct {
	done chan struct{}
	at   time.Time
	v    T
	err  error
}

func (e *memoEntry[T]) finished() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// NewMemo returns a Memo whose results stay fresh for ttl.
func NewMemo[T any](ttl time.Duration) *Memo[T] {
	return &Memo[T]{ttl: ttl, m: map[string]*memoEntry[T]{}, refreshing: map[string]*memoEntry[T]{}}
}

// Share makes m go through s, which other processes (replicas) share: Get takes a value
// another process fetched less than the TTL ago, waits while another process fetches the
// key, and stores what it fetched there (so does Refresh); Put, Last and GetMany stay within
// this process. name sets m's keys apart from other memos' in s (a source's name and what m
// holds); values must survive JSON (a value that does not encode stays in this process). A
// nil s changes nothing. Call Share before m is used; it returns m. A key's lock is held for
// at most the TTL (and DefaultFetchTimeout): a replica that dies while it fetches holds the
// others back no longer than its value would have served them.
func (m *Memo[T]) Share(s Shared, name string) *Memo[T] {
	lockTTL := DefaultFetchTimeout
	if m.ttl > 0 {
		lockTTL = min(m.ttl, lockTTL)
	}
	m.shared, m.name = newSharing(s, time.Now, lockTTL), name
	return m
}

// Get returns the value for key, calling fetch unless a fresh or in-flight one exists. While
// a Refresh of key is running, the kept value is returned even when it has expired (the
// refresh is the fetch a caller would otherwise wait for). A caller whose ctx ends while
// another caller's fetch is in flight gets ctx.Err().
func (m *Memo[T]) Get(ctx context.Context, key string, fetch func(context.Context) (T, error)) (T, error) {
	m.mu.Lock()
	e := m.m[key]
	if e != nil && e.finished() && time.Since(e.at) > m.ttl {
		if m.refreshing[key] != nil {
			m.mu.Unlock()
			return e.v, nil // stale while the refresh runs
		}
		e = nil
	}
	if e == nil {
		e = m.refreshing[key] // nothing kept: wait for the refresh rather than fetch twice
	}
	if e != nil {
		m.mu.Unlock()
		return wait(ctx, e)
	}
	m.purge()
	e = &memoEntry[T]{done: make(chan struct{})}
	m.m[key] = e
	m.mu.Unlock()
	return m.run(ctx, key, e, fetch, false)
}

// Refresh fetches key again even when its value is fresh, and keeps the result when it
// succeeds; meanwhile Get goes on returning the kept value. Concurrent Refreshes, and a
// Refresh during a Get's fetch, share one fetch.
func (m *Memo[T]) Refresh(ctx context.Context, key string, fetch func(context.Context) (T, error)) (T, error) {
	m.mu.Lock()
	e := m.refreshing[key]
	if e == nil {
		if got := m.m[key]; got != nil && !got.finished() {
			e = got
		}
	}
	if e != nil {
		m.mu.Unlock()
		return wait(ctx, e)
	}
	e = &memoEntry[T]{done: make(chan struct{})}
	m.refreshing[key] = e
	m.mu.Unlock()
	return m.run(ctx, key, e, fetch, true)
}

// run performs e's fetch: a successful result is kept under key, a failed one dropped.
func (m *Memo[T]) run(ctx context.Context, key string, e *memoEntry[T], fetch func(context.Context) (T, error), refresh bool) (T, error) {
	e.v, e.at, e.err = m.fetch(ctx, key, fetch, refresh)
	m.mu.Lock()
	if refresh {
		delete(m.refreshing, key)
		if e.err == nil {
			m.m[key] = e
		}
	} else if e.err != nil && m.m[key] == e {
		delete(m.m, key)
	}
	close(e.done)
	m.mu.Unlock()
	return e.v, e.err
}

// fetch calls fetch and returns its result with when it was fetched. With a shared cache,
// a Get takes the value another process fetched, or waits while another process fetches
// it, and what is fetched is stored there for the others; a Refresh always fetches.
func (m *Memo[T]) fetch(ctx context.Context, key string, fetch func(context.Context) (T, error), refresh bool) (T, time.Time, error) {
	if m.shared == nil {
		v, err := fetch(ctx)
		return v, time.Now(), err
	}
	k := "memo\x00" + m.name + "|" + key
	var sharedErr error
	if !refresh {
		e, release, err := await[T](ctx, m.shared, k, m.ttl)
		defer release()
		if e != nil {
			return e.v, e.asOf, nil
		}
		sharedErr = err
	}
	v, err := fetch(ctx)
	at := time.Now()
	if err == nil && sharedErr == nil {
		_ = put(ctx, m.shared, k, v, at, m.ttl) // a failure is the store's to log
	}
	return v, at, err
}

func wait[T any](ctx context.Context, e *memoEntry[T]) (T, error) {
	select {
	case <-e.done:
		return e.v, e.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// purge drops finished entries older than the TTL, except those being refreshed; m.mu must
// be held.
func (m *Memo[T]) purge() {
	for k, e := range m.m {
		if e.finished() && time.Since(e.at) > m.ttl && m.refreshing[k] == nil {
			delete(m.m, k)
		}
	}
}

// Put keeps v under key as if it had just been fetched: a value learnt along the way (rows
// that came with another listing, what a listing said about each service). Expired values
// are dropped only by Get (or Clear): Put and GetMany keep them to fall back on.
func (m *Memo[T]) Put(key string, v T) {
	e := &memoEntry[T]{done: make(chan struct{}), at: time.Now(), v: v}
	close(e.done)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = e
}

// Last returns the value last kept under key, whatever its age, without fetching.
func (m *Memo[T]) Last(key string) (T, bool) {
	m.mu.Lock()
	e := m.m[key]
	m.mu.Unlock()
	if e == nil || !e.finished() || e.err != nil {
		var zero T
		return zero, false
	}
	return e.v, true
}

// Kept returns every value kept now (fetched or Put, whatever its age), by key: what a
// snapshot of the memo saves. Fetches in flight and failures are left out.
func (m *Memo[T]) Kept() map[string]T {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]T, len(m.m))
	for k, e := range m.m {
		if e.finished() && e.err == nil {
			out[k] = e.v
		}
	}
	return out
}

// MarshalJSON encodes the values kept now (Kept) as a JSON object by key, for a snapshot.
func (m *Memo[T]) MarshalJSON() ([]byte, error) { return json.Marshal(m.Kept()) }

// UnmarshalJSON keeps the values of a JSON object by key (what MarshalJSON wrote, in an
// earlier process) as if they had just been fetched (Put): they serve until the memo's TTL
// unless a Refresh replaces them first.
func (m *Memo[T]) UnmarshalJSON(data []byte) error {
	var kept map[string]T
	if err := json.Unmarshal(data, &kept); err != nil {
		return err
	}
	for k, v := range kept {
		m.Put(k, v)
	}
	return nil
}

// Clear forgets every kept value; fetches in flight go on for their callers.
func (m *Memo[T]) Clear() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, e := range m.m {
		if e.finished() {
			delete(m.m, k)
		}
	}
}

// errMissing marks a key a GetMany fetch did not find: nothing is kept for it.
var errMissing = errors.New("cache: not found")

// GetMany returns the values of keys: those kept for less than maxAge (and the TTL) as they
// are, those another caller is fetching once it has them, and the others from one call of
// fetch, which returns the values it found. A key fetch did not find keeps its expired
// value, if it had one, and is otherwise not kept. Values are returned even when fetch
// fails, with its error. The caller's own keys are
// settled before it waits for others', so two GetMany calls never wait on each other.
func (m *Memo[T]) GetMany(ctx context.Context, keys []string, maxAge time.Duration,
	fetch func(ctx context.Context, missing []string) (map[string]T, error)) (map[string]T, error) {
	out := make(map[string]T, len(keys))
	var others, own, prev []*memoEntry[T]
	var otherKeys, mine []string
	m.mu.Lock()
	for _, k := range keys {
		e := m.m[k]
		switch {
		case e != nil && e.finished() && time.Since(e.at) < min(maxAge, m.ttl):
			out[k] = e.v
		case e != nil && !e.finished():
			others, otherKeys = append(others, e), append(otherKeys, k)
		default:
			if e != nil && (!e.finished() || e.err != nil) {
				e = nil
			}
			prev = append(prev, e) // an expired value, kept if the fetch does not find the key
			e = &memoEntry[T]{done: make(chan struct{})}
			m.m[k] = e
			own, mine = append(own, e), append(mine, k)
		}
	}
	m.mu.Unlock()
	var err error
	if len(mine) > 0 {
		var got map[string]T
		got, err = fetch(ctx, mine)
		now := time.Now()
		m.mu.Lock()
		for i, k := range mine {
			e := own[i]
			switch v, ok := got[k]; {
			case ok:
				e.v, e.at, out[k] = v, now, v
			case prev[i] != nil: // not read again: the expired value stands
				e.err = errMissing
				out[k] = prev[i].v
				if m.m[k] == e {
					m.m[k] = prev[i]
				}
			default:
				e.err = errMissing
				if m.m[k] == e {
					delete(m.m, k)
				}
			}
			close(e.done)
		}
		m.mu.Unlock()
	}
	for i, e := range others {
		if v, werr := wait(ctx, e); werr == nil {
			out[otherKeys[i]] = v
		}
	}
	return out, err
}
