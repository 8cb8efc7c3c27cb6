// Package hosts resolves the hosts, nodes, clusters and namespaces services run on: it
// merges the host records of every source (by reference, full name, FQDN or address, then
// short name, never across kinds or contradicting DNS domains), finds hosts by any name
// they go by (ParseHostName normalises how sources and alert labels write them), and keeps
// the "runs on" edges from services and hosts to hosts. It is pure; the directory builds
// one Index with the services and answers through it.
package hosts

import (
	"slices"
	"time"

	"github.com/opsctx/opsctx/internal/directory/namekey"
	"github.com/opsctx/opsctx/internal/model"
)

// Host is one host, node, cluster or namespace as the directory resolved it from the host
// records of one or more sources. Hosts are kept apart from service entities: services run
// on them (RunsOn), they do not depend on each other.
type Host struct {
	// Name is the canonical name: the Name of the most trusted record (its FQDN, or
	// "source:name", when another host already has that name).
	Name string
	// Kind is the records' kind (model.HostKindHost, ...): records merge only within a kind.
	Kind string
	// Records are the per-source records, most trusted first.
	Records []model.Host
	// Matches says how each record was attached to this host.
	Matches []Match
}

// Match records how one source record was resolved to a service entity or a host (the
// directory's Match).
type Match struct {
	Source string `json:"source"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	// Method is how it matched: "primary record", "annotation pagerduty.com/service-id",
	// "configured alias", "alias", "tag service:checkout", "normalized name"; for hosts
	// "reference to …", "same host name or address", "same short host name".
	Method string `json:"method"`
}

// Owner is an owning team as one source states it (the directory's Owner).
type Owner struct {
	Team   string `json:"team"`
	Source string `json:"source"`
}

// Owners returns the distinct (team, source) pairs stated by the records, most trusted first.
func (h *Host) Owners() []Owner {
	return OwnersOf(h.Records, func(r model.Host) Owner { return Owner{Team: r.Owner, Source: r.Source} })
}

// OwnersOf returns the distinct owners that records state, in their order (most trusted
// first); owner reads one record's (its Team empty when it names none). Entities and hosts
// share it.
func OwnersOf[R any](records []R, owner func(R) Owner) []Owner {
	var out []Owner
	for _, r := range records {
		if o := owner(r); o.Team != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// Owner returns the most trusted owning team, or "".
func (h *Host) Owner() string {
	for _, r := range h.Records {
		if r.Owner != "" {
			return r.Owner
		}
	}
	return ""
}

// Has reports whether the host has a record from source.
func (h *Host) Has(source string) bool {
	return slices.ContainsFunc(h.Records, func(r model.Host) bool { return r.Source == source })
}

// Observed reports whether some source saw the host in telemetry.
func (h *Host) Observed() bool {
	return slices.ContainsFunc(h.Records, func(r model.Host) bool { return r.Observed })
}

// Declared reports whether some source (a CMDB, a catalog) declares the host.
func (h *Host) Declared() bool {
	return slices.ContainsFunc(h.Records, func(r model.Host) bool { return !r.Observed })
}

// Names returns every name the host goes by across sources: names, FQDNs and addresses,
// normalised (ParseHostName) and deduplicated, canonical name first.
func (h *Host) Names() []string {
	var out []string
	add := func(s string) {
		if n := ParseHostName(s); n.Full != "" && !slices.Contains(out, n.Full) {
			out = append(out, n.Full)
		}
	}
	add(h.Name)
	for _, r := range h.Records {
		add(r.Name)
		add(r.FQDN)
		for _, ip := range r.IPs {
			add(ip)
		}
	}
	return out
}

// Target returns the host as a connector-facing target for [since, until]: its records
// as service-shaped records (model.Host.Record).
func (h *Host) Target(since, until time.Time) model.Target {
	t := model.Target{Name: h.Name, Since: since, Until: until}
	for _, r := range h.Records {
		t.Records = append(t.Records, r.Record())
	}
	return t
}

// Index holds the hosts and finds them by record, by name (full names, FQDNs, addresses,
// ids) and by short name, with what runs on each.
type Index struct {
	// Hosts are every host, in the order their first record was read.
	Hosts []*Host
	// Ambiguous are the host records that matched several hosts equally well and were kept
	// apart.
	Ambiguous []Ambiguous

	byRecord map[string]*Host   // source \x00 record id -> host
	byName   map[string][]*Host // ParseHostName(...).Full or namekey.Fold(id) -> hosts
	byShort  map[string][]*Host // short name -> hosts
	byCanon  map[string]*Host   // namekey.Fold(canonical name) -> host
	shared   map[string]bool    // addresses that several hosts of one source have: not identifying
	runsOn   runsOnGraph        // what runs on what
}

// Ambiguous is a host record that was not merged: it matched several hosts equally well.
type Ambiguous struct {
	Record     model.Host
	Method     string
	Candidates []*Host
}

// Source is one source's host records and "runs on" edges, most trusted source first.
type Source struct {
	Name    string
	Catalog model.Catalog
}

// Build merges the host records of every source (most trusted first) into hosts and
// resolves the "runs on" edges; entity says which service entity, by canonical name, a
// source's record id belongs to ("" when none), for edges from services.
func Build(srcs []Source, entity func(source, id string) string) *Index {
	x := &Index{byRecord: map[string]*Host{}, byName: map[string][]*Host{}, byShort: map[string][]*Host{},
		byCanon: map[string]*Host{}, shared: map[string]bool{}}
	x.buildHosts(srcs)
	x.buildRunsOn(srcs, entity)
	return x
}

// hostNames are the normalised names of a record: its name, FQDN and addresses.
func hostNames(r model.Host) []HostName {
	var out []HostName
	for _, s := range append([]string{r.Name, r.FQDN}, r.IPs...) {
		if n := ParseHostName(s); n.Full != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// buildHosts merges the host records of every source (most trusted first) into hosts.
func (x *Index) buildHosts(cats []Source) {
	for _, c := range cats { // an address on several hosts of one source (a bridge, a VIP) names none of them
		perSource := map[string]int{}
		for _, r := range c.Catalog.Hosts {
			for _, n := range hostNames(r) {
				if n.IP {
					perSource[n.Full]++
				}
			}
		}
		for ip, k := range perSource {
			if k > 1 {
				x.shared[ip] = true
			}
		}
	}
	for _, c := range cats {
		for _, r := range c.Catalog.Hosts {
			if r.Source == "" {
				r.Source = c.Name
			}
			if r.Kind == "" {
				r.Kind = model.HostKindHost
			}
			x.addHost(r)
		}
	}
}

// addHost attaches r to the host it describes, or makes it a new host.
func (x *Index) addHost(r model.Host) {
	method, cands := x.hostCandidates(r)
	switch {
	case len(cands) == 1:
		h := cands[0]
		h.Records = append(h.Records, r)
		h.Matches = append(h.Matches, Match{Source: r.Source, ID: r.ID, Name: r.Name, Method: method})
		x.indexHost(h, r)
		return
	case len(cands) > 1:
		x.Ambiguous = append(x.Ambiguous, Ambiguous{Record: r, Method: method, Candidates: cands})
	}
	name := r.Name
	for _, n := range []string{r.Name, r.FQDN, r.Source + ":" + r.Name} {
		if _, taken := x.byCanon[namekey.Fold(n)]; n != "" && !taken {
			name = n
			break
		}
	}
	h := &Host{Name: name, Kind: r.Kind, Records: []model.Host{r},
		Matches: []Match{{Source: r.Source, ID: r.ID, Name: r.Name, Method: "primary record"}}}
	x.Hosts = append(x.Hosts, h)
	x.byCanon[namekey.Fold(name)] = h
	x.indexHost(h, r)
}

// hostCandidates finds the hosts r could belong to, at the most trusted level that has
// any: a reference naming the record, the same full name, FQDN or address, then the same
// short name. Only hosts of r's kind whose DNS domains do not contradict r's qualify; a
// single candidate that already has a record from r's source is a different host.
func (x *Index) hostCandidates(r model.Host) (string, []*Host) {
	if h := x.byRecord[r.Source+"\x00"+r.ID]; h != nil && h.Kind == r.Kind && !h.Has(r.Source) {
		return "reference to " + r.ID, []*Host{h}
	}
	names := hostNames(r)
	var exact, short []*Host
	for _, n := range names {
		if n.identifying() && !x.shared[n.Full] {
			exact = append(exact, x.byName[n.Full]...)
		}
		if n.Short != "" {
			short = append(short, x.byShort[n.Short]...)
		}
	}
	keep := func(hs []*Host) []*Host {
		var out []*Host
		for _, h := range hs {
			if h.Kind == r.Kind && !slices.Contains(out, h) && domainsAgree(h, names) {
				out = append(out, h)
			}
		}
		if len(out) == 1 && out[0].Has(r.Source) {
			return nil
		}
		return out
	}
	if c := keep(exact); len(c) > 0 {
		return "same host name or address", c
	}
	return "same short host name", keep(short)
}

// domainsAgree reports whether h's DNS names and names do not contradict: when both state
// a domain, some domain is the same.
func domainsAgree(h *Host, names []HostName) bool {
	var mine, theirs []string
	for _, n := range names {
		if d := n.Domain(); d != "" {
			mine = append(mine, d)
		}
	}
	for _, r := range h.Records {
		for _, n := range hostNames(r) {
			if d := n.Domain(); d != "" {
				theirs = append(theirs, d)
			}
		}
	}
	if len(mine) == 0 || len(theirs) == 0 {
		return true
	}
	for _, m := range mine {
		if slices.Contains(theirs, m) {
			return true
		}
	}
	return false
}

// indexHost makes every name and id of r find h.
func (x *Index) indexHost(h *Host, r model.Host) {
	add := func(m map[string][]*Host, k string) {
		if k != "" && !slices.Contains(m[k], h) {
			m[k] = append(m[k], h)
		}
	}
	x.byRecord[r.Source+"\x00"+r.ID] = h
	for _, ref := range r.Refs {
		if _, taken := x.byRecord[ref.In+"\x00"+ref.ID]; ref.ID != "" && !taken {
			x.byRecord[ref.In+"\x00"+ref.ID] = h
		}
	}
	add(x.byName, namekey.Fold(r.ID))
	add(x.byName, namekey.Fold(h.Name))
	for _, n := range hostNames(r) {
		add(x.byName, n.Full)
		add(x.byShort, n.Short)
	}
}

// Host returns the host with the canonical name, or nil.
func (x *Index) Host(name string) *Host { return x.byCanon[namekey.Fold(name)] }

// ForRecord returns the host a source's record id (or a name the source uses for a
// host) belongs to, when exactly one host fits.
func (x *Index) ForRecord(source, idOrName string) *Host {
	if h := x.byRecord[source+"\x00"+idOrName]; h != nil {
		return h
	}
	if hs := x.Lookup(idOrName); len(hs) == 1 {
		return hs[0]
	}
	return nil
}

// Lookup finds the hosts a name may mean: a record id (a CI sys_id, a Dynatrace
// HOST-… id), a host name, FQDN or address in any of the forms ParseHostName accepts, else
// the short name of either side ("app-01" finds app-01.shop.example and the reverse).
// Several hosts come back when the name fits several equally.
func (x *Index) Lookup(query string) []*Host {
	if hs := x.byName[namekey.Fold(query)]; len(hs) > 0 {
		return slices.Clone(hs)
	}
	n := ParseHostName(query)
	if n.Full == "" {
		return nil
	}
	if hs := x.byName[n.Full]; len(hs) > 0 {
		return slices.Clone(hs)
	}
	if n.Short == "" {
		return nil
	}
	var out []*Host
	for _, h := range x.byShort[n.Short] {
		if domainsAgree(h, []HostName{n}) {
			out = append(out, h)
		}
	}
	return out
}
