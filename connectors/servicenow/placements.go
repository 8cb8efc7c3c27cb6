package servicenow

import (
	"cmp"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// placementTypes are the cmdb_rel_type names read as "runs on", with the end that runs on
// the other: "Runs on::Runs" (the application runs on the server), "Hosted on::Hosts",
// "Virtualized by::Virtualizes" (the VM on its hypervisor), and "Members::Member of", whose
// children (a cluster's nodes) run on the parent.
var placementTypes = []placementType{
	{"Runs on::Runs", true},
	{"Hosted on::Hosts", true},
	{"Virtualized by::Virtualizes", true},
	{"Members::Member of", false},
}

// placementType is a relation type read as "runs on".
type placementType struct {
	name       string
	parentRuns bool // the parent runs on the child
}

// placementQuery selects the placement relations.
func placementQuery() string {
	var names []string
	for _, t := range placementTypes {
		names = append(names, t.name)
	}
	return and(orGroup(anyOf("type.name", names)), "ORDERBYsys_id")
}

// placementFields are read from placement relations, with display values: both ends, the
// type (its display value is its name, which a dot-walked field an instance may drop is not)
// and, dot-walked, the CI fields of each end (a host's name, FQDN, address and owners).
var placementFields = append([]string{"type"}, crossingFields...)

// ground is what the catalog's services run on, as the placement relations describe it.
type ground struct {
	hosts ciSet // the hosts, with their dot-walked fields when they came
	edges []model.RunsOn
	// missing are hosts whose fields did not come dot-walked: looked up by sys_id.
	missing []string
}

// placements follows the placement relations from the known CIs (services and their
// neighbours) to the hosts they run on, and on from those hosts (a server's cluster) to a
// fixed point. A relation's other end becomes a host unless it is a known CI itself.
func placements(rels []row, known func(id string) bool) ground {
	g := ground{hosts: ciSet{rows: map[string]row{}}}
	seen := map[[2]string]bool{}
	for changed := true; changed; {
		changed = false
		for _, r := range rels {
			from, to, via, ok := placementEnds(r)
			_, fromHost := g.hosts.rows[from]
			if !ok || seen[[2]string{from, to}] || !(known(from) || fromHost) || known(to) {
				continue
			}
			seen[[2]string{from, to}], changed = true, true
			if _, dup := g.hosts.rows[to]; !dup {
				end := "child"
				if r.str("parent") == to {
					end = "parent"
				}
				h := dotWalked(r, end)
				if h.str("name") == "" {
					g.missing = append(g.missing, to)
				}
				g.hosts.add(to, h)
			}
			g.edges = append(g.edges, model.RunsOn{From: from, To: to, Via: via, Source: SourceName})
		}
	}
	return g
}

// placementEnds returns which end of a placement relation runs on which, and the type.
func placementEnds(r row) (from, to, via string, ok bool) {
	parent, child := r.str("parent"), r.str("child")
	_, typ, _ := r.ref("type")
	i := slices.IndexFunc(placementTypes, func(t placementType) bool { return strings.EqualFold(t.name, typ) })
	if i < 0 || parent == "" || child == "" || parent == child {
		return "", "", "", false
	}
	if placementTypes[i].parentRuns {
		return parent, child, placementTypes[i].name, true
	}
	return child, parent, placementTypes[i].name, true
}

// host maps a host CI row: a server, VM or cluster. Its owner is chosen as a service's.
func (s *Source) host(r row, res map[string]row) model.Host {
	id, class := r.str("sys_id"), r.str("sys_class_name")
	ann := map[string]string{AnnotationSysID: id, AnnotationCIName: r.str("name"), AnnotationCIClass: class}
	if g := r.str("support_group"); g != "" {
		ann[AnnotationSupportGroup] = g
	}
	h := model.Host{
		ID: id, Name: cmp.Or(r.str("name"), r.str("host_name"), r.str("fqdn")), Kind: hostKind(class), Class: class,
		FQDN:        r.str("fqdn"),
		Owner:       cmp.Or(name(res, r.str("support_group")), name(res, r.str("managed_by_group")), name(res, r.str("owned_by"))),
		Annotations: ann, Source: SourceName, URL: s.recordURL(cmp.Or(class, "cmdb_ci"), id),
	}
	if ip := r.str("ip_address"); ip != "" {
		h.IPs = []string{ip}
	}
	if h.FQDN == "" && strings.Contains(r.str("host_name"), ".") {
		h.FQDN = r.str("host_name")
	}
	return h
}

// hostKind is the kind of a host CI class: clusters and namespaces by their class name
// (cmdb_ci_cluster, cmdb_ci_kubernetes_cluster, cmdb_ci_kubernetes_namespace), else a host.
func hostKind(class string) string {
	switch c := strings.ToLower(class); {
	case strings.Contains(c, "namespace"):
		return model.HostKindNamespace
	case strings.Contains(c, "cluster") && !strings.Contains(c, "node"):
		return model.HostKindCluster
	}
	return model.HostKindHost
}
