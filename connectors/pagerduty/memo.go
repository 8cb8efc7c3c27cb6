package pagerduty

import (
	"context"
	"sync"
	"time"
)

// memo shares one fetch per key among concurrent callers and keeps its result for a short
// TTL, so one answer (incidents, alerts and changes asked concurrently) lists open incidents
// once. Errors are not kept.
type memo[T any] struct {
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

func newMemo[T any](ttl time.Duration) memo[T] {
	return memo[T]{ttl: ttl, m: map[string]*memoEntry[T]{}}
}

// get returns the value for key, calling fetch unless a fresh or in-flight one exists.
func (m *memo[T]) get(ctx context.Context, key string, fetch func(context.Context) (T, error)) (T, error) {
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
func (m *memo[T]) purge() {
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
