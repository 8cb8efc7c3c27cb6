package engine_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/model"
)

// swappable is a catalog source whose catalog a test may replace.
type swappable struct {
	mu  sync.Mutex
	cat model.Catalog
}

func (s *swappable) Name() string                { return "catalogfile" }
func (s *swappable) Check(context.Context) error { return nil }
func (s *swappable) Catalog(context.Context) (model.Catalog, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cat, nil
}
func (s *swappable) set(c model.Catalog) { s.mu.Lock(); s.cat = c; s.mu.Unlock() }

func services(n int, extra ...string) model.Catalog {
	var c model.Catalog
	for i := range n {
		c.Services = append(c.Services, model.Service{ID: fmt.Sprintf("svc-%05d", i), Name: fmt.Sprintf("svc-%05d", i), Owner: "team-a"})
	}
	for _, x := range extra {
		c.Services = append(c.Services, model.Service{ID: x, Name: x, Owner: "team-b"})
	}
	return c
}

// TestLargeDirectoryRebuildsInBackground: above AsyncRebuildAbove services, the first
// answer after a catalog refresh is served from the previous directory (callers do not
// wait for the build), and the refreshed catalog is answered from once the build is done.
// Small directories are rebuilt before the answer.
func TestLargeDirectoryRebuildsInBackground(t *testing.T) {
	for _, tc := range []struct {
		name       string
		services   int
		background bool
	}{
		{"small: rebuilt before answering", 50, false},
		{"large: rebuilt in background", engine.AsyncRebuildAbove + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &swappable{cat: services(tc.services)}
			var mu sync.Mutex
			clock := time.Now()
			now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
			e := engine.New(engine.Options{Sources: []connectors.Source{src}, Cache: cache.New(cache.Options{Now: now}), Now: now, Deadline: 5 * time.Second})
			ctx := context.Background()
			if _, err := e.IncidentContext(ctx, engine.Query{Service: "svc-00001"}); err != nil {
				t.Fatal(err)
			}
			src.set(services(tc.services, "newcomer"))
			mu.Lock()
			clock = clock.Add(time.Hour) // every catalog expired
			mu.Unlock()
			_, err := e.IncidentContext(ctx, engine.Query{Service: "newcomer"})
			var le *engine.LookupError
			if got := errors.As(err, &le); got != tc.background {
				t.Fatalf("first answer after the refresh: err = %v, want served from the previous directory = %v", err, tc.background)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				_, err := e.IncidentContext(ctx, engine.Query{Service: "newcomer"})
				if err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the refreshed catalog is never used: %v", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}
