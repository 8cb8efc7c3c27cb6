package answer

import (
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
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
	Records []directory.Match `json:"records"`
}

// FindResult is the result of find_service.
type FindResult struct {
	Query      string             `json:"query"`
	Candidates []ServiceCandidate `json:"candidates"`
	// Ambiguous is true when several services match the query exactly.
	Ambiguous bool `json:"ambiguous"`
	// Unmerged lists records that matched several services and were kept apart.
	Unmerged []directory.Ambiguity `json:"unmerged"`
	Sources  []SourceEntry         `json:"sources"`
}

// FindService lists the services query may mean across every catalog, with how each matched.
func FindService(d *directory.Directory, query string, sources []model.SourceStatus) *FindResult {
	res := &FindResult{Query: query, Candidates: []ServiceCandidate{}, Unmerged: []directory.Ambiguity{}, Sources: SourceEntries(sources)}
	exact := 0
	for _, c := range d.Lookup(query) {
		sc := ServiceCandidate{Name: c.Entity.Name, Title: sanitize.Short(c.Entity.Title()), MatchedBy: c.How, Exact: c.Exact,
			Kind: c.Entity.Records[0].Kind, Aliases: c.Entity.Aliases(), Records: c.Entity.Matches}
		if sc.Aliases == nil {
			sc.Aliases = []string{}
		}
		sc.OwnerTeam = c.Entity.Owner()
		if c.Exact {
			exact++
		}
		res.Candidates = append(res.Candidates, sc)
		for _, a := range d.Ambiguities {
			if a.Concerns(c.Entity) {
				res.Unmerged = append(res.Unmerged, a)
			}
		}
	}
	res.Ambiguous = exact > 1
	return res
}
