package join

import (
	"context"
	"slices"

	"github.com/opsctx/opsctx/internal/sanitize"
)

// ServiceCandidate is one possible service for a find_service query.
type ServiceCandidate struct {
	Name      string   `json:"name"`
	Title     string   `json:"title,omitempty"`
	OwnerTeam string   `json:"owner_team"`
	Kind      string   `json:"kind,omitempty"`
	Aliases   []string `json:"aliases"`
	// MatchedBy says how the query matched: exact name/id/title/alias in a source, normalised name, or similar name.
	MatchedBy string `json:"matched_by"`
	Exact     bool   `json:"exact"`
	// Records are the per-source records resolved to this service and how each was matched.
	Records []Match `json:"records"`
}

// FindResult is the result of find_service.
type FindResult struct {
	Query      string             `json:"query"`
	Candidates []ServiceCandidate `json:"candidates"`
	// Ambiguous is true when several services match the query exactly.
	Ambiguous bool `json:"ambiguous"`
	// Unmerged lists records that matched several services and were kept apart.
	Unmerged []Ambiguity   `json:"unmerged"`
	Sources  []SourceEntry `json:"sources"`
}

// concerns reports whether an ambiguity is about e: e is one of the candidates, or e is the
// record that was kept apart.
func concerns(a Ambiguity, e *Entity) bool {
	if slices.Contains(a.Candidates, e.Name) {
		return true
	}
	for _, r := range e.Records {
		if r.Source == a.Source && r.Name == a.Record {
			return true
		}
	}
	return false
}

// FindService lists the services a query may mean across every catalog, with how each matched.
func (e *Engine) FindService(ctx context.Context, query string) *FindResult {
	d, st := e.Directory(ctx)
	res := &FindResult{Query: query, Candidates: []ServiceCandidate{}, Unmerged: []Ambiguity{}, Sources: sourceEntries(st)}
	exact := 0
	for _, c := range d.Lookup(query) {
		sc := ServiceCandidate{Name: c.Entity.Name, Title: sanitize.Short(c.Entity.Title()), MatchedBy: c.How, Exact: c.Exact,
			Kind: c.Entity.Records[0].Kind, Aliases: c.Entity.Aliases(), Records: c.Entity.Matches}
		if sc.Aliases == nil {
			sc.Aliases = []string{}
		}
		if os := c.Entity.Owners(); len(os) > 0 {
			sc.OwnerTeam = os[0].Team
		}
		if c.Exact {
			exact++
		}
		res.Candidates = append(res.Candidates, sc)
		for _, a := range d.Ambiguities {
			if concerns(a, c.Entity) {
				res.Unmerged = append(res.Unmerged, a)
			}
		}
	}
	res.Ambiguous = exact > 1
	return res
}
