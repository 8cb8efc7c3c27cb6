package pagerduty

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestMemo(t *testing.T) {
	m := newMemo[int](50 * time.Millisecond)
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
		got, err := m.get(ctx, s.key, fetch(s.err))
		if got != s.want || calls != s.wantCalls || (err != nil) != (s.err != nil) {
			t.Errorf("%s: got %d, %v after %d calls; want %d after %d", s.name, got, err, calls, s.want, s.wantCalls)
		}
	}
	if _, ok := m.m["b"]; ok {
		t.Error("expired entry b not purged")
	}
}

// TestAlertsPreferTheTarget: with a cap, the target's own incidents are read before its neighbours'.
func TestAlertsPreferTheTarget(t *testing.T) {
	src, srv := start(t, world(), 0)
	src.o.MaxAlertIncidents = 5
	if _, err := src.Alerts(context.Background(), checkout); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]int{"I1": 1, "I2": 1, "I3": 1, "I5": 1, "I4": 1, "I6": 0, "I7": 0} {
		if n := len(requests(srv, "/incidents/"+id+"/alerts")); n != want {
			t.Errorf("%d alert requests for %s, want %d", n, id, want)
		}
	}
}
