package directory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/model"
)

// levenshtein is the textbook full-matrix edit distance, the reference for distanceWithin.
func levenshtein(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
		}
	}
	return d[len(a)][len(b)]
}

func TestDistanceWithin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() []rune {
		r := make([]rune, rng.IntN(12))
		for i := range r {
			r[i] = rune('a' + rng.IntN(4))
		}
		return r
	}
	for range 5000 {
		a, b, k := word(), word(), rng.IntN(8)
		want := min(levenshtein(a, b), k+1)
		if got := distanceWithin(a, b, k); got != want {
			t.Fatalf("distanceWithin(%q, %q, %d) = %d, want %d", string(a), string(b), k, got, want)
		}
	}
}

func TestSuggestStopsWhenCancelled(t *testing.T) {
	var cat model.Catalog
	for i := range 1000 {
		name := fmt.Sprintf("svc-%s%c%d", strings.Repeat("x", i%7), 'a'+i%26, i)
		cat.Services = append(cat.Services, model.Service{ID: name, Name: name})
	}
	d := Build([]SourceCatalog{{Source: "catalogfile", Catalog: cat}}, nil)
	if got := d.LookupContext(context.Background(), "svc-xxa2"); len(got) == 0 {
		t.Fatal("no suggestion for a near name")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := d.LookupContext(ctx, "svc-xxa2"); len(got) != 0 {
		t.Fatalf("a cancelled lookup still suggested %d names", len(got))
	}
}
