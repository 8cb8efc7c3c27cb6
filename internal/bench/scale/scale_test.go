package scale

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/directory"
)

// TestScaleAnswer: on a small synthetic organisation the join finds the target's own alerts,
// changes, problem and dependencies among thousands of others.
func TestScaleAnswer(t *testing.T) {
	r, err := Measure(context.Background(), SpecFor(1000), Options{Calls: 10, Sizes: true})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Answer
	if a.Service.Name != Target {
		t.Fatalf("answered about %q, want %q", a.Service.Name, Target)
	}
	var alerts int
	for _, g := range a.AlertGroups {
		if g.Service == Target {
			alerts += g.Count
		}
	}
	if alerts != 3 {
		t.Errorf("%d alerts on the target, want 3 (5xx, seen twice with one key, counts once; latency; crash loop)", alerts)
	}
	if !slices.ContainsFunc(a.Problems, func(p answer.ProblemEntry) bool { return p.ID == "P-4242" }) {
		t.Errorf("problem P-4242 missing: %+v", a.Problems)
	}
	for _, id := range []string{"evt-tgt-2", "CHG9000042"} {
		if !slices.ContainsFunc(a.Changes, func(c answer.ChangeEntry) bool { return c.ID == id }) {
			t.Errorf("change %s (on the target or its root cause) missing: %+v", id, a.Changes)
		}
	}
	if len(a.Dependencies.Upstream) < 3 {
		t.Errorf("%d upstream dependencies, want at least the 3 fixed ones", len(a.Dependencies.Upstream))
	}
	if len(r.Sizes) != len(bench.Details) {
		t.Errorf("%d answer sizes, want %d", len(r.Sizes), len(bench.Details))
	}
}

// BenchmarkScaleJoin is a cached incident_context on synthetic organisations.
func BenchmarkScaleJoin(b *testing.B) {
	for _, n := range []int{1000, 5000, 10000, 50000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			d := Generate(SpecFor(n))
			e := d.Engine(true)
			ctx := context.Background()
			qs := rotation(d)
			for _, q := range qs {
				if _, err := e.IncidentContext(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			i := 0
			for b.Loop() {
				if _, err := e.IncidentContext(ctx, qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkDirectoryBuild is the one-off directory build after a catalog refresh.
func BenchmarkDirectoryBuild(b *testing.B) {
	for _, n := range []int{1000, 10000, 50000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			d := Generate(SpecFor(n))
			cats := []directory.SourceCatalog{{Source: d.Catalog.SourceName, Catalog: d.Catalog.Cat}}
			for b.Loop() {
				_ = directory.Build(cats, nil)
			}
		})
	}
}

// TestHostileLookups: unknown-service lookups with huge names on a 5,000-service catalog,
// through the stdio transport, are tool errors with a short echo (the figures are the bench
// table's).
func TestHostileLookups(t *testing.T) {
	res, err := MeasureHostile(context.Background(), 5000, 3)
	if err != nil {
		t.Fatal(err)
	}
	for name, l := range map[string]Lookups{"stdio": res.Stdio, "http": res.HTTP} {
		if l.Echo == 0 || l.Echo > 200 {
			t.Errorf("%s: the error of a long argument is %d bytes", name, l.Echo)
		}
		t.Logf("%s: typo %s, at limit %s, 10 KB %s, 1 MB %s", name, l.Typo.Median(), l.AtLimit.Median(),
			l.Long[LongSizes[0]].Median(), l.Long[LongSizes[1]].Median())
	}
	t.Logf("CPU after cancel %s (idle %s)", res.CPUAfterCancel, res.CPUIdle)
}

// TestMeasureEntry: every entry point resolves to its service on a synthetic organisation
// (MeasureEntry checks each answer before timing it).
func TestMeasureEntry(t *testing.T) {
	r, err := MeasureEntry(context.Background(), SpecFor(1001), 3)
	if err != nil {
		t.Fatal(err)
	}
	for name, d := range map[string]bench.Durations{"name": r.Name, "repo": r.Repo, "monorepo": r.Monorepo, "path": r.Path,
		"host": r.Host, "shared host": r.SharedHost, "workload": r.Workload} {
		if len(d) != 3 {
			t.Errorf("%s: %d timings, want 3", name, len(d))
		}
	}
}
