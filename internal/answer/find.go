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
	Query string `json:"query"`
	// Kind is what the query was taken for when it is not a name: an incident, a repo, a
	// path or a host.
	Kind       EntryKind          `json:"kind,omitempty"`
	Candidates []ServiceCandidate `json:"candidates"`
	// Ambiguous is true when several services match the query exactly.
	Ambiguous bool `json:"ambiguous"`
	// Unmerged lists records that matched several services and were kept apart.
	Unmerged []directory.Ambiguity `json:"unmerged"`
	Sources  []SourceEntry         `json:"sources"`
}

// Match is a service a find_service query led to, how, and whether it is an answer (Exact)
// or a suggestion.
type Match struct {
	Entity *directory.Entity
	How    string
	Exact  bool
}

// FindService lists the services a name may mean across every catalog, with how each matched.
func FindService(d *directory.Directory, query string, sources []model.SourceStatus) *FindResult {
	var ms []Match
	for _, c := range d.Lookup(query) {
		ms = append(ms, Match{Entity: c.Entity, How: c.How, Exact: c.Exact})
	}
	return Found(d, query, "", ms, sources)
}

// Found assembles find_service from the services an input led to, best first, each once.
func Found(d *directory.Directory, query string, kind EntryKind, ms []Match, sources []model.SourceStatus) *FindResult {
	res := &FindResult{Query: query, Kind: kind, Candidates: []ServiceCandidate{}, Unmerged: []directory.Ambiguity{}, Sources: SourceEntries(sources)}
	exact := 0
	seen := map[*directory.Entity]bool{}
	for _, c := range ms {
		if seen[c.Entity] {
			continue
		}
		seen[c.Entity] = true
		sc := ServiceCandidate{Name: c.Entity.Name, Title: sanitize.Short(c.Entity.Title()), MatchedBy: sanitize.Short(c.How), Exact: c.Exact,
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
