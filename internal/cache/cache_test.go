package cache

import (
	"context"
	"testing"
	"time"
)

func TestTTL(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		kind Kind
		want time.Duration
	}{
		{"catalog default", Options{}, KindCatalog, 10 * time.Minute},
		{"oncall default", Options{}, KindOnCall, 5 * time.Minute},
		{"alerts default", Options{}, KindAlerts, 30 * time.Second},
		{"problems default", Options{}, KindProblems, 30 * time.Second},
		{"incidents default", Options{}, KindIncidents, 30 * time.Second},
		{"changes default", Options{}, KindChanges, 2 * time.Minute},
		{"slos default", Options{}, KindSLOs, time.Minute},
		{"override", Options{TTLs: map[Kind]time.Duration{KindAlerts: 5 * time.Second}}, KindAlerts, 5 * time.Second},
		{"override leaves others", Options{TTLs: map[Kind]time.Duration{KindAlerts: 5 * time.Second}}, KindSLOs, time.Minute},
		{"unknown kind", Options{}, Kind("nope"), 0},
		{"new kind via override", Options{TTLs: map[Kind]time.Duration{"nope": time.Hour}}, Kind("nope"), time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.opts).TTL(tt.kind); got != tt.want {
				t.Errorf("TTL(%q) = %v, want %v", tt.kind, got, tt.want)
			}
		})
	}
}

func TestDefaultTTLsIsACopy(t *testing.T) {
	DefaultTTLs()[KindAlerts] = time.Hour
	if got := DefaultTTLs()[KindAlerts]; got != 30*time.Second {
		t.Fatalf("DefaultTTLs shares state: alerts = %v", got)
	}
}

func TestFlush(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	calls := 0
	fetch := func(context.Context) (int, error) { calls++; return calls, nil }
	if v, _, _ := Fetch(ctx, c, KindCatalog, "k", fetch); v != 1 {
		t.Fatalf("first fetch = %d, want 1", v)
	}
	c.Flush()
	v, info, err := Fetch(ctx, c, KindCatalog, "k", fetch)
	if err != nil || v != 2 || info.Hit || calls != 2 {
		t.Fatalf("after Flush: v=%d info=%+v err=%v calls=%d, want refetch", v, info, err, calls)
	}
}

func TestFlushDropsInFlightResult(t *testing.T) {
	ctx := context.Background()
	c := New(Options{})
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan int)
	go func() {
		v, _, _ := Fetch(ctx, c, KindCatalog, "k", func(context.Context) (int, error) {
			close(started)
			<-release
			return 1, nil
		})
		done <- v
	}()
	<-started
	c.Flush()
	close(release)
	if v := <-done; v != 1 {
		t.Fatalf("in-flight caller got %d, want 1", v)
	}
	_, info, err := Fetch(ctx, c, KindCatalog, "k", func(context.Context) (int, error) { return 2, nil })
	if err != nil || info.Hit {
		t.Fatalf("result of a fetch started before Flush was stored: info=%+v err=%v", info, err)
	}
}
