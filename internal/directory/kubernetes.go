package directory

import (
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// The Backstage annotations that place a component's workloads in Kubernetes.
const (
	annKubernetesID        = "backstage.io/kubernetes-id"
	annKubernetesNamespace = "backstage.io/kubernetes-namespace"
)

// Workload is a service a catalog places in Kubernetes: its backstage.io/kubernetes-id
// and, where stated, its backstage.io/kubernetes-namespace.
type Workload struct {
	Entity    *Entity
	ID        string
	Namespace string
	Source    string
}

// indexWorkloads makes r's Kubernetes annotations find e.
func (d *Directory) indexWorkloads(e *Entity, r model.Service) {
	id := strings.TrimSpace(r.Annotations[annKubernetesID])
	if id == "" {
		return
	}
	k := Fold(id)
	for _, w := range d.workloads[k] {
		if w.Entity == e {
			return
		}
	}
	d.workloads[k] = append(d.workloads[k], Workload{Entity: e, ID: id, Namespace: strings.TrimSpace(r.Annotations[annKubernetesNamespace]), Source: r.Source})
}

// LookupWorkload finds the services a catalog places at a Kubernetes workload: "id" or
// "namespace/id" (a namespace narrows to the services stated in it, or stating none).
func (d *Directory) LookupWorkload(ref string) []Workload {
	ns, id, ok := strings.Cut(ref, "/")
	if !ok {
		ns, id = "", ref
	}
	var out []Workload
	for _, w := range d.workloads[Fold(strings.TrimSpace(id))] {
		if ns == "" || w.Namespace == "" || strings.EqualFold(w.Namespace, strings.TrimSpace(ns)) {
			out = append(out, w)
		}
	}
	return out
}
