package hosts

import (
	"slices"
	"sort"

	"github.com/opsctx/opsctx/internal/directory/namekey"
)

// Placement is one "runs on" edge as the directory resolved it: a service (or host) runs
// on Host. It is its own kind of edge, never a dependency.
type Placement struct {
	Host *Host
	// Via says how the sources state it ("Runs on::Runs", "runsOnHost", "spec.dependsOn").
	Via     []string
	Sources []string
	// Through is the host the placement was reached through (the node under a cluster), ""
	// when the service itself runs on Host.
	Through string
}

// maxGroundDepth bounds how far RunsOn follows hosts on hosts (service → VM → hypervisor
// cluster), so that a cycle in a CMDB cannot loop.
const maxGroundDepth = 3

// runsOnGraph keeps the "runs on" edges: from service entities and from hosts.
type runsOnGraph struct {
	ofEntity map[string][]Placement // Fold(entity name) -> what it runs on directly
	ofHost   map[*Host][]Placement  // host -> what it runs on directly (a node's cluster)
	entities map[*Host][]string     // host -> entity names running on it directly
	hosts    map[*Host][]*Host      // host -> hosts running on it directly (a cluster's nodes)
}

// buildRunsOn resolves every source's RunsOn edges: From is a service entity (see Build)
// or a host record of that source, To a host record. Edges whose ends are unknown are
// dropped.
func (x *Index) buildRunsOn(cats []Source, entity func(source, id string) string) {
	g := runsOnGraph{ofEntity: map[string][]Placement{}, ofHost: map[*Host][]Placement{},
		entities: map[*Host][]string{}, hosts: map[*Host][]*Host{}}
	place := func(ps []Placement, to *Host, via, source string) ([]Placement, bool) {
		for i := range ps {
			if ps[i].Host == to {
				ps[i].Via, ps[i].Sources = namekey.AppendUnique(ps[i].Via, via), namekey.AppendUnique(ps[i].Sources, source)
				return ps, false
			}
		}
		return append(ps, Placement{Host: to, Via: namekey.AppendUnique(nil, via), Sources: []string{source}}), true
	}
	for _, c := range cats {
		for _, ro := range c.Catalog.RunsOn {
			src := ro.Source
			if src == "" {
				src = c.Name
			}
			to := x.byRecord[src+"\x00"+ro.To]
			if to == nil {
				continue
			}
			if e := entity(src, ro.From); e != "" {
				var added bool
				k := namekey.Fold(e)
				if g.ofEntity[k], added = place(g.ofEntity[k], to, ro.Via, src); added {
					g.entities[to] = append(g.entities[to], e)
				}
				continue
			}
			if from := x.byRecord[src+"\x00"+ro.From]; from != nil && from != to {
				var added bool
				if g.ofHost[from], added = place(g.ofHost[from], to, ro.Via, src); added {
					g.hosts[to] = append(g.hosts[to], from)
				}
			}
		}
	}
	x.runsOn = g
}

// RunsOn returns what the service with the canonical name runs on: its own hosts first,
// then what those run on (a node's cluster, a VM's hypervisor), each once. The slices are
// shared with the index: do not modify them.
func (x *Index) RunsOn(name string) []Placement {
	direct := x.runsOn.ofEntity[namekey.Fold(name)]
	if len(direct) == 0 {
		return nil
	}
	out := slices.Clone(direct)
	seen := map[*Host]bool{}
	for _, p := range out {
		seen[p.Host] = true
	}
	frontier := direct
	for depth := 1; depth < maxGroundDepth && len(frontier) > 0; depth++ {
		var next []Placement
		for _, p := range frontier {
			for _, up := range x.runsOn.ofHost[p.Host] {
				if !seen[up.Host] {
					seen[up.Host] = true
					up.Through = p.Host.Name
					next = append(next, up)
				}
			}
		}
		out = append(out, next...)
		frontier = next
	}
	return out
}

// Placed returns the placement by which the service with the canonical name runs on the
// host with the canonical name (directly or through another host), and whether it does.
func (x *Index) Placed(service, host string) (Placement, bool) {
	if service == "" || host == "" {
		return Placement{}, false
	}
	for _, p := range x.RunsOn(service) {
		if namekey.Fold(p.Host.Name) == namekey.Fold(host) {
			return p, true
		}
	}
	return Placement{}, false
}

// HostRunsOn returns what the host runs on directly (a node's cluster).
func (x *Index) HostRunsOn(h *Host) []Placement { return x.runsOn.ofHost[h] }

// RunsHere returns the canonical names of every service that runs on h, directly or on a
// host that runs on it (the nodes of a cluster), sorted.
func (x *Index) RunsHere(h *Host) []string {
	var out []string
	seen := map[*Host]bool{h: true}
	frontier := []*Host{h}
	for depth := 0; depth < maxGroundDepth && len(frontier) > 0; depth++ {
		var next []*Host
		for _, n := range frontier {
			for _, e := range x.runsOn.entities[n] {
				out = namekey.AppendUnique(out, e)
			}
			for _, m := range x.runsOn.hosts[n] {
				if !seen[m] {
					seen[m] = true
					next = append(next, m)
				}
			}
		}
		frontier = next
	}
	sort.Strings(out)
	return out
}
