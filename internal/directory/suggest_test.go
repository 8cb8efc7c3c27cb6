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

// TestLookupExplainsByKind: every candidate says how it matched by kind; a name the query
// is the beginning of ranks above one that merely contains it, and both above names a few
// letters apart; among prefixes the one with fewer letters beyond the query comes first; a
// name equal to the query is the answer, never a suggestion beside its longer namesakes.
func TestLookupExplainsByKind(t *testing.T) {
	var cat model.Catalog
	for _, n := range []string{"orders", "orders-db", "order-queue", "shop-orders", "checkout", "payments"} {
		cat.Services = append(cat.Services, model.Service{ID: n, Name: n, Aliases: map[string][]string{"orders": {"legacy-orders"}}[n]})
	}
	d := Build([]SourceCatalog{{Source: "catalogfile", Catalog: cat}}, nil)
	type want struct{ name, kind, how string }
	cases := []struct {
		query string
		exact bool
		want  []want
	}{
		{"orders", true, []want{{"orders", MatchExact, "exact name in catalogfile"}}},
		{"Legacy-Orders", true, []want{{"orders", MatchAlias, "alias in catalogfile"}}},
		{"order", false, []want{
			{"orders", MatchPrefix, `prefix: "orders" begins with "order"`},
			{"orders-db", MatchPrefix, `prefix: "orders-db" begins with "order"`},
			{"order-queue", MatchPrefix, `prefix: "order-queue" begins with "order"`},
			{"shop-orders", MatchContains, `contains: "shop-orders" contains "order"`},
		}},
		{"orders-db-replica", false, []want{{"orders-db", MatchPrefix, `prefix: "orders-db-replica" begins with "orders-db"`}}},
		{"orders-db-prod", true, []want{{"orders-db", MatchNormalized, "normalized name (orders-db)"}}},
		{"chekout", false, []want{{"checkout", MatchEditDistance, `edit distance 1 from "checkout"`}}},
		{"paymnets", false, []want{{"payments", MatchEditDistance, `edit distance 2 from "payments"`}}},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			got := d.Lookup(c.query)
			if len(got) < len(c.want) {
				t.Fatalf("%d candidates %+v, want at least %d", len(got), got, len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				if g.Entity.Name != w.name || g.Kind != w.kind || g.How != w.how || g.Exact != c.exact {
					t.Errorf("#%d: %s %s %q exact %v, want %s %s %q exact %v", i, g.Entity.Name, g.Kind, g.How, g.Exact, w.name, w.kind, w.how, c.exact)
				}
			}
			for _, g := range got {
				if strings.Contains(g.How, "distance") && g.Kind != MatchEditDistance {
					t.Errorf("%s: %q speaks of a distance for a %s match", g.Entity.Name, g.How, g.Kind)
				}
			}
		})
	}
}
