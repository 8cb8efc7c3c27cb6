package directory

import "github.com/opsctx/opsctx/internal/directory/hosts"

// buildHosts merges the host records of every catalog into hosts (package hosts) and
// resolves their "runs on" edges; a host record that fits several hosts is an Ambiguity.
func (d *Directory) buildHosts(cats []SourceCatalog) {
	srcs := make([]hosts.Source, len(cats))
	for i, c := range cats {
		srcs[i] = hosts.Source{Name: c.Source, Catalog: c.Catalog}
	}
	d.hosts = hosts.Build(srcs, func(source, id string) string {
		if e := d.byRecord[source+"\x00"+id]; e != nil {
			return e.Name
		}
		return ""
	})
	d.Hosts = d.hosts.Hosts
	for _, x := range d.hosts.Ambiguous {
		a := ambiguity(x.Record.Source, x.Record.Name, x.Method, x.Candidates, func(h *hosts.Host) string { return h.Name })
		a.Host = true
		d.Ambiguities = append(d.Ambiguities, a)
	}
}

// Host returns the host with the canonical name, or nil.
func (d *Directory) Host(name string) *hosts.Host { return d.hosts.Host(name) }

// HostForRecord returns the host a source's record id (or a name the source uses for a
// host) belongs to, when exactly one host fits.
func (d *Directory) HostForRecord(source, idOrName string) *hosts.Host {
	return d.hosts.ForRecord(source, idOrName)
}

// LookupHost finds the hosts a name may mean (see hosts.Index.Lookup).
func (d *Directory) LookupHost(query string) []*hosts.Host { return d.hosts.Lookup(query) }

// RunsOn returns what the service with the canonical name runs on: its own hosts first,
// then what those run on, each once (see hosts.Index.RunsOn).
func (d *Directory) RunsOn(name string) []hosts.Placement { return d.hosts.RunsOn(name) }

// HostRunsOn returns what the host runs on directly (a node's cluster).
func (d *Directory) HostRunsOn(h *hosts.Host) []hosts.Placement { return d.hosts.HostRunsOn(h) }

// RunsHere returns the canonical names of every service that runs on h, directly or on a
// host that runs on it (the nodes of a cluster), sorted.
func (d *Directory) RunsHere(h *hosts.Host) []string { return d.hosts.RunsHere(h) }

// Placed returns the placement by which the service with the canonical name runs on the
// host with the canonical name, and whether it does (see hosts.Index.Placed).
func (d *Directory) Placed(service, host string) (hosts.Placement, bool) {
	return d.hosts.Placed(service, host)
}
