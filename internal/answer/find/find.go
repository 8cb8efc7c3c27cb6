// Package find assembles find_service: the services a name (or an incident, a repository,
// a checkout path, a host) may mean across every catalog, with how each matched.
package find

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// Candidate is one possible service for a find_service query.
type Candidate struct {
	Name      string   `json:"name"`
	Title     string   `json:"title,omitempty"`
	OwnerTeam string   `json:"owner_team"`
	Kind      string   `json:"kind,omitempty"`
	Aliases   []string `json:"aliases"`
	// MatchedBy says how the query matched, by kind: exact name, id or title in a source,
	// alias, normalised name, prefix, contains, or edit distance n (see Match).
	MatchedBy string `json:"matched_by"`
	// Match is MatchedBy's kind for a name query: exact, alias, normalized, prefix, contains
	// or edit_distance (directory.Match* constants).
	Match string `json:"match,omitempty"`
	Exact bool   `json:"exact"`
	// Records are the per-source records resolved to this service and how each was matched.
	Records []directory.Match `json:"records"`
}

// Result is the result of find_service.
type Result struct {
	// Headline says in one sentence what the answer found (and what could not be asked).
	Headline string `json:"headline"`
	Query    string `json:"query"`
	// Kind is what the query was taken for when it is not a name: an incident, a repo, a
	// path or a host.
	Kind       answer.EntryKind `json:"kind,omitempty"`
	Candidates []Candidate      `json:"candidates"`
	// Ambiguous is true when several services match the query exactly.
	Ambiguous bool `json:"ambiguous"`
	// Unmerged lists records that matched several services and were kept apart.
	Unmerged []directory.Ambiguity `json:"unmerged"`
	Sources  []answer.SourceEntry  `json:"sources"`
	// Listing is set when the whole catalog was asked for (query "*"): the page's place in it.
	Listing *Listing `json:"listing,omitempty"`
}

// Listing is one page of the catalog: Candidates hold the services from Offset on, by name,
// of Total; NextOffset asks for the next page (absent on the last).
type Listing struct {
	Total      int  `json:"total"`
	Offset     int  `json:"offset"`
	NextOffset *int `json:"next_offset,omitempty"`
}

// ListServices is the page of the catalog from offset, at most limit services, by name.
func ListServices(d *directory.Directory, offset, limit int, sources []model.SourceStatus) *Result {
	es := slices.Clone(d.Entities)
	slices.SortFunc(es, func(a, b *directory.Entity) int { return strings.Compare(a.Name, b.Name) })
	page := es[min(offset, len(es)):min(offset+limit, len(es))]
	ms := make([]Match, len(page))
	for i, e := range page {
		ms[i] = Match{Entity: e, How: "catalog listing"}
	}
	res := Found(d, "*", "", ms, sources)
	res.Listing = &Listing{Total: len(es), Offset: offset}
	res.Headline = fmt.Sprintf("The catalog holds %d services; %d to %d by name.", len(es), min(offset+1, len(es)), offset+len(page))
	if next := offset + len(page); next < len(es) {
		res.Listing.NextOffset = &next
	}
	return res
}

// Match is a service a find_service query led to, how, and whether it is an answer (Exact)
// or a suggestion.
type Match struct {
	Entity *directory.Entity
	How    string
	// Kind is How's kind for a name query (directory.Match*); empty for other inputs.
	Kind  string
	Exact bool
}

// Service lists the services a name may mean across every catalog, with how each matched.
func Service(d *directory.Directory, query string, sources []model.SourceStatus) *Result {
	var ms []Match
	for _, c := range d.Lookup(query) {
		ms = append(ms, Match{Entity: c.Entity, How: c.How, Kind: c.Kind, Exact: c.Exact})
	}
	return Found(d, query, "", ms, sources)
}

// Found assembles find_service from the services an input led to, best first, each once.
func Found(d *directory.Directory, query string, kind answer.EntryKind, ms []Match, sources []model.SourceStatus) *Result {
	res := &Result{Query: query, Kind: kind, Candidates: []Candidate{}, Unmerged: []directory.Ambiguity{}, Sources: answer.SourceEntries(sources)}
	exact := 0
	seen := map[*directory.Entity]bool{}
	for _, c := range ms {
		if seen[c.Entity] {
			continue
		}
		seen[c.Entity] = true
		sc := Candidate{Name: c.Entity.Name, Title: c.Entity.Title(), MatchedBy: sanitize.Short(c.How), Match: c.Kind, Exact: c.Exact,
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
	res.Headline = findHeadline(res)
	return res
}

// Query is the query as the answer names it: quoted, after its kind when it is not a
// name (repo "github.com/shop/api").
func Query(r *Result) string {
	q := fmt.Sprintf("%q", r.Query)
	if r.Kind != "" {
		q = string(r.Kind) + " " + q
	}
	return q
}

// findHeadline says what the query resolves to.
func findHeadline(r *Result) string {
	var out string
	q := Query(r)
	switch {
	case len(r.Candidates) == 0:
		out = "No service matches " + q
	case r.Ambiguous:
		exact := 0
		for _, c := range r.Candidates {
			if c.Exact {
				exact++
			}
		}
		out = fmt.Sprintf("%s is ambiguous: it matches %d services equally", q, exact)
	case !r.Candidates[0].Exact:
		out = fmt.Sprintf("No exact match for %s; %d similar name(s), closest %s (%s)", q, len(r.Candidates), r.Candidates[0].Name, r.Candidates[0].MatchedBy)
	default:
		out = fmt.Sprintf("%s resolves to %s (owner %s), matched by %s", q, r.Candidates[0].Name, cmp.Or(r.Candidates[0].OwnerTeam, "unknown"), r.Candidates[0].MatchedBy)
	}
	return out + answer.SourceCaveat(r.Sources) + "."
}
