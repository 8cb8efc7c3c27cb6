// Package replicas measures the cache replicas share (OPSCTX_CACHE_URL) against the demo
// fakes and a real redis-server it starts: upstream requests of one replica, two sharing
// Redis and two without it, a 429 cool-down seen across replicas, and answers while Redis is
// killed.
package replicas

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
)

// Options configure Measure.
type Options struct {
	// Clients call concurrently, spread over the replicas (default 64).
	Clients int
	// Calls is how many incident_context calls each client makes, over the demo's services
	// in turn (default 4).
	Calls int
	// Latency is added by every fake (default 50 ms): the replicas' fetches overlap.
	Latency time.Duration
}

func (o Options) withDefaults() Options {
	if o.Clients <= 0 {
		o.Clients = 64
	}
	if o.Calls <= 0 {
		o.Calls = 4
	}
	if o.Latency <= 0 {
		o.Latency = 50 * time.Millisecond
	}
	return o
}

// Result are the upstream requests of the same calls (all within one TTL) answered
// by one replica, by two replicas sharing Redis and by two without it; what a 429 one
// replica met does to the other; and the calls while Redis is killed.
type Result struct {
	Options            Options
	Services           []string
	One, Shared, Apart int
	// OneSignIns and SharedSignIns are the sign-ins (OAuth token requests) among One's and
	// Shared's requests: each replica signs in to a source on its own (access tokens are
	// never put in the shared cache), so two replicas sign in twice.
	OneSignIns, SharedSignIns int
	// PerSource are the requests per source of one replica and of two sharing Redis, sign-ins
	// apart.
	PerSource map[string][2]int
	// SharedDirect counts the answers of two replicas sharing Redis that read a source
	// without it (a Redis command over its time budget: the machine was too busy).
	SharedDirect  int
	CooldownFirst int // PagerDuty requests of the replica that met the 429
	CooldownOther int // PagerDuty requests the other replica sent during the cool-down
	CooldownHeld  bool
	KilledCalls   int
	KilledFailed  int
	KilledDirect  int // answers that said a source was read without the shared cache
}

// Measure measures the cache replicas share against the demo fakes and a real redis-server.
func Measure(ctx context.Context, env *demo.Env, r *Redis, o Options) (*Result, error) {
	o = o.withDefaults()
	bench.SetLatency(env, o.Latency)
	defer bench.SetLatency(env, 0)
	res := &Result{Options: o}
	d, _ := bench.DemoEngine(env, nil).Directory(ctx)
	res.Services = d.Names()

	plain := *env.Config
	plain.Cache.URL = ""
	shared := *env.Config
	shared.Cache.URL = config.Secret(r.URL)
	var perOne map[string]int
	phases := []struct {
		n   *int
		cfg *config.Config
		k   int
	}{{&res.One, &plain, 1}, {&res.Shared, &shared, 2}, {&res.Apart, &plain, 2}}
	for _, p := range phases {
		if err := r.Flush(ctx); err != nil {
			return nil, err
		}
		bench.ResetRequests(env)
		es := replicas(env, p.cfg, p.k)
		direct, err := calls(ctx, es, res.Services, o, nil)
		if err != nil {
			return nil, err
		}
		if p.n == &res.Shared {
			res.SharedDirect = direct
		}
		*p.n = bench.TotalRequests(env)
		switch p.n {
		case &res.One:
			perOne = reads(env)
			res.OneSignIns = bench.SignIns(env)
		case &res.Shared:
			res.SharedSignIns = bench.SignIns(env)
			res.PerSource = map[string][2]int{}
			for n, v := range reads(env) {
				res.PerSource[n] = [2]int{perOne[n], v}
			}
		}
	}
	if err := res.cooldown(ctx, env, r, &shared); err != nil {
		return nil, err
	}
	return res, res.killed(ctx, env, r, &shared, o)
}

// reads returns each fake's requests other than sign-ins.
func reads(env *demo.Env) map[string]int {
	out := map[string]int{}
	for n, s := range env.Servers {
		out[n] = s.Count("") - s.SignIns()
	}
	return out
}

// replicas builds k engines on cfg, each as `serve` starts: catalogs loaded, warmers done.
func replicas(env *demo.Env, cfg *config.Config, k int) []*engine.Engine {
	es := make([]*engine.Engine, k)
	var wg sync.WaitGroup
	for i := range es {
		es[i] = app.Engine(cfg, app.Options{CatalogFS: env.CatalogFS, Logger: quiet})
		wg.Go(func() { es[i].Directory(context.Background()); es[i].Close() })
	}
	wg.Wait()
	return es
}

// calls has o.Clients clients call incident_context o.Calls times each, client i on
// replica i mod len(es). It returns how many answers named a source read without the
// shared cache; a failed call is counted in failed, or (failed nil) ends the run.
func calls(ctx context.Context, es []*engine.Engine, services []string, o Options, failed *atomic.Int32) (int, error) {
	var wg sync.WaitGroup
	var direct atomic.Int32
	errs := make(chan error, o.Clients*o.Calls)
	for c := range o.Clients {
		wg.Go(func() {
			for i := range o.Calls {
				ans, err := es[c%len(es)].IncidentContext(ctx, engine.Query{Service: services[(c+i)%len(services)]})
				if err != nil {
					if failed != nil {
						failed.Add(1)
						continue
					}
					errs <- err
					return
				}
				for _, s := range ans.Sources {
					if s.Error != "" && s.Status == "ok" {
						direct.Add(1)
						break
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return int(direct.Load()), <-errs
}

// cooldown has PagerDuty answer 429 with a Retry-After longer than any deadline: the
// replica that meets it holds back, and so does the other one, which sends nothing.
func (res *Result) cooldown(ctx context.Context, env *demo.Env, r *Redis, cfg *config.Config) error {
	if err := r.Flush(ctx); err != nil {
		return err
	}
	pd := env.Servers["pagerduty"]
	es := replicas(env, cfg, 2)
	pd.AddFault(fake.Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"60"}},
		Body: `{"error":{"code":2020,"message":"Rate Limit Exceeded"}}`})
	defer pd.ClearFaults()
	pd.Reset()
	if _, err := es[0].IncidentContext(ctx, engine.Query{Service: res.Services[0]}); err != nil {
		return err
	}
	res.CooldownFirst = pd.Count("")
	ans, err := es[1].IncidentContext(ctx, engine.Query{Service: res.Services[1%len(res.Services)]})
	if err != nil {
		return err
	}
	res.CooldownOther = pd.Count("") - res.CooldownFirst
	for _, s := range ans.Sources {
		if s.Name == "pagerduty" && s.Status == "error" {
			res.CooldownHeld = res.CooldownOther == 0
		}
	}
	return nil
}

// killed runs the clients on two replicas sharing Redis, with every kind fresh for 100 ms
// only (so that calls keep asking the shared cache), and kills Redis while the first calls
// are under way; every call must still answer.
func (res *Result) killed(ctx context.Context, env *demo.Env, r *Redis, shared *config.Config, o Options) error {
	if err := r.Flush(ctx); err != nil {
		return err
	}
	cfg := *shared
	cfg.CacheTTL = map[string]time.Duration{}
	for _, k := range config.CacheKinds() {
		cfg.CacheTTL[k] = 100 * time.Millisecond
	}
	es := replicas(env, &cfg, 2)
	var failed atomic.Int32
	done := make(chan struct{})
	go func() {
		time.Sleep(2 * o.Latency) // the first calls are under way
		r.Kill()
		close(done)
	}()
	o.Calls *= 2
	direct, err := calls(ctx, es, res.Services, o, &failed)
	<-done
	res.KilledCalls, res.KilledFailed, res.KilledDirect = o.Clients*o.Calls, int(failed.Load()), direct
	if err != nil {
		return fmt.Errorf("with Redis killed: %w", err)
	}
	return nil
}

// quiet is the logger of the replicas' engines: measurements must not log.
var quiet = slog.New(slog.DiscardHandler)
