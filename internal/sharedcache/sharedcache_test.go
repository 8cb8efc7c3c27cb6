//go:build integration

package sharedcache

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/testkit/realserver"
)

func open(t *testing.T, url, ns string, logs *bytes.Buffer) *Store {
	t.Helper()
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	s, err := Open(Options{URL: url, Namespace: ns, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// replica is one process: its own in-process cache in front of its own connection to the
// shared Redis.
func replica(t *testing.T, url string, ttl time.Duration) *cache.Cache {
	return cache.New(cache.Options{Shared: open(t, url, "test", nil), TTLs: map[cache.Kind]time.Duration{cache.KindAlerts: ttl}})
}

// TestLockUnderConcurrency: 16 replicas asking for the same data at once reach the upstream
// once, and all get its value.
func TestLockUnderConcurrency(t *testing.T) {
	redis := realserver.StartRedis(t)
	var calls atomic.Int32
	fetch := func(ctx context.Context) ([]string, error) {
		calls.Add(1)
		time.Sleep(100 * time.Millisecond) // the others ask meanwhile
		return []string{"HighErrorRate", "checkout"}, nil
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	got := make([][]string, 16)
	errs := make([]error, 16)
	for i := range got {
		c := replica(t, redis.URL, time.Minute)
		wg.Go(func() {
			<-start
			got[i], _, errs[i] = cache.Fetch(context.Background(), c, cache.KindAlerts, "prometheus|checkout", fetch)
		})
	}
	close(start)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("%d upstream fetches for 16 replicas, want 1", n)
	}
	for i := range got {
		if errs[i] != nil || len(got[i]) != 2 || got[i][0] != "HighErrorRate" {
			t.Errorf("replica %d: %v, %v", i, got[i], errs[i])
		}
	}
}

// TestTTLExpiry: a value is shared for its kind's TTL; once Redis has expired it, the next
// replica fetches again.
func TestTTLExpiry(t *testing.T) {
	redis := realserver.StartRedis(t)
	var calls atomic.Int32
	fetch := func(ctx context.Context) (int, error) { return int(calls.Add(1)), nil }
	ctx := context.Background()
	const ttl = 300 * time.Millisecond
	if v, _, err := cache.Fetch(ctx, replica(t, redis.URL, ttl), cache.KindAlerts, "k", fetch); v != 1 || err != nil {
		t.Fatalf("first replica: %d, %v", v, err)
	}
	if v, info, err := cache.Fetch(ctx, replica(t, redis.URL, ttl), cache.KindAlerts, "k", fetch); v != 1 || err != nil || info.Shared != nil {
		t.Fatalf("second replica within the TTL: %d, %v, %+v; want the first one's value", v, err, info)
	}
	s := open(t, redis.URL, "test", nil)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, _, ok, _ := s.Get(ctx, string(cache.KindAlerts)+"\x00k"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the shared value never expired")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v, _, err := cache.Fetch(ctx, replica(t, redis.URL, ttl), cache.KindAlerts, "k", fetch); v != 2 || err != nil {
		t.Errorf("third replica after the TTL: %d, %v; want a new fetch", v, err)
	}
}

// TestRedisDown: with Redis unreachable (or gone mid-run) every fetch goes to the upstream
// and answers; Info.Shared says the shared cache was bypassed; the outage and the recovery
// are logged once each; no command waits once the store knows Redis is down.
func TestRedisDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there
	var logs bytes.Buffer
	c := cache.New(cache.Options{Shared: open(t, "redis://"+addr+"/0", "test", &logs)})
	ctx := context.Background()
	for i := range 3 {
		v, info, err := cache.Fetch(ctx, c, cache.KindAlerts, "k"+string(rune('a'+i)), func(context.Context) (string, error) { return "fresh", nil })
		if v != "fresh" || err != nil || !errors.Is(info.Shared, ErrUnavailable) {
			t.Errorf("fetch %d: %q, %v, shared %v; want the upstream's value and the outage", i, v, err, info.Shared)
		}
	}
	if n := strings.Count(logs.String(), "shared cache unreachable"); n != 1 {
		t.Errorf("outage logged %d times, want once:\n%s", n, logs.String())
	}

	// Redis killed mid-run.
	redis := realserver.StartRedis(t)
	var kl bytes.Buffer
	s := open(t, redis.URL, "test", &kl)
	c = cache.New(cache.Options{Shared: s})
	if _, info, _ := cache.Fetch(ctx, c, cache.KindAlerts, "before", func(context.Context) (int, error) { return 1, nil }); info.Shared != nil {
		t.Fatalf("with Redis up: %v", info.Shared)
	}
	redis.Stop()
	v, info, err := cache.Fetch(ctx, c, cache.KindAlerts, "after", func(context.Context) (int, error) { return 2, nil })
	if v != 2 || err != nil || info.Shared == nil {
		t.Errorf("after Redis died: %d, %v, shared %v; want the upstream's value and the outage", v, err, info.Shared)
	}
	if !strings.Contains(kl.String(), "shared cache unreachable") {
		t.Errorf("the outage is not logged:\n%s", kl.String())
	}
}

// TestRecovery: after an outage the store tries Redis again and logs that it is back.
func TestRecovery(t *testing.T) {
	redis := realserver.StartRedis(t)
	var logs bytes.Buffer
	s, err := Open(Options{URL: redis.URL, Namespace: "test", Backoff: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.mu.Lock()
	s.down, s.lastErr = true, errors.New("simulated") // as after a failure
	s.mu.Unlock()
	if err := s.Set(ctx, "k", []byte("v"), time.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if s.Err() != nil || !strings.Contains(logs.String(), "shared cache reachable again") {
		t.Errorf("after a successful command: Err %v, logs:\n%s", s.Err(), logs.String())
	}
}

// TestNamespaces: stores of other configurations on the same Redis never see each other's
// values.
func TestNamespaces(t *testing.T) {
	redis := realserver.StartRedis(t)
	ctx := context.Background()
	a, b := open(t, redis.URL, "config-a", nil), open(t, redis.URL, "config-b", nil)
	if err := a.Set(ctx, "k", []byte("a's"), time.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, _, ok, _ := b.Get(ctx, "k"); ok {
		t.Error("another namespace read the value")
	}
	if d, _, ok, _ := a.Get(ctx, "k"); !ok || string(d) != "a's" {
		t.Errorf("own namespace: %q, %v", d, ok)
	}
}

// TestSharedCooldown: a 429 one replica met holds the other: its request is not sent and it
// answers with the rate limit and the time left.
func TestSharedCooldown(t *testing.T) {
	redis := realserver.StartRedis(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"message":"Rate Limit Exceeded"}}`))
	}))
	defer srv.Close()
	client := func() *httpx.Client {
		return httpx.New(httpx.Options{Source: "pagerduty", BaseURL: srv.URL, RetryMax: -1, Cooldowns: open(t, redis.URL, "test", nil)})
	}
	ctx := context.Background()
	if _, err := client().Get(ctx, "/incidents", nil); httpx.StatusOf(err) != http.StatusTooManyRequests {
		t.Fatalf("first replica: %v, want the 429", err)
	}
	before := hits.Load()
	_, err := client().Get(ctx, "/oncalls", nil)
	if httpx.StatusOf(err) != http.StatusTooManyRequests || !strings.Contains(err.Error(), "left") {
		t.Errorf("second replica: %v; want the shared rate limit with the time left", err)
	}
	if hits.Load() != before {
		t.Errorf("the second replica sent its request during the cool-down")
	}
}

// TestSubjectLock: the kinds of one subject (a source and what is asked of it) are fetched
// by the replica that asked first, concurrently, while another replica asking one of them
// waits for its value instead of fetching it.
func TestSubjectLock(t *testing.T) {
	redis := realserver.StartRedis(t)
	a, b := replica(t, redis.URL, time.Minute), replica(t, redis.URL, time.Minute)
	ctx := context.Background()
	var calls atomic.Int32
	started := make(chan struct{}, 2)
	both := make(chan struct{})
	var once sync.Once
	fetch := func(what string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			calls.Add(1)
			started <- struct{}{}
			if len(started) == 2 {
				once.Do(func() { close(both) })
			}
			select { // both kinds are in flight at once: the lock does not serialise them
			case <-both:
			case <-time.After(20 * time.Second):
				return "", errors.New(what + ": the other kind never started")
			}
			return what, nil
		}
	}
	var wg sync.WaitGroup
	var gotA1, gotA2, gotB string
	var errA1, errA2, errB error
	wg.Go(func() { gotA1, _, errA1 = cache.Fetch(ctx, a, cache.KindAlerts, "pagerduty|checkout", fetch("alerts")) })
	wg.Go(func() {
		gotA2, _, errA2 = cache.Fetch(ctx, a, cache.KindChanges, "pagerduty|checkout", fetch("changes"))
	})
	<-both // replica a holds the subject
	gotB, _, errB = cache.Fetch(ctx, b, cache.KindChanges, "pagerduty|checkout", fetch("changes by b"))
	wg.Wait()
	if errA1 != nil || errA2 != nil || errB != nil || gotA1 != "alerts" || gotA2 != "changes" || gotB != "changes" {
		t.Errorf("a: %q %v, %q %v; b: %q %v", gotA1, errA1, gotA2, errA2, gotB, errB)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (replica b waits for a's changes)", n)
	}
}
