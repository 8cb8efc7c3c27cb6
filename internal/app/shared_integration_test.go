//go:build integration

package app

import (
	"context"
	"log/slog"
	"testing"

	"github.com/opsctx/opsctx/config"
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
