package cache

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var errBoom = errors.New("boom")

func TestFetchSequences(t *testing.T) {
	type step struct {
		advance time.Duration // move the clock first
		kind    Kind          // default KindAlerts (TTL 30s)
		val     int           // upstream answer if called
		err     error         // upstream error if called

		wantCalls int64 // cumulative upstream calls
		wantVal   int
		wantErr   error         // returned error
		wantHit   bool          //
		wantStale error         // non-nil: Stale with this Info.Err
		wantAsOf  time.Duration // Info.AsOf - t0 (when no error)
	}
	tests := []struct {
		name  string
		opts  Options
		steps []step
	}{
		{"hit inside TTL", Options{}, []step{
			{val: 1, wantCalls: 1, wantVal: 1},
			{advance: 29 * time.Second, val: 2, wantCalls: 1, wantVal: 1, wantHit: true},
		}},
		{"refetch at TTL", Options{}, []step{
			{val: 1, wantCalls: 1, wantVal: 1},
			{advance: 30 * time.Second, val: 2, wantCalls: 2, wantVal: 2, wantAsOf: 30 * time.Second},
			{advance: time.Second, val: 3, wantCalls: 2, wantVal: 2, wantHit: true, wantAsOf: 30 * time.Second},
		}},
		{"stale on refresh failure, errors not cached", Options{}, []step{
			{val: 1, wantCalls: 1, wantVal: 1},
			{advance: time.Minute, err: errBoom, wantCalls: 2, wantVal: 1, wantStale: errBoom},
			{err: errBoom, wantCalls: 3, wantVal: 1, wantStale: errBoom},
			{val: 3, wantCalls: 4, wantVal: 3, wantAsOf: time.Minute},
		}},
		{"error without last good, not cached", Options{}, []step{
			{err: errBoom, wantCalls: 1, wantErr: errBoom},
			{val: 1, wantCalls: 2, wantVal: 1},
		}},
		{"no stale beyond MaxStale", Options{MaxStale: time.Hour}, []step{
			{val: 1, wantCalls: 1, wantVal: 1},
			{advance: time.Hour - time.Second, err: errBoom, wantCalls: 2, wantVal: 1, wantStale: errBoom},
			{advance: time.Second, err: errBoom, wantCalls: 3, wantErr: errBoom},
		}},
		{"per-kind TTL override", Options{TTLs: map[Kind]time.Duration{KindAlerts: 2 * time.Minute}}, []step{
			{val: 1, wantCalls: 1, wantVal: 1},
			{advance: 90 * time.Second, val: 2, wantCalls: 1, wantVal: 1, wantHit: true},
			{advance: 30 * time.Second, val: 2, wantCalls: 2, wantVal: 2, wantAsOf: 2 * time.Minute},
			{kind: KindProblems, val: 3, wantCalls: 3, wantVal: 3, wantAsOf: 2 * time.Minute},
			{advance: 30 * time.Second, kind: KindProblems, val: 4, wantCalls: 4, wantVal: 4, wantAsOf: 150 * time.Second},
		}},
		{"zero TTL always refetches", Options{TTLs: map[Kind]time.Duration{KindAlerts: 0}}, []step{
			{val: 1, wantCalls: 1, wantVal: 1},
			{val: 2, wantCalls: 2, wantVal: 2},
			{err: errBoom, wantCalls: 3, wantVal: 2, wantStale: errBoom},
		}},
		{"kinds with the same key do not collide", Options{}, []step{
			{kind: KindAlerts, val: 1, wantCalls: 1, wantVal: 1},
			{kind: KindIncidents, val: 2, wantCalls: 2, wantVal: 2},
			{kind: KindAlerts, val: 9, wantCalls: 2, wantVal: 1, wantHit: true},
			{kind: KindIncidents, val: 9, wantCalls: 2, wantVal: 2, wantHit: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			tt.opts.Now = clk.Now
			c := New(tt.opts)
			var calls atomic.Int64
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				kind := s.kind
				if kind == "" {
					kind = KindAlerts
				}
				v, info, err := Fetch(context.Background(), c, kind, "k", func(context.Context) (int, error) {
					calls.Add(1)
					return s.val, s.err
				})
				if got := calls.Load(); got != s.wantCalls {
					t.Errorf("step %d: upstream calls = %d, want %d", i, got, s.wantCalls)
				}
				if !errors.Is(err, s.wantErr) || (err != nil) != (s.wantErr != nil) {
					t.Fatalf("step %d: err = %v, want %v", i, err, s.wantErr)
				}
				if err != nil {
					if info != (Info{}) || v != 0 {
						t.Errorf("step %d: on error got v=%d info=%+v, want zero", i, v, info)
					}
					continue
				}
				if v != s.wantVal {
					t.Errorf("step %d: value = %d, want %d", i, v, s.wantVal)
				}
				if info.Hit != s.wantHit {
					t.Errorf("step %d: Hit = %v, want %v", i, info.Hit, s.wantHit)
				}
				if info.Stale != (s.wantStale != nil) || !errors.Is(info.Err, s.wantStale) {
					t.Errorf("step %d: Stale=%v Err=%v, want stale err %v", i, info.Stale, info.Err, s.wantStale)
				}
				if want := t0.Add(s.wantAsOf); !info.AsOf.Equal(want) {
					t.Errorf("step %d: AsOf = %v, want %v", i, info.AsOf, want)
				}
			}
		})
	}
}

func TestFetchSingleflightColdKey(t *testing.T) {
	const n = 50
	c := New(Options{})
	var calls atomic.Int64
	start, release := make(chan struct{}), make(chan struct{})
	fetch := func(context.Context) (string, error) {
		calls.Add(1)
		<-release
		return "v", nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			<-start
			v, _, err := Fetch(context.Background(), c, KindCatalog, "svc", fetch)
			if err == nil && v != "v" {
				err = errors.New("wrong value " + v)
			}
			errs <- err
		})
	}
	close(start)
	waitFor(t, "fetch to start", func() bool { return calls.Load() > 0 })
	time.Sleep(20 * time.Millisecond) // let the other callers pile up on the flight
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := calls.Load(); got != 1 {
		t.Fatalf("upstream calls = %d, want 1", got)
	}
}

type ctxKey struct{}

func TestFetchCallerDeadlineOnHungFetch(t *testing.T) {
	c := New(Options{})
	var calls atomic.Int64
	release := make(chan struct{})
	fetchErr := make(chan error, 1)
	hung := func(ctx context.Context) (int, error) {
		calls.Add(1)
		<-release
		if _, ok := ctx.Deadline(); !ok || ctx.Value(ctxKey{}) != "trace" {
			fetchErr <- errors.New("fetch ctx lacks FetchTimeout deadline or caller values")
		} else {
			fetchErr <- ctx.Err() // must not be cancelled by the caller leaving
		}
		return 7, nil
	}
	ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), ctxKey{}, "trace"), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, info, err := Fetch(ctx, c, KindAlerts, "k", hung)
	if elapsed := time.Since(begin); elapsed > 250*time.Millisecond {
		t.Errorf("caller returned after %v, want about 50ms", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) || info.Stale {
		t.Fatalf("got info=%+v err=%v, want context.DeadlineExceeded", info, err)
	}

	close(release)
	if err := <-fetchErr; err != nil {
		t.Fatalf("shared fetch: %v", err)
	}
	// The abandoned fetch completes and warms the cache.
	other := func(context.Context) (int, error) { calls.Add(1); return 8, nil }
	waitFor(t, "cache fill", func() bool {
		_, info, _ := Fetch(context.Background(), c, KindAlerts, "k", other)
		return info.Hit
	})
	if v, _, _ := Fetch(context.Background(), c, KindAlerts, "k", other); v != 7 || calls.Load() != 1 {
		t.Fatalf("after fill: v=%d calls=%d, want 7 and 1", v, calls.Load())
	}
}

func TestFetchStaleOnCallerDeadline(t *testing.T) {
	clk := newClock()
	c := New(Options{Now: clk.Now})
	if _, _, err := Fetch(context.Background(), c, KindAlerts, "k", func(context.Context) (int, error) { return 1, nil }); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	begin := time.Now()
	v, info, err := Fetch(ctx, c, KindAlerts, "k", func(context.Context) (int, error) { <-release; return 2, nil })
	if elapsed := time.Since(begin); elapsed > 250*time.Millisecond {
		t.Errorf("caller returned after %v, want about 50ms", elapsed)
	}
	if err != nil || v != 1 || !info.Stale || !errors.Is(info.Err, context.DeadlineExceeded) || !info.AsOf.Equal(t0) {
		t.Fatalf("got v=%d info=%+v err=%v, want stale 1 as of t0 with DeadlineExceeded", v, info, err)
	}
}

func TestFetchCancelledCallerDoesNotStartFetch(t *testing.T) {
	c := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls atomic.Int64
	_, _, err := Fetch(ctx, c, KindAlerts, "k", func(context.Context) (int, error) { calls.Add(1); return 1, nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// Had a fetch started, this call would join it or hit its result.
	v, _, err := Fetch(context.Background(), c, KindAlerts, "k", func(context.Context) (int, error) { calls.Add(1); return 2, nil })
	if err != nil || v != 2 || calls.Load() != 1 {
		t.Fatalf("next call: v=%d err=%v calls=%d, want 2 from the only fetch", v, err, calls.Load())
	}
}

func TestFetchTimeoutUnwedgesKey(t *testing.T) {
	c := New(Options{FetchTimeout: 50 * time.Millisecond})
	release := make(chan struct{})
	defer close(release)
	// This fetch ignores its context entirely.
	_, _, err := Fetch(context.Background(), c, KindAlerts, "k", func(context.Context) (int, error) { <-release; return 1, nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	v, info, err := Fetch(context.Background(), c, KindAlerts, "k", func(context.Context) (int, error) { return 2, nil })
	if err != nil || v != 2 || info.Hit {
		t.Fatalf("after timeout: v=%d info=%+v err=%v, want a fresh fetch of 2", v, info, err)
	}
}

func TestFetchPanic(t *testing.T) {
	tests := []struct {
		name      string
		fetch     func(context.Context) (int, error)
		wantValue any
	}{
		{"string", func(context.Context) (int, error) { panic("kaboom") }, "kaboom"},
		{"error", func(context.Context) (int, error) { panic(errBoom) }, errBoom},
		{"nil map write", func(context.Context) (int, error) { var m map[int]int; m[1] = 1; return 1, nil }, nil},
		{"Goexit", func(context.Context) (int, error) { runtime.Goexit(); return 1, nil }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{})
			const n = 10
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for range n {
				wg.Go(func() {
					_, _, err := Fetch(context.Background(), c, KindAlerts, "k", tt.fetch)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				var pe *PanicError
				if !errors.As(err, &pe) {
					t.Fatalf("err = %v, want *PanicError", err)
				}
				if tt.wantValue != nil && pe.Value != tt.wantValue {
					t.Errorf("panic value = %v, want %v", pe.Value, tt.wantValue)
				}
				if pe.Error() == "" {
					t.Error("empty error text")
				}
			}
			v, info, err := Fetch(context.Background(), c, KindAlerts, "k", func(context.Context) (int, error) { return 5, nil })
			if err != nil || v != 5 || info.Hit {
				t.Fatalf("after panic: v=%d info=%+v err=%v, want a fresh 5", v, info, err)
			}
		})
	}
}

func TestFetchTypeMismatchIsMiss(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	if _, _, err := Fetch(ctx, c, KindCatalog, "k", func(context.Context) (int, error) { return 1, nil }); err != nil {
		t.Fatal(err)
	}
	s, info, err := Fetch(ctx, c, KindCatalog, "k", func(context.Context) (string, error) { return "s", nil })
	if err != nil || s != "s" || info.Hit {
		t.Fatalf("string after int: s=%q info=%+v err=%v, want a miss", s, info, err)
	}
	// A failed refresh must not serve a value of another type as stale.
	c.Flush()
	if _, _, err := Fetch(ctx, c, KindCatalog, "k", func(context.Context) (int, error) { return 1, nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Fetch(ctx, c, KindCatalog, "k", func(context.Context) (string, error) { return "", errBoom }); !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want errBoom", err)
	}
}

func TestFetchTypesDoNotShareFlight(t *testing.T) {
	c := New(Options{})
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		Fetch(context.Background(), c, KindCatalog, "k", func(context.Context) (int, error) {
			close(started)
			<-release
			return 1, nil
		})
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, info, err := Fetch(ctx, c, KindCatalog, "k", func(context.Context) (string, error) { return "s", nil })
	close(release)
	<-done
	if err != nil || s != "s" || info.Stale {
		t.Fatalf("got s=%q info=%+v err=%v, want its own fetch of \"s\"", s, info, err)
	}
}

func BenchmarkFetchHit(b *testing.B) {
	ctx := context.Background()
	c := New(Options{})
	fetch := func(context.Context) (int, error) { return 1, nil }
	if _, _, err := Fetch(ctx, c, KindCatalog, "service/checkout", fetch); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, info, _ := Fetch(ctx, c, KindCatalog, "service/checkout", fetch); !info.Hit {
			b.Fatal("miss")
		}
	}
}
