package catalogmodel

import (
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// AnnotationKubernetesNamespace is the Backstage Kubernetes plugin's annotation naming the
// namespace a component's workloads run in.
const AnnotationKubernetesNamespace = "backstage.io/kubernetes-namespace"

// hostTypes maps the Resource spec.type values that describe what services run on (not a
// service themselves, as a database is) to host kinds.
var hostTypes = map[string]string{
	"host": model.HostKindHost, "server": model.HostKindHost, "vm": model.HostKindHost,
	"virtual-machine": model.HostKindHost, "node": model.HostKindHost,
	"cluster": model.HostKindCluster, "kubernetes-cluster": model.HostKindCluster, "k8s-cluster": model.HostKindCluster,
	"namespace": model.HostKindNamespace, "kubernetes-namespace": model.HostKindNamespace,
}

// hostKind returns the host kind of a Resource entity, or "" for any other entity.
func hostKind(e *Entity) string {
	if !e.kindIs("resource") {
		return ""
	}
	return hostTypes[strings.ToLower(strings.TrimSpace(e.SpecString("type")))]
}

// host maps a Resource of a host type: a host, cluster or namespace services run on.
func (m *mapper) host(e *Entity, id, kind string) model.Host {
	h := model.Host{ID: id, Name: e.Metadata.Name, Kind: kind, Class: "resource:" + e.SpecString("type"),
		Owner: refName(e.SpecString("owner"), "group", e.Metadata.Namespace), Source: m.source, URL: e.Metadata.Annotations[AnnotationViewURL]}
	if kind == model.HostKindHost && strings.Contains(h.Name, ".") {
		h.FQDN = h.Name
	}
	if t := e.Metadata.Title; kind == model.HostKindHost && strings.Contains(t, ".") && !strings.Contains(t, " ") {
		h.FQDN = t
	}
	return h
}

// placements turns the catalog's statements of what runs where into Hosts and RunsOn:
// spec.dependsOn edges to host Resources (moved out of the dependencies: a host is not a
// dependency), and the namespace of each component's AnnotationKubernetesNamespace (one
// namespace record per name).
func placements(cat *model.Catalog, entities []Entity, hostIDs map[string]bool, source string) {
	deps := cat.Dependencies[:0]
	for _, d := range cat.Dependencies {
		if hostIDs[d.To] && d.Kind == DepDependsOn {
			cat.RunsOn = append(cat.RunsOn, model.RunsOn{From: d.From, To: d.To, Via: "spec.dependsOn", Source: source})
			continue
		}
		deps = append(deps, d)
	}
	cat.Dependencies = deps
	seen := map[string]bool{}
	for i := range entities {
		e := &entities[i]
		ns := strings.TrimSpace(e.Metadata.Annotations[AnnotationKubernetesNamespace])
		if ns == "" || !e.kindIs("component") {
			continue
		}
		nsID := "kubernetes-namespace:" + strings.ToLower(ns)
		if !seen[nsID] {
			seen[nsID] = true
			cat.Hosts = append(cat.Hosts, model.Host{ID: nsID, Name: ns, Kind: model.HostKindNamespace, Class: AnnotationKubernetesNamespace, Source: source})
		}
		cat.RunsOn = append(cat.RunsOn, model.RunsOn{From: e.Ref().String(), To: nsID, Via: AnnotationKubernetesNamespace, Source: source})
	}
	slices.SortFunc(cat.RunsOn, func(a, b model.RunsOn) int { return strings.Compare(a.From+"\x00"+a.To, b.From+"\x00"+b.To) })
}
