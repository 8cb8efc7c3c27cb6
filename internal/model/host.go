package model

// Host kinds: what a Host record describes.
const (
	HostKindHost      = "host"      // a server, VM or Kubernetes node
	HostKindCluster   = "cluster"   // a cluster of hosts (Kubernetes, VMware, database cluster)
	HostKindNamespace = "namespace" // a Kubernetes namespace
)

// Host is one record of a host, node, cluster or namespace that services run on, as one
// source describes it: a ServiceNow server CI, a Dynatrace HOST entity, a Backstage Resource.
type Host struct {
	// ID is the source's own identifier (CI sys_id, Dynatrace entity id, catalog ref).
	ID string `json:"id"`
	// Name is the host name as the source states it (short name, FQDN or IP).
	Name string `json:"name"`
	// Kind is one of the HostKind constants.
	Kind string `json:"kind"`
	// Class is the source's own class or type ("cmdb_ci_linux_server", "HOST", "cluster").
	Class string `json:"class,omitempty"`
	// FQDN is the fully qualified domain name, when the source knows it.
	FQDN string `json:"fqdn,omitempty"`
	// IPs are the host's addresses, when the source knows them.
	IPs []string `json:"ips,omitempty"`
	// Owner is the owning team's name as the source states it.
	Owner       string            `json:"owner,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Refs are the source's statements that this host is known to other sources.
	Refs []Ref `json:"refs,omitempty"`
	// Observed is set when the source saw the host in telemetry rather than having it declared.
	Observed bool   `json:"observed,omitempty"`
	Source   string `json:"source"`
	URL      string `json:"url,omitempty"`
}

// Record returns the host as a service-shaped record, so that a host can be a Target: the
// sources that look a target up (changes, on-call, problems) find it by the same fields.
// Its aliases are the FQDN and addresses; Type is the host kind.
func (h Host) Record() Service {
	var aliases []string
	if h.FQDN != "" && h.FQDN != h.Name {
		aliases = append(aliases, h.FQDN)
	}
	aliases = append(aliases, h.IPs...)
	return Service{ID: h.ID, Name: h.Name, Kind: h.Class, Type: h.Kind, Aliases: aliases, Owner: h.Owner,
		Annotations: h.Annotations, Refs: h.Refs, Source: h.Source, URL: h.URL}
}

// RunsOn states that From (a service or host record) runs on To (a host record), both
// named by ids of the same source: an application on a server, a server in a cluster.
type RunsOn struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Via says how the source states it: "Runs on::Runs", "runsOnHost", "spec.dependsOn".
	Via    string `json:"via"`
	Source string `json:"source"`
}
