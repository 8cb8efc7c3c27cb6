package cache

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"
)

func TestMemo(t *testing.T) {
	m := NewMemo[int](50 * time.Millisecond)
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
	m := NewMemo[string](ttl)
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

// TestPutLastClear: Put keeps a value as fetched, Last reads it whatever its age, Clear
// forgets every kept value.
func TestPutLastClear(t *testing.T) {
	m := NewMemo[string](time.Minute)
	steps := []struct {
		name   string
		do     func()
		key    string
		want   string
		wantOK bool
	}{
		{"nothing kept", func() {}, "a", "", false},
		{"put", func() { m.Put("a", "x") }, "a", "x", true},
		{"put replaces", func() { m.Put("a", "y") }, "a", "y", true},
		{"cleared", m.Clear, "a", "", false},
	}
	for _, s := range steps {
		s.do()
		if got, ok := m.Last(s.key); got != s.want || ok != s.wantOK {
			t.Errorf("%s: Last(%q) = %q, %v; want %q, %v", s.name, s.key, got, ok, s.want, s.wantOK)
		}
	}
	m.Put("b", "kept")
	if v, err := m.Get(context.Background(), "b", func(context.Context) (string, error) { return "fetched", nil }); err != nil || v != "kept" {
		t.Errorf("Get after Put = %q, %v; want the put value without a fetch", v, err)
	}
}

// TestGetMany: keys kept for less than maxAge are not fetched again, the others are
// fetched in one call, a key another call is fetching is waited for (one fetch per key),
// and a key the fetch does not find keeps its expired value.
func TestGetMany(t *testing.T) {
	m := NewMemo[string](time.Hour)
	ctx := context.Background()
	var mu sync.Mutex
	var asked [][]string
	fetch := func(found map[string]string) func(context.Context, []string) (map[string]string, error) {
		return func(_ context.Context, keys []string) (map[string]string, error) {
			mu.Lock()
			asked = append(asked, keys)
			mu.Unlock()
			out := map[string]string{}
			for _, k := range keys {
				if v, ok := found[k]; ok {
					out[k] = v
				}
			}
			return out, nil
		}
	}
	got, err := m.GetMany(ctx, []string{"a", "b", "nope"}, time.Hour, fetch(map[string]string{"a": "A1", "b": "B1"}))
	if err != nil || len(got) != 2 || got["a"] != "A1" || got["b"] != "B1" {
		t.Fatalf("first GetMany = %v, %v", got, err)
	}
	got, _ = m.GetMany(ctx, []string{"a", "c"}, time.Hour, fetch(map[string]string{"c": "C1"}))
	if got["a"] != "A1" || got["c"] != "C1" || len(asked) != 2 || len(asked[1]) != 1 || asked[1][0] != "c" {
		t.Errorf("second GetMany = %v, fetched %v; want only c fetched", got, asked)
	}
	// maxAge 0: everything is read again; b is not found any more and keeps its old value.
	got, _ = m.GetMany(ctx, []string{"a", "b"}, 0, fetch(map[string]string{"a": "A2"}))
	if got["a"] != "A2" || got["b"] != "B1" {
		t.Errorf("refresh = %v, want a refreshed and b's expired value kept", got)
	}

	// Two concurrent calls for one key: one fetch, both get it.
	release := make(chan struct{})
	started := make(chan struct{})
	calls := 0
	slow := func(context.Context, []string) (map[string]string, error) {
		calls++
		close(started)
		<-release
		return map[string]string{"d": "D"}, nil
	}
	var wg sync.WaitGroup
	results := make([]string, 2)
	wg.Add(1)
	go func() { defer wg.Done(); r, _ := m.GetMany(ctx, []string{"d"}, time.Hour, slow); results[0] = r["d"] }()
	<-started
	wg.Add(1)
	go func() { defer wg.Done(); r, _ := m.GetMany(ctx, []string{"d"}, time.Hour, slow); results[1] = r["d"] }()
	close(release)
	wg.Wait()
	if calls != 1 || results[0] != "D" || results[1] != "D" {
		t.Errorf("concurrent GetMany: %d fetches, results %v; want 1 fetch and D twice", calls, results)
	}
}

// TestMemoJSON: a memo encodes the values it keeps (not failures, not fetches in flight), and
// a fresh memo decoding them serves them without fetching.
func TestMemoJSON(t *testing.T) {
	ctx := context.Background()
	m := NewMemo[[]string](time.Hour)
	m.Put("a", []string{"x", "y"})
	_, _ = m.Get(ctx, "failed", func(context.Context) ([]string, error) { return nil, errors.New("boom") })
	block := make(chan struct{})
	defer close(block)
	go func() {
		_, _ = m.Get(ctx, "in flight", func(context.Context) ([]string, error) { <-block; return []string{"late"}, nil })
	}()
	b, err := json.Marshal(m)
	if err != nil || string(b) != `{"a":["x","y"]}` {
		t.Fatalf("MarshalJSON = %s, %v", b, err)
	}
	fresh := NewMemo[[]string](time.Hour)
	if err := json.Unmarshal(b, fresh); err != nil {
		t.Fatal(err)
	}
	got, err := fresh.Get(ctx, "a", func(context.Context) ([]string, error) { t.Error("fetched a kept value"); return nil, nil })
	if err != nil || !reflect.DeepEqual(got, []string{"x", "y"}) {
		t.Errorf("Get after UnmarshalJSON = %v, %v", got, err)
	}
	if err := json.Unmarshal([]byte(`[1]`), fresh); err == nil {
		t.Error("UnmarshalJSON of a list: no error")
	}
}
