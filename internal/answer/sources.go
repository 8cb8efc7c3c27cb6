package answer

import (
	"slices"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// SourceEntries turns the fetch's statuses into the `sources` of an answer.
func SourceEntries(st []model.SourceStatus) []SourceEntry {
	out := make([]SourceEntry, 0, len(st))
	for _, s := range st {
		out = append(out, SourceEntry{Name: s.Name, Status: s.Status, AsOf: s.AsOf.UTC(), LatencyMS: s.LatencyMS, Error: s.Error})
	}
	return out
}

// ServiceRefOf describes an entity for a result: the one place a ServiceRef is built.
func ServiceRefOf(ent *directory.Entity) ServiceRef {
	r := ServiceRef{ID: ent.Records[0].ID, Name: ent.Name, Title: ent.Title(), Aliases: ent.Aliases(), OwnerTeam: ent.Owner()}
	if r.Aliases == nil {
		r.Aliases = []string{}
	}
	return r
}

// fold and normalize are the directory's name keys.
var (
	fold      = directory.Fold
	normalize = directory.Normalize
)

func appendUnique(xs []string, v string) []string {
	if v == "" || slices.Contains(xs, v) {
		return xs
	}
	return append(xs, v)
}

// Cap keeps the first n items of xs and says how many it left out.
func Cap[T any](xs []T, n int) ([]T, int) {
	if len(xs) <= n {
		return xs, 0
	}
	return xs[:n], len(xs) - n
}
