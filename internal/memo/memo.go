// Package memo shares one fetch per key among concurrent callers and keeps its result for a
// TTL. Connectors use it for data that several capabilities of one answer need (PagerDuty's
// open incidents) and for slowly-changing reference data kept between answers (schedules,
// escalation policies, SLO definitions, rule listings), which a Warm refreshes in the
// background (Refresh) while answers go on using the value it replaces. Errors are not kept.
package memo

import (
	"context"
	"sync"
	"time"
)

// Memo holds the results of fetches by key. The zero value is not usable: use New.
type Memo[T any] struct {
	ttl        time.Duration
	mu         sync.Mutex
	m          map[string]*entry[T] // the kept value, or the fetch a Get started
	refreshing map[string]*entry[T] // background fetches started by Refresh
}

type entry[T any] struct {
	done chan struct{}
	at   time.Time
	v    T
	err  error
}

func (e *entry[T]) finished() bool {
	select {
	case <-e.done:
		return true
	default:
		return false
	}
}

// New returns a Memo whose results stay fresh for ttl.
func New[T any](ttl time.Duration) *Memo[T] {
	return &Memo[T]{ttl: ttl, m: map[string]*entry[T]{}, refreshing: map[string]*entry[T]{}}
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
	e = &entry[T]{done: make(chan struct{})}
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
	e = &entry[T]{done: make(chan struct{})}
	m.refreshing[key] = e
	m.mu.Unlock()
	return m.run(ctx, key, e, fetch, true)
}

// run performs e's fetch: a successful result is kept under key, a failed one dropped.
func (m *Memo[T]) run(ctx context.Context, key string, e *entry[T], fetch func(context.Context) (T, error), refresh bool) (T, error) {
	e.v, e.err = fetch(ctx)
	e.at = time.Now()
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

func wait[T any](ctx context.Context, e *entry[T]) (T, error) {
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
