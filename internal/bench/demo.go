package bench

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
)

// DemoService is the service the demo scenarios ask about.
const DemoService = demo.Checkout

// quiet is the logger of every engine and server the scenarios build: measurements must not
// pay for, or print, log lines.
var quiet = slog.New(slog.DiscardHandler)

// StartDemo starts the embedded demo (every vendor fake on 127.0.0.1) at the current time.
// The caller must Close it.
func StartDemo(ctx context.Context) (*demo.Env, error) {
	return demo.StartAt(ctx, time.Now())
}

// DemoEngine builds a fresh engine (new connectors, HTTP clients and cache) on the demo's
// configuration, exactly as `opsctx --demo` wires it. now may be nil.
func DemoEngine(env *demo.Env, now func() time.Time) *engine.Engine {
	return built.add(env, app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Logger: quiet, Now: now}))
}

// SnapshotEngine is DemoEngine keeping its snapshot in dir, as the commands do in the user
// cache directory; oneShot builds it as `opsctx context` does (no warming).
func SnapshotEngine(env *demo.Env, dir string, oneShot bool) *engine.Engine {
	return built.add(env, app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Logger: quiet, SnapshotDir: dir, OneShot: oneShot}))
}

// built remembers the engines built on each tracked demo (TrackEngines), so that
// CloseEngines can close them; engines of other demos are not kept (the bench command
// measures memory).
var built = engines{m: map[*demo.Env][]*engine.Engine{}}

type engines struct {
	mu sync.Mutex
	m  map[*demo.Env][]*engine.Engine
}

func (b *engines) add(env *demo.Env, e *engine.Engine) *engine.Engine {
	b.mu.Lock()
	defer b.mu.Unlock()
	if es, ok := b.m[env]; ok {
		b.m[env] = append(es, e)
	}
	return e
}

// TrackEngines makes CloseEngines(env) close every engine built on env from now on (tests).
func TrackEngines(env *demo.Env) {
	built.mu.Lock()
	defer built.mu.Unlock()
	if _, ok := built.m[env]; !ok {
		built.m[env] = []*engine.Engine{}
	}
}

// CloseEngines closes every engine DemoEngine and SnapshotEngine built on a tracked env (closing twice
// is harmless), waiting for their background warms: call it before env closes, so that no
// warm outlives the fakes it reads.
func CloseEngines(env *demo.Env) {
	built.mu.Lock()
	es := built.m[env]
	delete(built.m, env)
	built.mu.Unlock()
	for _, e := range es {
		e.Close()
	}
}

// SourceNames returns the names of the demo's HTTP fakes, sorted.
func SourceNames(env *demo.Env) []string {
	out := make([]string, 0, len(env.Servers))
	for n := range env.Servers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Requests returns how many requests each fake has received since its last reset.
func Requests(env *demo.Env) map[string]int {
	out := map[string]int{}
	for n, s := range env.Servers {
		out[n] = s.Count("")
	}
	return out
}

// ResetRequests forgets the requests every fake has recorded.
func ResetRequests(env *demo.Env) {
	for _, s := range env.Servers {
		s.Reset()
	}
}

// SetLatency makes every fake answer after d.
func SetLatency(env *demo.Env, d time.Duration) {
	for _, s := range env.Servers {
		s.SetLatency(d)
	}
}

// SignIns is how many of the requests the fakes have recorded were sign-ins (OAuth token
// requests), all together.
func SignIns(env *demo.Env) int {
	n := 0
	for _, s := range env.Servers {
		n += s.SignIns()
	}
	return n
}

// TotalRequests is how many requests the fakes have recorded, all together.
func TotalRequests(env *demo.Env) int { return total(Requests(env)) }

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
