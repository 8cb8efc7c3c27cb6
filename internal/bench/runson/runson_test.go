package runson

import (
	"context"
	"testing"
	"time"
)

// TestMeasureRuns checks the runs-on measurement: the service's answer lists its 3 hosts and
// every source answers (timing is the benchmark's, not this test's).
func TestMeasureRuns(t *testing.T) {
	r, err := Measure(context.Background(), Options{Latency: 20 * time.Millisecond, Reps: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.RunsOn != 3 || len(r.Ground) == 0 || len(r.Base) == 0 || len(r.Problems) > 0 {
		t.Errorf("runs on %d hosts, %d/%d answers, problems %v", r.RunsOn, len(r.Ground), len(r.Base), r.Problems)
	}
}
