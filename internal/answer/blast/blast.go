// Package blast assembles blast_radius: the services one depends on and that depend on it,
// to a depth, with health and owners, and the team boundaries crossed.
package blast

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/prepare"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// Neighbour is a service reached from the queried one in a blast-radius walk.
type Neighbour struct {
	Service   string        `json:"service"`
	Depth     int           `json:"depth"`
	OwnerTeam string        `json:"owner_team"`
	Health    answer.Health `json:"health"`
	// Via is the service one hop closer to the queried one.
	Via string `json:"via"`
	// CrossesTeams is true when this hop goes from one owning team to another.
	CrossesTeams bool     `json:"crosses_teams"`
	Sources      []string `json:"sources"`
}

// Result is the result of blast_radius.
type Result struct {
	// Headline says in one sentence what the answer found (and what could not be asked).
	Headline string            `json:"headline"`
	Service  answer.ServiceRef `json:"service"`
	// ResolvedFrom says how the service was found when the question did not name it.
	ResolvedFrom *answer.ResolvedFrom `json:"resolved_from,omitempty"`
	// Host is set when the question named a host, cluster or namespace: Service is then the
	// host, downstream every service that runs there and what depends on those.
	Host   *HostRef      `json:"host,omitempty"`
	Health answer.Health `json:"health"`
	Depth  int           `json:"depth"`
	// Upstream are what the service depends on (transitively); downstream what depends on it.
	Upstream   []Neighbour `json:"upstream"`
	Downstream []Neighbour `json:"downstream"`
	// Teams are the owning teams affected downstream (who to tell).
	Teams []string `json:"teams"`
	// Crossings counts hops that cross team boundaries.
	Crossings int                  `json:"crossings"`
	Sources   []answer.SourceEntry `json:"sources"`
}

// Radius walks dependencies of ent both ways to depth, with health (judged from the
// open facts f) and owners, marking hops that cross team boundaries.
func Radius(d *directory.Directory, ent *directory.Entity, f model.Facts, depth int, sources []model.SourceStatus) *Result {
	h := newHealthIndex(d, prepare.Facts(d, f, ""))
	res := &Result{Service: answer.ServiceRefOf(ent), Health: h.of(ent.Name), Depth: depth}
	res.Upstream = walk(d, ent.Name, depth, true, h)
	res.Downstream = walk(d, ent.Name, depth, false, h)
	teams := map[string]bool{}
	for _, n := range append(res.Upstream, res.Downstream...) {
		if n.CrossesTeams {
			res.Crossings++
		}
	}
	for _, n := range res.Downstream {
		if n.OwnerTeam != "" && n.OwnerTeam != res.Service.OwnerTeam {
			teams[n.OwnerTeam] = true
		}
	}
	res.Teams = slices.Sorted(maps.Keys(teams))
	res.Sources = answer.SourceEntries(sources)
	res.Headline = headline(res)
	return res
}

// headline says how far trouble on the service reaches and whom to tell.
func headline(r *Result) string {
	out := fmt.Sprintf("%s is %s; within %d hop(s) it depends on %d service(s) and %d depend on it, crossing %d team boundary(ies)",
		r.Service.Name, r.Health, r.Depth, len(r.Upstream), len(r.Downstream), r.Crossings)
	if len(r.Teams) > 0 {
		out += "; downstream teams to tell: " + strings.Join(r.Teams, ", ")
	}
	return out + answer.SourceCaveat(r.Sources) + "."
}

// walk does a breadth-first walk; up follows "depends on", down follows "is used by".
func walk(d *directory.Directory, from string, depth int, up bool, h healthIndex) []Neighbour {
	out := []Neighbour{}
	seen := map[string]bool{directory.Fold(from): true}
	frontier := []string{from}
	for level := 1; level <= depth && len(frontier) > 0; level++ {
		var next []string
		for _, cur := range frontier {
			ups, downs := d.Neighbours(cur)
			edges := downs
			if up {
				edges = ups
			}
			for _, e := range edges {
				n := e.From
				if up {
					n = e.To
				}
				if seen[directory.Fold(n)] {
					continue
				}
				seen[directory.Fold(n)] = true
				nb := Neighbour{Service: n, Depth: level, OwnerTeam: d.OwnerOf(n), Health: h.of(n), Via: cur, Sources: e.Sources}
				curOwner := d.OwnerOf(cur)
				nb.CrossesTeams = nb.OwnerTeam != "" && curOwner != "" && nb.OwnerTeam != curOwner
				out = append(out, nb)
				next = append(next, n)
			}
		}
		frontier = next
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Depth != out[j].Depth {
			return out[i].Depth < out[j].Depth
		}
		return out[i].Service < out[j].Service
	})
	return out
}
