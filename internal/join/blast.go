package join

import (
	"context"
	"sort"
)

// Neighbour is a service reached from the queried one in a blast-radius walk.
type Neighbour struct {
	Service   string `json:"service"`
	Depth     int    `json:"depth"`
	OwnerTeam string `json:"owner_team"`
	Health    string `json:"health"`
	// Via is the service one hop closer to the queried one.
	Via string `json:"via"`
	// CrossesTeams is true when this hop goes from one owning team to another.
	CrossesTeams bool     `json:"crosses_teams"`
	Sources      []string `json:"sources"`
}

// BlastRadiusResult is the result of blast_radius.
type BlastRadiusResult struct {
	Service ServiceRef `json:"service"`
	Health  string     `json:"health"`
	Depth   int        `json:"depth"`
	// Upstream are what the service depends on (transitively); downstream what depends on it.
	Upstream   []Neighbour `json:"upstream"`
	Downstream []Neighbour `json:"downstream"`
	// Teams are the owning teams affected downstream (who to tell).
	Teams []string `json:"teams"`
	// Crossings counts hops that cross team boundaries.
	Crossings int           `json:"crossings"`
	Sources   []SourceEntry `json:"sources"`
}

// BlastRadius walks dependencies both ways to depth, with health and owners, marking
// hops that cross team boundaries.
func (e *Engine) BlastRadius(ctx context.Context, service string, depth int) (*BlastRadiusResult, error) {
	ctx, cancel, b, d := e.start(ctx)
	defer cancel()
	ent, err := e.resolve(d, b, service)
	if err != nil {
		return nil, err
	}
	h := newHealthIndex(d, e.openFacts(ctx, b))
	res := &BlastRadiusResult{Service: serviceRef(d, ent), Health: h.of(ent.Name), Depth: depth}
	res.Upstream = d.walk(ent.Name, depth, true, h)
	res.Downstream = d.walk(ent.Name, depth, false, h)
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
	res.Teams = sortStrings(keys(teams))
	res.Sources = sourceEntries(b.statuses(e.o.Sources, e.o.Disabled))
	return res, nil
}

// walk does a breadth-first walk; up follows "depends on", down follows "is used by".
func (d *Directory) walk(from string, depth int, up bool, h healthIndex) []Neighbour {
	out := []Neighbour{}
	seen := map[string]bool{fold(from): true}
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
				if seen[fold(n)] {
					continue
				}
				seen[fold(n)] = true
				nb := Neighbour{Service: n, Depth: level, OwnerTeam: d.ownerOf(n), Health: h.of(n), Via: cur, Sources: e.Sources}
				curOwner := d.ownerOf(cur)
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

// ownerOf returns the most trusted owner of a service, or "".
func (d *Directory) ownerOf(name string) string {
	if e := d.Entity(name); e != nil {
		if os := e.Owners(); len(os) > 0 {
			return os[0].Team
		}
	}
	return ""
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
