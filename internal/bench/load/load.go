// Package load runs opsctx under bounded load: MCP clients over streamable HTTP while one
// source fails intermittently, with the latency, the statuses the answers show and whether
// goroutines and heap come back to their baseline.
package load

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/fake"
)

// Options configure Measure.
type Options struct {
	// Clients is the number of concurrent MCP clients (default 64).
	Clients int
	// Duration is how long the clients call (default 12 s).
	Duration time.Duration
	// FaultSource is the demo source that fails intermittently (default servicenow: it is a
	// catalog, on-call, incident and change source, so stale and error paths all run).
	FaultSource string
	// FaultEvery and FaultFor: every FaultEvery the source answers 503 for FaultFor
	// (defaults 2 s and 1 s: longer than the connectors' retry budget of about 0.7 s, so
	// that answers do see the failure, as "stale" or "error").
	FaultEvery, FaultFor time.Duration
	// CacheTTL is the freshness of every cache kind during the run (default 1 s), short so
	// that upstream fetches, refreshes and failures keep happening under load.
	CacheTTL time.Duration
	// Warmup is how long a first set of clients runs before the baseline is taken (default
	// 1 s): it fills connection pools, caches and lazily built state.
	Warmup time.Duration
}

func (o Options) withDefaults() Options {
	if o.Clients <= 0 {
		o.Clients = 64
	}
	if o.Duration <= 0 {
		o.Duration = 12 * time.Second
	}
	if o.FaultSource == "" {
		o.FaultSource = config.SourceServiceNow
	}
	if o.FaultEvery <= 0 {
		o.FaultEvery = 2 * time.Second
	}
	if o.FaultFor <= 0 || o.FaultFor >= o.FaultEvery {
		o.FaultFor = o.FaultEvery / 2
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = time.Second
	}
	if o.Warmup <= 0 {
		o.Warmup = time.Second
	}
	return o
}

// Tolerances for "flat" after a load run, against the baseline taken after the warm-up.
const (
	GoroutineSlack = 16
	HeapSlack      = 8 << 20 // plus 25 % of the baseline
)

// Result are the figures of a load run.
type Result struct {
	Options Options
	*bench.DriveResult
	// FaultWindows is how many times the source was made to fail.
	FaultWindows int
	// Goroutines and HeapInuse (after GC) at the baseline and after the run, once the clients
	// are closed and in-flight upstream fetches have ended.
	GoroutinesBefore, GoroutinesAfter int
	HeapBefore, HeapAfter             uint64
}

// GoroutinesFlat reports whether the goroutines came back to the baseline (within GoroutineSlack).
func (r *Result) GoroutinesFlat() bool {
	return r.GoroutinesAfter <= r.GoroutinesBefore+GoroutineSlack
}

// HeapFlat reports whether the heap came back to the baseline (within HeapSlack + 25 %).
func (r *Result) HeapFlat() bool {
	return r.HeapAfter <= r.HeapBefore+r.HeapBefore/4+HeapSlack
}

// Measure runs Clients MCP clients over streamable HTTP against the production server on the
// demo for Duration, while FaultSource answers 503 for FaultFor every FaultEvery, and
// compares goroutines and heap before and after.
func Measure(ctx context.Context, o Options) (*Result, error) {
	o = o.withDefaults()
	env, err := bench.StartDemo(ctx)
	if err != nil {
		return nil, err
	}
	defer env.Close()
	faulty := env.Servers[o.FaultSource]
	if faulty == nil {
		return nil, fmt.Errorf("load: the demo has no %s fake", o.FaultSource)
	}
	env.Config.CacheTTL = map[string]time.Duration{}
	for _, k := range config.CacheKinds() {
		env.Config.CacheTTL[k] = o.CacheTTL
	}
	srv, err := bench.StartServer(bench.DemoEngine(env, nil))
	if err != nil {
		return nil, err
	}
	defer srv.Close()

	warm, err := bench.DialAll(ctx, srv.URL, o.Clients)
	if err != nil {
		return nil, err
	}
	bench.Drive(ctx, warm, bench.DriveOptions{Duration: o.Warmup})
	bench.CloseAll(warm)
	res := &Result{Options: o}
	res.GoroutinesBefore, res.HeapBefore = settle(env, 0, 2*time.Second)

	clients, err := bench.DialAll(ctx, srv.URL, o.Clients)
	if err != nil {
		return nil, err
	}
	stop := make(chan struct{})
	toggled := make(chan int)
	go func() {
		n := 0
		defer func() { toggled <- n }()
		t := time.NewTicker(o.FaultEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				faulty.ClearFaults()
				return
			case <-t.C:
			}
			faulty.AddFault(fake.Fault{Status: http.StatusServiceUnavailable,
				Body: `{"error":{"message":"Service Unavailable (bench fault)","detail":"intermittent"},"status":"failure"}`})
			n++
			select {
			case <-stop:
				faulty.ClearFaults()
				return
			case <-time.After(o.FaultFor):
				faulty.ClearFaults()
			}
		}
	}()
	res.DriveResult = bench.Drive(ctx, clients, bench.DriveOptions{Duration: o.Duration, Watch: o.FaultSource})
	close(stop)
	res.FaultWindows = <-toggled
	bench.CloseAll(clients)
	res.GoroutinesAfter, res.HeapAfter = settle(env, res.GoroutinesBefore+GoroutineSlack, 15*time.Second)
	return res, nil
}

// settle waits until at most target goroutines run, or (target 0) until their number has
// been steady for half a second, giving up after wait; then it forgets the fakes' recorded
// requests, collects garbage and reads the goroutines and the heap in use.
func settle(env *demo.Env, target int, wait time.Duration) (int, uint64) {
	// Idle keep-alive connections to the fakes (each client keeps up to as many as one
	// answer asks for at once) hold goroutines on both ends until they time out: close them,
	// before and after alike, so that only what the run leaked is counted.
	for _, s := range env.Servers {
		s.CloseClientConnections()
	}
	deadline := time.Now().Add(wait)
	prev, steady := -1, 0
	for time.Now().Before(deadline) {
		n := runtime.NumGoroutine()
		if target > 0 && n <= target {
			break
		}
		if n == prev {
			steady++
		} else {
			steady = 0
		}
		if target == 0 && steady >= 5 {
			break
		}
		prev = n
		time.Sleep(100 * time.Millisecond)
	}
	bench.ResetRequests(env)
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapInuse
}
