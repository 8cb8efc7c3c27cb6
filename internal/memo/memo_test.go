package memo

import (
	"context"
	"errors"
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
