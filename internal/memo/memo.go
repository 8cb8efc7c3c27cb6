// Package memo shares one fetch per key among concurrent callers and keeps its result for a
// TTL. Connectors use it for data that several capabilities of one answer need (PagerDuty's
// open incidents) and for slowly-changing reference data kept between answers (schedules,
// escalation policies, SLO definitions, rule listings). Errors are not kept.
package memo

import (
	"context"
	"sync"
	"time"
)

// Memo holds the results of fetches by key. The zero value is not usable: use New.
type Memo[T any] struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*memoEntry[T]
}

type memoEntry[T any] struct {
	done chan struct{}
	at   time.Time
	v    T
	err  error
}

// New returns a Memo whose results stay fresh for ttl.
func New[T any](ttl time.Duration) *Memo[T] {
	return &Memo[T]{ttl: ttl, m: map[string]*memoEntry[T]{}}
}

// Get returns the value for key, calling fetch unless a fresh or in-flight one exists.
// A caller whose ctx ends while another caller's fetch is in flight gets ctx.Err().
func (m *Memo[T]) Get(ctx context.Context, key string, fetch func(context.Context) (T, error)) (T, error) {
	m.mu.Lock()
	e := m.m[key]
	if e != nil {
		select {
		case <-e.done:
			if time.Since(e.at) > m.ttl {
				e = nil
			}
		default: // in flight
		}
	}
	owner := e == nil
	if owner {
		m.purge()
		e = &memoEntry[T]{done: make(chan struct{})}
		m.m[key] = e
	}
	m.mu.Unlock()
	if owner {
		e.v, e.err = fetch(ctx)
		e.at = time.Now()
		if e.err != nil {
			m.mu.Lock()
			if m.m[key] == e {
				delete(m.m, key)
			}
			m.mu.Unlock()
		}
		close(e.done)
		return e.v, e.err
	}
	select {
	case <-e.done:
		return e.v, e.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// purge drops finished entries older than the TTL; m.mu must be held.
func (m *Memo[T]) purge() {
	for k, e := range m.m {
		select {
		case <-e.done:
			if time.Since(e.at) > m.ttl {
				delete(m.m, k)
			}
		default:
		}
	}
}
