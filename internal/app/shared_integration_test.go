//go:build integration

package app

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/realserver"
)

// TestReplicasShareTheCache: two engines configured with the same Redis are two replicas:
// what the first read (catalogs, warmed reference data, the service's data) the second
// answers from without a request to any source, with the same answer.
func TestReplicasShareTheCache(t *testing.T) {
	redis := realserver.StartRedis(t)
	ctx := context.Background()
	env, err := demo.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	env.Config.Cache.URL = config.Secret(redis.URL)
	o := Options{CatalogFS: env.CatalogFS, Logger: slog.New(slog.DiscardHandler)}
	first := Engine(env.Config, o)
	first.Directory(ctx)
	first.Close() // the warmers are done
	a, err := first.IncidentContext(ctx, engine.Query{Service: demo.Checkout})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range env.Servers {
		s.Reset()
	}
	second := Engine(env.Config, o)
	second.Directory(ctx)
	second.Close()
	b, err := second.IncidentContext(ctx, engine.Query{Service: demo.Checkout})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range env.Servers {
		if n := s.Count(""); n != 0 {
			t.Errorf("%s: %d requests from the second replica, want 0: %v", name, n, s.Requests()[0].Path)
		}
	}
	if a.Headline != b.Headline || len(a.AlertGroups) != len(b.AlertGroups) || len(a.OnCall) != len(b.OnCall) {
		t.Errorf("the replicas answer differently:\n%s\n%s", a.Headline, b.Headline)
	}
	for _, s := range b.Sources {
		if s.Status != model.StateOK && s.Status != model.StateDisabled {
			t.Errorf("second replica: %s %s (%s)", s.Name, s.Status, s.Error)
		}
	}
}

// TestReplicasAskingAtOnce: two replicas sharing Redis, started together and asked the same
// question at the same moment, send each upstream request (method and path) as often as one
// replica asked it twice at once does — the catalogs, the warmed reference data, the
// question's data and the reads connectors share within an answer (PagerDuty's incident
// listing and per-incident reads, Dynatrace's maintenance windows) are read once between
// them. Only sign-ins (OAuth token requests) are per replica: access tokens are never shared.
func TestReplicasAskingAtOnce(t *testing.T) {
	redis := realserver.StartRedis(t)
	ctx := context.Background()
	t0 := time.Now().UTC()
	env, err := demo.StartAt(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	o := Options{CatalogFS: env.CatalogFS, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return t0 }}
	// ask builds replicas engines on cfg, started together, and has two clients ask the
	// same question at once, client i of replica i mod replicas; it returns the requests by
	// source, method and path (sign-ins apart) and the answers.
	ask := func(cfg *config.Config, replicas int) (map[string]int, int, []*answer.IncidentContext) {
		for _, s := range env.Servers {
			s.Reset()
		}
		es := make([]*engine.Engine, replicas)
		var wg sync.WaitGroup
		for i := range es {
			es[i] = Engine(cfg, o)
			wg.Go(func() { es[i].Directory(ctx); es[i].Close() }) // the warmers are done
		}
		wg.Wait()
		answers := make([]*answer.IncidentContext, 2)
		start := make(chan struct{})
		for i := range answers {
			wg.Go(func() {
				<-start
				a, err := es[i%replicas].IncidentContext(ctx, engine.Query{Service: demo.Checkout})
				if err != nil {
					t.Error(err)
				}
				answers[i] = a
			})
		}
		close(start)
		wg.Wait()
		paths, signIns := map[string]int{}, 0
		for name, s := range env.Servers {
			for _, r := range s.Requests() {
				if s.SignIn(r) {
					signIns++
				} else {
					paths[name+" "+r.Method+" "+r.Path]++
				}
			}
		}
		return paths, signIns, answers
	}
	alone, aloneSignIns, _ := ask(env.Config, 1)
	shared := *env.Config
	shared.Cache.URL = config.Secret(redis.URL)
	two, twoSignIns, answers := ask(&shared, 2)
	for _, k := range slices.Sorted(maps.Keys(alone)) {
		if two[k] != alone[k] {
			t.Errorf("%s: %d requests from two replicas, %d from one", k, two[k], alone[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(two)) {
		if _, ok := alone[k]; !ok {
			t.Errorf("%s: %d requests from two replicas, none from one", k, two[k])
		}
	}
	if twoSignIns > 2*aloneSignIns {
		t.Errorf("sign-ins: %d from one replica, %d from two; want at most one per replica and source", aloneSignIns, twoSignIns)
	}
	for i, a := range answers {
		if a == nil {
			continue
		}
		if a.Headline != answers[0].Headline {
			t.Errorf("replica %d answers %q, the other %q", i, a.Headline, answers[0].Headline)
		}
		for _, s := range a.Sources {
			if s.Status != model.StateOK && s.Status != model.StateDisabled || s.Error != "" {
				t.Errorf("replica %d: %s %s (%s)", i, s.Name, s.Status, s.Error)
			}
		}
	}
}
