package cache

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"
	"strings"
	"time"
)

// Info describes where a value came from.
type Info struct {
	AsOf  time.Time // when the value was fetched from the upstream
	Hit   bool      // served from cache without calling fetch
	Stale bool      // the refresh failed and an older value was served
	Err   error     // the refresh error when Stale
	// Shared is the shared cache's failure when the value was fetched without it.
	Shared error
}

// PanicError is returned to every waiter when a fetch panics or calls
// runtime.Goexit (then Value is nil).
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // stack of the panicking fetch
}

// Error implements error.
func (e *PanicError) Error() string {
	if e.Value == nil {
		return "cache: fetch exited via runtime.Goexit"
	}
	return fmt.Sprintf("cache: fetch panicked: %v", e.Value)
}

// entry is a stored value; its type parameter makes lookups with a different
// T miss instead of colliding.
type entry[T any] struct {
	v    T
	asOf time.Time
	// shared is the shared cache's failure when the fetch went without it.
	shared error
}

// result is what a fetch goroutine hands back to its flight.
type result[T any] struct {
	v   T
	err error
}

// Fetch returns the cached value for (kind, key) while it is fresh (younger
// than c.TTL(kind)). Otherwise it calls fetch once for all concurrent callers
// of the same (kind, key) and type T, and stores a success with AsOf = now.
//
// If the refresh fails, or ctx ends before it finishes, Fetch returns the last
// good value (if fetched less than MaxStale ago) with Info.Stale set, Info.Err
// holding the failure, and a nil error; without one it returns the error.
// Errors are never cached. Each caller leaves at its own ctx deadline, while
// the shared fetch runs on its own context (see Options.FetchTimeout) and
// still fills the cache when it completes. A panic in fetch is returned as a
// *PanicError.
func Fetch[T any](ctx context.Context, c *Cache, kind Kind, key string, fetch func(ctx context.Context) (T, error)) (T, Info, error) {
	k := string(kind) + "\x00" + key
	if e, ok := lookup[T](c, k); ok && c.now().Sub(e.asOf) < c.TTL(kind) {
		return e.v, Info{AsOf: e.asOf, Hit: true}, nil
	}
	if err := ctx.Err(); err != nil {
		return fallback[T](c, k, err)
	}
	// Cloning keeps k itself on the stack, so hits do not allocate.
	sk := strings.Clone(k)
	// The flight key includes T so that callers asking for different types
	// under one key never receive each other's values.
	fk := sk + "\x00" + reflect.TypeFor[T]().String()
	ch := c.group.DoChan(fk, func() (any, error) { return refresh(ctx, c, kind, sk, fetch) })
	select {
	case r := <-ch:
		if r.Err != nil {
			return fallback[T](c, k, r.Err)
		}
		e, ok := r.Val.(*entry[T])
		if !ok { // two distinct types with the same name; should not happen
			return fallback[T](c, k, fmt.Errorf("cache: %s %q: shared fetch returned %T", kind, key, r.Val))
		}
		return e.v, Info{AsOf: e.asOf, Shared: e.shared}, nil
	case <-ctx.Done():
		return fallback[T](c, k, ctx.Err())
	}
}

// lookup returns the entry stored under k if it holds a T.
func lookup[T any](c *Cache, k string) (*entry[T], bool) {
	x, ok := c.items.Get(k)
	if !ok {
		return nil, false
	}
	e, ok := x.(*entry[T])
	return e, ok
}

// fallback serves the last good value under k marked stale with err, or
// returns err when there is none younger than MaxStale.
func fallback[T any](c *Cache, k string, err error) (T, Info, error) {
	if e, ok := lookup[T](c, k); ok && c.now().Sub(e.asOf) < c.maxStale {
		return e.v, Info{AsOf: e.asOf, Stale: true, Err: err}, nil
	}
	var zero T
	return zero, Info{}, err
}

// refresh runs one shared fetch and stores a success. fetch runs in its own
// goroutine so the flight ends at FetchTimeout even if fetch ignores its
// context; a late result is then discarded.
func refresh[T any](ctx context.Context, c *Cache, kind Kind, k string, fetch func(context.Context) (T, error)) (any, error) {
	gen := c.generation()
	if e, ok := lookup[T](c, k); ok && c.now().Sub(e.asOf) < c.TTL(kind) {
		return e, nil // stored by a flight that ended after this caller looked
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.fetchTimeout)
	defer cancel()
	var sharedErr error
	if c.sharing(kind) {
		e, release, err := await[T](fctx, c.shared, k, c.TTL(kind))
		defer release()
		if e != nil {
			c.store(gen, kind, k, e)
			return e, nil
		}
		sharedErr = err
	}
	done := make(chan result[T], 1)
	go func() {
		var r result[T]
		returned := false
		defer func() {
			if !returned {
				r = result[T]{err: &PanicError{Value: recover(), Stack: debug.Stack()}}
			}
			done <- r
		}()
		r.v, r.err = fetch(fctx)
		returned = true
	}()
	var r result[T]
	select {
	case r = <-done:
	case <-fctx.Done():
		select {
		case r = <-done: // finished right at the deadline
		default:
			return nil, fmt.Errorf("cache: fetch %s: %w", kind, fctx.Err())
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	e := &entry[T]{v: r.v, asOf: c.now()}
	c.store(gen, kind, k, e)
	if c.sharing(kind) && sharedErr == nil {
		sharedErr = put(fctx, c.shared, k, e.v, e.asOf, c.TTL(kind))
	}
	e.shared = sharedErr
	return e, nil
}

// Fresh returns the value of (kind, key) when it is fresh, without fetching: what Fetch would
// answer from the cache. Callers use it to skip starting a goroutine for a hit.
func Fresh[T any](c *Cache, kind Kind, key string) (T, Info, bool) {
	if e, ok := lookup[T](c, string(kind)+"\x00"+key); ok && c.now().Sub(e.asOf) < c.TTL(kind) {
		return e.v, Info{AsOf: e.asOf, Hit: true}, true
	}
	var zero T
	return zero, Info{}, false
}

// Peek returns the last good value of (kind, key) without fetching, whatever its age (within
// MaxStale), with its AsOf. The join uses it to serve a value stale while a slow refresh goes on.
func Peek[T any](c *Cache, kind Kind, key string) (T, Info, bool) {
	if e, ok := lookup[T](c, string(kind)+"\x00"+key); ok && c.now().Sub(e.asOf) < c.maxStale {
		return e.v, Info{AsOf: e.asOf, Hit: true}, true
	}
	var zero T
	return zero, Info{}, false
}
