package cache

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"
)

// racingShared is a Shared whose value arrives between a process's first look and its
// lock: another process stored it and let go of the lock in that moment.
type racingShared struct {
	mu     sync.Mutex
	data   []byte
	asOf   time.Time
	gets   int
	stored []byte // written by Set
}

func (s *racingShared) Get(context.Context, string) ([]byte, time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets++
	if s.gets == 1 {
		return nil, time.Time{}, false, nil // before the other process stored it
	}
	return s.data, s.asOf, true, nil
}

func (s *racingShared) Set(_ context.Context, _ string, data []byte, _ time.Time, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stored = data
	return nil
}

func (s *racingShared) Lock(context.Context, string, time.Duration) (func(), bool, error) {
	return func() {}, true, nil // the other process has let go
}

// TestSharedLookAgainUnderLock: a process that takes a key's lock looks for the value once
// more before it fetches, so a value another process stored meanwhile is not fetched again
// (in the Cache and in a shared Memo).
func TestSharedLookAgainUnderLock(t *testing.T) {
	b, _ := json.Marshal("theirs")
	ctx := context.Background()
	fetch := func(context.Context) (string, error) {
		t.Error("fetched although another process had stored the value")
		return "mine", nil
	}

	s := &racingShared{data: b, asOf: time.Now()}
	c := New(Options{Shared: s})
	if v, _, err := Fetch(ctx, c, KindAlerts, "pagerduty|checkout", fetch); v != "theirs" || err != nil {
		t.Errorf("cache: %q, %v; want the other process's value", v, err)
	}

	s = &racingShared{data: b, asOf: time.Now()}
	m := NewMemo[string](time.Minute).Share(s, "pagerduty|open incidents")
	if v, err := m.Get(ctx, "PCHKOUT", fetch); v != "theirs" || err != nil {
		t.Errorf("memo: %q, %v; want the other process's value", v, err)
	}
	if s.stored != nil {
		t.Errorf("memo stored %s again", s.stored)
	}
}

// TestSharedMemo: a shared Memo stores what it fetched for the other processes, with its
// age; a Memo of another process takes it without fetching; Refresh fetches and stores
// again; Put stays in the process.
func TestSharedMemo(t *testing.T) {
	s := &memShared{m: map[string]memValue{}}
	ctx := context.Background()
	calls := 0
	fetch := func(context.Context) ([]string, error) { calls++; return []string{"Q1", "Q2"}, nil }
	a := NewMemo[[]string](time.Minute).Share(s, "pd|open")
	b := NewMemo[[]string](time.Minute).Share(s, "pd|open")
	other := NewMemo[[]string](time.Minute).Share(s, "pd|alerts")
	if v, err := a.Get(ctx, "PCHKOUT", fetch); err != nil || len(v) != 2 {
		t.Fatalf("a: %v, %v", v, err)
	}
	if v, err := b.Get(ctx, "PCHKOUT", fetch); err != nil || len(v) != 2 || calls != 1 {
		t.Errorf("b: %v, %v after %d fetches; want a's value, one fetch", v, err, calls)
	}
	if _, err := other.Get(ctx, "PCHKOUT", fetch); err != nil || calls != 2 {
		t.Errorf("a memo of another name fetched %d times in all, want 2", calls)
	}
	if _, err := a.Refresh(ctx, "PCHKOUT", fetch); err != nil || calls != 3 {
		t.Errorf("refresh: %v after %d fetches, want 3", err, calls)
	}
	a.Put("PCART01", []string{"Q3"})
	if _, ok := s.m["memo\x00pd|open|PCART01"]; ok {
		t.Error("Put went to the shared cache")
	}
	if len(s.m) != 2 {
		t.Errorf("shared keys %v, want pd|open|PCHKOUT and pd|alerts|PCHKOUT", len(s.m))
	}
}

type memValue struct {
	data []byte
	asOf time.Time
}

// memShared is a Shared in memory whose locks are always free.
type memShared struct {
	mu sync.Mutex
	m  map[string]memValue
}

func (s *memShared) Get(_ context.Context, k string) ([]byte, time.Time, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v.data, v.asOf, ok, nil
}

func (s *memShared) Set(_ context.Context, k string, data []byte, asOf time.Time, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = memValue{data, asOf}
	return nil
}

func (s *memShared) Lock(context.Context, string, time.Duration) (func(), bool, error) {
	return func() {}, true, nil
}
