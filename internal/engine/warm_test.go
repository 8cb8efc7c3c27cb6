package engine_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
)

// warmer counts Warm calls; each blocks until release is closed or its ctx ends.
type warmer struct {
	calls   atomic.Int32
	release chan struct{}
}

func (w *warmer) Name() string                { return "opsgenie" }
func (w *warmer) Check(context.Context) error { return nil }
func (w *warmer) Warm(ctx context.Context) error {
	w.calls.Add(1)
	select {
	case <-w.release:
	case <-ctx.Done():
	}
	return nil
}

// TestWarmRunsOncePerCatalogTTLAndIsNotAwaited: a Warmer is warmed alongside the catalogs,
// once per catalog TTL, and a slow Warm does not hold the answer.
func TestWarmRunsOncePerCatalogTTLAndIsNotAwaited(t *testing.T) {
	w := &warmer{release: make(chan struct{})}
	var mu sync.Mutex
	clock := time.Now()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	c := cache.New(cache.Options{Now: now, FetchTimeout: 5 * time.Second})
	e := engine.New(engine.Options{Sources: []connectors.Source{&fake.Memory{SourceName: "catalogfile", Cat: shopCatalog()}, w},
		Cache: c, Now: now, Deadline: 2 * time.Second})
	ctx := context.Background()
	start := time.Now()
	for range 3 {
		if _, err := e.IncidentContext(ctx, engine.Query{Service: "checkout"}); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("three answers took %v with Warm blocked: the answer waited for it", took)
	}
	waitFor(t, func() bool { return w.calls.Load() == 1 })
	close(w.release)
	time.Sleep(50 * time.Millisecond) // let the warm finish and be cached
	if _, err := e.IncidentContext(ctx, engine.Query{Service: "checkout"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := w.calls.Load(); n != 1 {
		t.Fatalf("Warm called %d times within the catalog TTL, want 1", n)
	}
	mu.Lock()
	clock = clock.Add(c.TTL(cache.KindCatalog) + time.Second)
	mu.Unlock()
	if _, err := e.IncidentContext(ctx, engine.Query{Service: "checkout"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return w.calls.Load() == 2 })
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5 s")
		}
	}
}

// TestNoWarm: a one-shot engine (the CLI's context and check) never warms.
func TestNoWarm(t *testing.T) {
	w := &warmer{release: make(chan struct{})}
	close(w.release)
	e := engine.New(engine.Options{Sources: []connectors.Source{&fake.Memory{SourceName: "catalogfile", Cat: shopCatalog()}, w}, NoWarm: true})
	if _, err := e.IncidentContext(context.Background(), engine.Query{Service: "checkout"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if n := w.calls.Load(); n != 0 {
		t.Errorf("Warm called %d times with NoWarm", n)
	}
}
