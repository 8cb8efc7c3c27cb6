package engine_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// asked is a source of every per-service kind that counts what it was asked for.
type asked struct {
	*fake.Memory
	mu    sync.Mutex
	calls map[string]int
}

func (a *asked) note(kind string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls[kind]++
}
func (a *asked) count(kind string) int { a.mu.Lock(); defer a.mu.Unlock(); return a.calls[kind] }

func (a *asked) Alerts(ctx context.Context, t model.Target) ([]model.Alert, error) {
	a.note("alerts")
	return a.Memory.Alerts(ctx, t)
}
func (a *asked) Problems(ctx context.Context, t model.Target) ([]model.Problem, error) {
	a.note("problems")
	return a.Memory.Problems(ctx, t)
}
func (a *asked) Incidents(ctx context.Context, t model.Target) ([]model.Incident, error) {
	a.note("incidents")
	return a.Memory.Incidents(ctx, t)
}
func (a *asked) Changes(ctx context.Context, t model.Target) ([]model.Change, error) {
	a.note("changes")
	return a.Memory.Changes(ctx, t)
}
func (a *asked) Responders(ctx context.Context, t model.Target) (model.Responders, error) {
	a.note("on-call")
	return a.Memory.Responders(ctx, t)
}
func (a *asked) SLOs(ctx context.Context, t model.Target) ([]model.SLO, error) {
	a.note("slos")
	return a.Memory.SLOs(ctx, t)
}
func (a *asked) Mutes(ctx context.Context, t model.Target) ([]model.Mute, error) {
	a.note("mutes")
	return a.Memory.Mutes(ctx, t)
}

// TestEachToolAsksOnlyForWhatItUses: an answer fetches only the kinds of data it reads
// (what_changed never asks for on-call, SLOs or mutes; who_owns asks for everything its
// timeline reads: the trouble's start, scheduled changes, silences and maintenance).
func TestEachToolAsksOnlyForWhatItUses(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		tool        string
		ask         func(*asked) error
		want, never []string
	}{
		{"what_changed", func(a *asked) error {
			_, err := newEngine(time.Second, &fake.Memory{SourceName: "catalogfile", Cat: shopCatalog()}, a).WhatChanged(ctx, engine.Service("checkout"), time.Hour, true, 10)
			return err
		}, []string{"changes", "problems", "incidents", "alerts"}, []string{"on-call", "slos", "mutes"}},
		{"who_owns", func(a *asked) error {
			_, err := newEngine(time.Second, &fake.Memory{SourceName: "catalogfile", Cat: shopCatalog()}, a).WhoOwns(ctx, engine.Service("checkout"), 0)
			return err
		}, []string{"on-call", "incidents", "alerts", "slos", "problems", "changes", "mutes"}, nil},
		{"blast_radius", func(a *asked) error {
			_, err := newEngine(time.Second, &fake.Memory{SourceName: "catalogfile", Cat: shopCatalog()}, a).BlastRadius(ctx, engine.Service("checkout"), 2)
			return err
		}, []string{"problems", "alerts", "incidents"}, []string{"changes", "on-call", "slos", "mutes"}},
	} {
		a := &asked{Memory: &fake.Memory{SourceName: "m"}, calls: map[string]int{}}
		if err := tc.ask(a); err != nil {
			t.Fatalf("%s: %v", tc.tool, err)
		}
		for _, k := range tc.want {
			if a.count(k) != 1 {
				t.Errorf("%s asked for %s %d times, want once", tc.tool, k, a.count(k))
			}
		}
		for _, k := range tc.never {
			if a.count(k) != 0 {
				t.Errorf("%s asked for %s, which it never reads", tc.tool, k)
			}
		}
	}
}
