package memo

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestMemo(t *testing.T) {
	m := New[int](50 * time.Millisecond)
	calls := 0
	fetch := func(err error) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { calls++; return calls, err }
	}
	ctx := context.Background()
	steps := []struct {
		name      string
		key       string
		err       error
		sleep     time.Duration
		want      int
		wantCalls int
	}{
		{"first fetch", "a", nil, 0, 1, 1},
		{"kept within the TTL", "a", nil, 0, 1, 1},
		{"other key", "b", nil, 0, 2, 2},
		{"refetched after the TTL", "a", nil, 60 * time.Millisecond, 3, 3},
		{"error", "c", errors.New("boom"), 0, 4, 4},
		{"errors are not kept", "c", nil, 0, 5, 5},
	}
	for _, s := range steps {
		time.Sleep(s.sleep)
		got, err := m.Get(ctx, s.key, fetch(s.err))
		if got != s.want || calls != s.wantCalls || (err != nil) != (s.err != nil) {
			t.Errorf("%s: got %d, %v after %d calls; want %d after %d", s.name, got, err, calls, s.want, s.wantCalls)
		}
	}
	if _, ok := m.m["b"]; ok {
		t.Error("expired entry b not purged")
	}
}

// TestRefresh: a Refresh fetches even a fresh key and replaces the value on success only;
// while it runs, Get returns the kept value (expired or not) without fetching, or waits for
// it when nothing is kept.
func TestRefresh(t *testing.T) {
	ctx := context.Background()
	const ttl = 50 * time.Millisecond
	m := New[string](ttl)
	never := func(context.Context) (string, error) {
		t.Error("Get fetched although a refresh was running")
		return "", nil
	}
	value := func(v string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return v, nil }
	}
	// blocked returns a fetch that answers v once release is closed, and says when it started.
	blocked := func(v string, err error) (fetch func(context.Context) (string, error), started, release chan struct{}) {
		started, release = make(chan struct{}), make(chan struct{})
		return func(context.Context) (string, error) { close(started); <-release; return v, err }, started, release
	}

	if v, _ := m.Get(ctx, "k", value("v1")); v != "v1" {
		t.Fatalf("Get = %q", v)
	}
	if v, _ := m.Refresh(ctx, "k", value("v2")); v != "v2" {
		t.Fatalf("Refresh of a fresh key = %q, want a new fetch", v)
	}
	if v, _ := m.Get(ctx, "k", never); v != "v2" {
		t.Fatalf("Get after Refresh = %q, want v2", v)
	}

	time.Sleep(ttl + 10*time.Millisecond) // v2 expired
	fetch, started, release := blocked("v3", nil)
	var refresh sync.WaitGroup
	refresh.Go(func() {
		if v, err := m.Refresh(ctx, "k", fetch); v != "v3" || err != nil {
			t.Errorf("Refresh = %q, %v", v, err)
		}
	})
	<-started
	if v, _ := m.Get(ctx, "k", never); v != "v2" {
		t.Errorf("Get during a refresh = %q, want the kept (expired) v2", v)
	}
	close(release)
	refresh.Wait()
	if v, _ := m.Get(ctx, "k", never); v != "v3" {
		t.Errorf("Get after the refresh = %q, want v3", v)
	}

	fetch, started, release = blocked("", errors.New("boom"))
	go func() { _, _ = m.Refresh(ctx, "k", fetch) }()
	<-started
	close(release)
	for deadline := time.Now().Add(time.Second); ; time.Sleep(time.Millisecond) {
		m.mu.Lock()
		running := m.refreshing["k"] != nil
		m.mu.Unlock()
		if !running || time.Now().After(deadline) {
			break
		}
	}
	if v, _ := m.Get(ctx, "k", never); v != "v3" {
		t.Errorf("Get after a failed refresh = %q, want the kept v3", v)
	}

	fetch, started, release = blocked("n1", nil)
	go func() { _, _ = m.Refresh(ctx, "new", fetch) }()
	<-started
	got := make(chan string)
	go func() { v, _ := m.Get(ctx, "new", never); got <- v }()
	close(release)
	if v := <-got; v != "n1" {
		t.Errorf("Get of a key only being refreshed = %q, want to wait for n1", v)
	}
}
