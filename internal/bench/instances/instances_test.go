package instances

import (
	"context"
	"testing"
	"time"
)

// TestInstancesRuns checks the instances measurement with a small latency: every instance
// answers, and each added instance is asked during the catalog-warm answer.
func TestInstancesRuns(t *testing.T) {
	r, err := Measure(context.Background(), Options{Latency: 20 * time.Millisecond, Reps: 1, Prometheus: 3, Alertmanager: 3, Dynatrace: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		t.Errorf("sources not ok: %v", r.Problems)
	}
	if added := r.Multi.HTTPSources - r.Base.HTTPSources; added != 2+2+1 {
		t.Errorf("%d instances added, want 5", added)
	}
	if r.Multi.Requests < r.Base.Requests+5 {
		t.Errorf("requests per answer %d -> %d: an added instance was not asked", r.Base.Requests, r.Multi.Requests)
	}
	if len(r.Multi.Next) != 1 || r.Multi.NextRequests < r.Base.NextRequests+5 {
		t.Errorf("second answer: %d timed, requests %d -> %d (every instance asked about the other service too)",
			len(r.Multi.Next), r.Base.NextRequests, r.Multi.NextRequests)
	}
}
