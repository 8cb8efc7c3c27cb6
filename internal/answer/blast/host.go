package blast

import (
	"maps"
	"slices"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/prepare"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/directory/hosts"
	"github.com/opsctx/opsctx/internal/model"
)

// HostRef is the host, cluster or namespace a blast radius was asked from.
type HostRef struct {
	Name string `json:"name"`
	// Kind is host, cluster or namespace.
	Kind string `json:"kind"`
	// Names are every name the host goes by across sources (FQDN, short name, addresses).
	Names []string `json:"names"`
	// Owner is the owning team as the most trusted source states it; absent when none does.
	Owner   string   `json:"owner,omitempty"`
	Sources []string `json:"sources"`
}

// FromHost is blast_radius asked about a host, cluster or namespace: every service that
// runs there, directly or on a host that runs on it (a cluster's nodes), at depth 1 with its
// owner and health, then what depends on those services to depth. Hops from the host to a
// service of another team than the host's owner cross a team boundary; Teams are every team
// whose services are affected, other than the host's owner.
func FromHost(d *directory.Directory, h *hosts.Host, f model.Facts, depth int, sources []model.SourceStatus) *Result {
	hi := newHealthIndex(d, prepare.Facts(d, f, ""))
	owner := h.Owner()
	res := &Result{Service: answer.ServiceRef{ID: h.Records[0].ID, Name: h.Name, Aliases: []string{}, OwnerTeam: owner},
		Host: &HostRef{Name: h.Name, Kind: h.Kind, Names: h.Names(), Owner: owner}, Health: hostHealth(d, h, f, hi), Depth: depth,
		Upstream: []Neighbour{}, Downstream: []Neighbour{}}
	for _, r := range h.Records {
		if !slices.Contains(res.Host.Sources, r.Source) {
			res.Host.Sources = append(res.Host.Sources, r.Source)
		}
	}
	for _, p := range d.HostRunsOn(h) {
		res.Upstream = append(res.Upstream, Neighbour{Service: p.Host.Name, Depth: 1, OwnerTeam: p.Host.Owner(), Health: hi.of(p.Host.Name),
			Via: h.Name, CrossesTeams: crosses(owner, p.Host.Owner()), Sources: p.Sources})
	}
	seen := map[string]bool{}
	here := d.RunsHere(h)
	for _, s := range here {
		seen[directory.Fold(s)] = true
		res.Downstream = append(res.Downstream, Neighbour{Service: s, Depth: 1, OwnerTeam: d.OwnerOf(s), Health: hi.of(s), Via: h.Name,
			CrossesTeams: crosses(owner, d.OwnerOf(s)), Sources: placedBy(d, s, h)})
	}
	for _, s := range here {
		for _, n := range walk(d, s, depth-1, false, hi) {
			if !seen[directory.Fold(n.Service)] {
				seen[directory.Fold(n.Service)] = true
				n.Depth++
				res.Downstream = append(res.Downstream, n)
			}
		}
	}
	teams := map[string]bool{}
	for _, n := range append(slices.Clone(res.Upstream), res.Downstream...) {
		if n.CrossesTeams {
			res.Crossings++
		}
	}
	for _, n := range res.Downstream {
		if n.OwnerTeam != "" && directory.TeamKey(n.OwnerTeam) != directory.TeamKey(owner) {
			teams[n.OwnerTeam] = true
		}
	}
	res.Teams = slices.Sorted(maps.Keys(teams))
	res.Sources = answer.SourceEntries(sources)
	return res
}

// placedBy returns the sources that state svc runs on h (directly or through a host on it).
func placedBy(d *directory.Directory, svc string, h *hosts.Host) []string {
	for _, p := range d.RunsOn(svc) {
		if p.Host == h {
			return p.Sources
		}
	}
	return []string{}
}

// crosses reports whether a hop between two owners crosses a team boundary (both known).
func crosses(a, b string) bool {
	return a != "" && b != "" && directory.TeamKey(a) != directory.TeamKey(b)
}

// hostHealth judges a host: failing when it is the root cause of an open problem, degraded
// when an open alert's host label names it (a node exporter's alert names no service) or a
// problem impacts it, else as the health index knows it.
func hostHealth(d *directory.Directory, h *hosts.Host, f model.Facts, hi healthIndex) answer.Health {
	if got := hi.of(h.Name); got != answer.HealthOK {
		return got
	}
	for _, a := range f.Alerts {
		if a.Status.Open() && a.Host != "" && d.HostForRecord(a.Source, a.Host) == h {
			return answer.HealthDegraded
		}
	}
	return answer.HealthOK
}
