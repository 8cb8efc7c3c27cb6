package prometheus_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors/prometheus"
	"github.com/opsctx/opsctx/internal/fake"
	fakeprom "github.com/opsctx/opsctx/internal/fake/prometheus"
	"github.com/opsctx/opsctx/internal/model"
)

// TestSLORuleListingKept: the rule listing is reference data. Warm fetches it, SLOs then
// costs only its queries; without Warm SLOs fetches it once (sharing an in-flight Warm) and
// reuses it within ReferenceTTL; after the TTL it is fetched again; a failing Warm keeps
// nothing and breaks no later SLOs call.
func TestSLORuleListingKept(t *testing.T) {
	cases := []struct {
		name     string
		ttl      time.Duration // ReferenceTTL (0: the default, 10 min)
		warm     string        // before the SLOs calls: "", "done", "failing" or "in flight"
		calls    int           // SLOs calls
		pause    time.Duration // between SLOs calls
		listings int           // /api/v1/rules requests in all
		bySLOs   int           // of which the SLOs calls made
	}{
		{"after Warm, SLOs only queries", 0, "done", 2, 0, 1, 0},
		{"without Warm, fetched once and reused within the TTL", 0, "", 3, 0, 1, 1},
		{"after the TTL, fetched again", 50 * time.Millisecond, "", 2, 150 * time.Millisecond, 2, 2},
		{"a failing Warm does not break SLOs", 0, "failing", 2, 0, 2, 1},
		{"SLOs shares an in-flight Warm", 0, "in flight", 1, 0, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := startSLO(t, fakeprom.Options{}, sloData(), prometheus.Options{ReferenceTTL: tc.ttl})
			ctx := context.Background()
			warmed := make(chan error, 1)
			switch tc.warm {
			case "done":
				warmed <- src.Warm(ctx)
			case "failing":
				srv.AddFault(fake.Fault{PathPrefix: "/api/v1/rules", Times: 1, Status: 503, Body: "rule manager not ready"})
				if err := src.Warm(ctx); err == nil || !strings.Contains(err.Error(), "503") {
					t.Fatalf("Warm: %v, want the 503", err)
				}
				warmed <- nil
			case "in flight":
				srv.SetLatency(150 * time.Millisecond)
				go func() { warmed <- src.Warm(ctx) }()
				for srv.Count("/api/v1/rules") == 0 {
					time.Sleep(time.Millisecond)
				}
			default:
				warmed <- nil
			}
			bySLOs := 0
			for i := range tc.calls {
				if i > 0 {
					time.Sleep(tc.pause)
				}
				before := srv.Requests()
				got, err := src.SLOs(ctx, model.Target{Name: "checkout"})
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				var sums []string
				for _, s := range got {
					sums = append(sums, sloSummary(s))
				}
				if want := []string{checkoutSloth, checkoutPyrra}; !slices.Equal(sums, want) {
					t.Errorf("call %d: SLOs\n %s\nwant\n %s", i, strings.Join(sums, "\n "), strings.Join(want, "\n "))
				}
				queries := 0
				for _, r := range srv.Requests()[len(before):] {
					switch r.Path {
					case "/api/v1/query":
						queries++
					case "/api/v1/rules":
						bySLOs++
					default:
						t.Errorf("call %d: unexpected request %s", i, r.Path)
					}
				}
				if queries != 2 {
					t.Errorf("call %d: %d queries, want 2 (Sloth, Pyrra)", i, queries)
				}
			}
			if err := <-warmed; err != nil {
				t.Fatalf("Warm: %v", err)
			}
			if n := srv.Count("/api/v1/rules"); n != tc.listings || bySLOs != tc.bySLOs {
				t.Errorf("%d rules requests (%d by SLOs), want %d (%d by SLOs)", n, bySLOs, tc.listings, tc.bySLOs)
			}
		})
	}
}

// TestSLOsOneRoundWhenWarm: with the listing kept, every SLO (Sloth and Pyrra batches, the
// Pyrra objective from alerting rules, declared SLOs) is read in one concurrent round: at
// latency L the call takes one L, not one per batch.
func TestSLOsOneRoundWhenWarm(t *testing.T) {
	d := sloData()
	d.Answers = answers(map[string]float64{"5m": 1, "30m": 1, "1h": 1, "6h": 1, "3d": 1, "30d": 1},
		map[string]float64{"5m": 100, "30m": 100, "1h": 100, "6h": 100, "3d": 100, "30d": 100}, declaredSLOs()[0].ErrorQuery, declaredSLOs()[0].TotalQuery)
	src, srv := startSLO(t, fakeprom.Options{}, d, prometheus.Options{SLOs: declaredSLOs()[:1]})
	ctx := context.Background()
	if err := src.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Reset()
	got, err := src.SLOs(ctx, model.Target{})
	if err != nil || len(got) != 5 {
		t.Fatalf("%d SLOs, %v", len(got), err)
	}
	if n, q := srv.Count(""), srv.Count("/api/v1/query"); n != 3 || q != 3 {
		t.Errorf("%d requests, %d queries: want 3 queries only (Sloth, Pyrra, declared)", n, q)
	}
	// One round: with every query hanging, all three are still asked.
	srv.Reset()
	srv.AddFault(fake.Fault{PathPrefix: "/api/v1/query", Hang: true})
	hung, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	_, _ = src.SLOs(hung, model.Target{})
	if q := srv.Count("/api/v1/query"); q != 3 {
		t.Errorf("%d queries asked while the first hung, want all 3 at once", q)
	}
}
