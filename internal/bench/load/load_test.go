package load

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/bench"
)

// TestLoad: 64 MCP clients over streamable HTTP for OPSCTX_LOAD_SECONDS (default 10) while
// one source fails intermittently: no protocol error, the failure shows in the answers, and
// goroutines and heap come back to their baseline once the clients are gone.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test skipped in -short mode")
	}
	d := 10 * time.Second
	if s := os.Getenv("OPSCTX_LOAD_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("OPSCTX_LOAD_SECONDS=%q: want a positive number of seconds", s)
		}
		d = time.Duration(n) * time.Second
	}
	r, err := Measure(context.Background(), Options{Duration: d})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls in %s by %d clients, p50 %s p99 %s, %s statuses %v over %d fault windows; goroutines %d -> %d, heap %s -> %s",
		r.Calls, r.Elapsed.Round(time.Millisecond), r.Options.Clients, bench.FormatDuration(r.Latency.Median()), bench.FormatDuration(r.Latency.Percentile(99)),
		r.Options.FaultSource, r.Watched, r.FaultWindows, r.GoroutinesBefore, r.GoroutinesAfter, bench.FormatBytes(r.HeapBefore), bench.FormatBytes(r.HeapAfter))
	if r.Calls == 0 || r.ProtocolErrors != 0 {
		t.Errorf("%d calls, %d protocol errors (want >0, 0); first: %v", r.Calls, r.ProtocolErrors, r.Errors)
	}
	if r.FaultWindows == 0 || r.Watched["error"]+r.Watched["stale"] == 0 {
		t.Errorf("the intermittent %s failure never showed in an answer (%d fault windows, statuses %v)", r.Options.FaultSource, r.FaultWindows, r.Watched)
	}
	if !r.GoroutinesFlat() {
		t.Errorf("goroutines %d after the run, baseline %d (+%d allowed)", r.GoroutinesAfter, r.GoroutinesBefore, GoroutineSlack)
	}
	if !r.HeapFlat() {
		t.Errorf("heap in use %s after the run, baseline %s", bench.FormatBytes(r.HeapAfter), bench.FormatBytes(r.HeapBefore))
	}
}
