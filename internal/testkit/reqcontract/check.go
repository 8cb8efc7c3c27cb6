package reqcontract

import (
	"maps"
	"slices"
	"testing"

	"github.com/opsctx/opsctx/internal/fake"
)

// Group sorts a source's requests by the contract they fall under (Route).
func Group(source string, reqs []fake.Request) map[string][]fake.Request {
	out := map[string][]fake.Request{}
	for _, r := range reqs {
		name := Route(source, r.Path)
		out[name] = append(out[name], r)
	}
	return out
}

// Check fails t for every way one of the source's requests leaves its contract and returns
// how many distinct shapes (Shape) each contract saw.
func Check(t testing.TB, source string, reqs []fake.Request) map[string]int {
	t.Helper()
	shapes := map[string]int{}
	groups := Group(source, reqs)
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		v, ok := Vendors[name]
		if !ok {
			t.Errorf("%s has no contract in reqcontract.Vendors", name)
			continue
		}
		c, err := Load(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		seen := map[string]bool{}
		for _, r := range groups[name] {
			seen[c.Shape(v, r)] = true
			for _, msg := range c.Violations(v, r) {
				t.Errorf("%s: %s", name, msg)
			}
		}
		shapes[name] = len(seen)
	}
	return shapes
}
