package answer

import (
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/directory/namekey"
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

// AppendUnique appends v to xs unless it is empty or already there.
func AppendUnique(xs []string, v string) []string { return namekey.AppendUnique(xs, v) }

// Cap keeps the first n items of xs and says how many it left out.
func Cap[T any](xs []T, n int) ([]T, int) {
	if len(xs) <= n {
		return xs, 0
	}
	return xs[:n], len(xs) - n
}

// NoSourceConfigured is what every answer says when no source is configured: "0 groups"
// would read as "nothing is open".
const NoSourceConfigured = "no source is configured, so nothing was asked and nothing is known: set a source's URL or credentials (e.g. PROMETHEUS_URL, PAGERDUTY_API_TOKEN; see `opsctx check`)"

// Configured reports whether any source in st is configured.
func Configured(st []SourceEntry) bool {
	return slices.ContainsFunc(st, func(s SourceEntry) bool { return s.Status != model.StateDisabled })
}

// SourceCaveat is what a headline adds about its sources, so that a quiet answer is never
// read as "all clear" when it is not: none configured, those that failed (unknown there),
// those that may be incomplete, those served from an older copy (how old).
func SourceCaveat(st []SourceEntry) string {
	if !Configured(st) {
		return " (" + NoSourceConfigured + ")"
	}
	var down, partial, stale []string
	for _, s := range st {
		switch s.Status {
		case model.StateError:
			down = append(down, s.Name)
		case model.StatePartial:
			partial = append(partial, s.Name)
		case model.StateStale:
			stale = append(stale, s.Name)
		}
	}
	out := ""
	if len(down) > 0 {
		out += " (unavailable: " + strings.Join(down, ", ") + ")"
	}
	if len(partial) > 0 {
		out += " (may be incomplete: " + strings.Join(partial, ", ") + ")"
	}
	if len(stale) > 0 {
		out += " (served from an older copy: " + strings.Join(stale, ", ") + ")"
	}
	return out
}
