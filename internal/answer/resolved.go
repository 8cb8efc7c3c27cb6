package answer

// EntryKind is what a question started from when it did not name a service.
type EntryKind string

// The entry points besides a service name. A reference given as `incident` is named by
// the kind it resolved to: an incident, a problem, an alert or a change.
const (
	FromIncident EntryKind = "incident" // a PagerDuty incident, a ServiceNow INC
	FromProblem  EntryKind = "problem"  // a Dynatrace problem
	FromAlert    EntryKind = "alert"    // an Opsgenie or JSM Operations alert
	FromChange   EntryKind = "change"   // a ServiceNow change request
	FromRepo     EntryKind = "repo"     // a repository URL or owner/name, possibly into a monorepo
	FromPath     EntryKind = "path"     // a local workspace path (a checkout)
	FromHost     EntryKind = "host"     // a host name, FQDN, IP, Dynatrace HOST id or Kubernetes namespace/workload
)

// ResolvedFrom says how an answer that did not start from a service name found its
// service: what was asked, what kind of reference it is, the rule or annotation that led
// to the service and the record that matched. Others are the other services the reference
// touches (a problem's root cause, the other services on a host), so that nothing the
// sources know about the reference is dropped.
type ResolvedFrom struct {
	// Input is what the question gave (credentials in URLs removed).
	Input string    `json:"input"`
	Kind  EntryKind `json:"kind"`
	// Via is the rule or annotation that led to the service, e.g. "annotation
	// backstage.io/source-location (longest prefix services/cart)".
	Via string `json:"via"`
	// Matched is the record that matched, as "<source> <record>".
	Matched string  `json:"matched"`
	Others  []Other `json:"others,omitempty"`
	// OthersOmitted counts the other services left out of Others by the detail cap.
	OthersOmitted int `json:"others_omitted,omitempty"`
}

// Other is another service a reference touches, with its role and, where known, its owner
// and health.
type Other struct {
	Service string `json:"service"`
	// Role is how the reference touches it: "root cause", "also concerned", "also runs here".
	Role      string `json:"role"`
	OwnerTeam string `json:"owner_team,omitempty"`
	Health    Health `json:"health,omitempty"`
}

// Capped returns r with at most n others, counting the rest in OthersOmitted (nil for nil).
func (r *ResolvedFrom) Capped(n int) *ResolvedFrom {
	if r == nil {
		return nil
	}
	c := *r
	c.Others, c.OthersOmitted = Cap(c.Others, n)
	c.OthersOmitted += r.OthersOmitted
	return &c
}
