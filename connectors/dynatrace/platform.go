package dynatrace

import (
	"context"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// platformTypes are the entity types listed as what services run on, with their kind.
var platformTypes = []struct{ typ, kind string }{
	{"HOST", model.HostKindHost},
	{"KUBERNETES_CLUSTER", model.HostKindCluster},
	{"CLOUD_APPLICATION_NAMESPACE", model.HostKindNamespace},
}

const (
	platformFields = "+tags,+properties,+toRelationships"
	groupFields    = "+fromRelationships"
)

// topology is what the catalog lists besides the services: the hosts, clusters and
// namespaces (by type), and the process groups that join services to hosts.
type topology struct {
	platforms [][]entity // per platformTypes
	groups    []entity   // PROCESS_GROUP, with fromRelationships.runsOn to hosts
}

// listTopology lists the entities of one type with fields; run concurrently by Catalog.
func (s *Source) listType(ctx context.Context, typ, fields string) ([]entity, error) {
	q := url.Values{"entitySelector": {criterion("type", typ)}, "fields": {fields}, "pageSize": {s.pageSize(500)}}
	return list[entity](ctx, s, entitiesPath, q)
}

// platforms maps the listed hosts, clusters and namespaces, and the edges that say what runs
// on them, per the entity model: a service runsOnHost a host and runsOn process groups that
// runOn hosts; a Kubernetes cluster isClusterOfService, isClusterOfHost and
// isClusterOfNamespace; a namespace isNamespaceOfService. Only edges between listed
// entities are kept.
func (s *Source) platforms(services []entity, top topology) ([]model.Host, []model.RunsOn) {
	var hosts []model.Host
	known := map[string]bool{}
	for i, pt := range platformTypes {
		for _, e := range top.platforms[i] {
			known[e.EntityID] = true
			hosts = append(hosts, s.platform(e, pt.kind))
		}
	}
	var edges []model.RunsOn
	add := func(from, to, via string) {
		ro := model.RunsOn{From: from, To: to, Via: via, Source: s.Name()}
		if known[to] && from != to && !slices.ContainsFunc(edges, func(x model.RunsOn) bool { return x.From == from && x.To == to }) {
			edges = append(edges, ro)
		}
	}
	groups := map[string]entity{}
	for _, g := range top.groups {
		groups[g.EntityID] = g
	}
	for _, e := range services {
		for _, r := range e.FromRelationships["runsOnHost"] {
			add(e.EntityID, r.ID, "runsOnHost")
		}
		for _, r := range e.FromRelationships["runsOn"] {
			g, ok := groups[r.ID]
			for _, h := range g.FromRelationships["runsOn"] {
				if ok {
					add(e.EntityID, h.ID, "process group "+g.DisplayName)
				}
			}
		}
		for _, rel := range []string{"isClusterOfService", "isNamespaceOfService"} {
			for _, r := range e.ToRelationships[rel] {
				add(e.EntityID, r.ID, rel)
			}
		}
	}
	for _, es := range top.platforms {
		for _, e := range es {
			for _, rel := range []string{"isClusterOfHost", "isClusterOfNamespace"} {
				for _, r := range e.ToRelationships[rel] {
					add(e.EntityID, r.ID, rel)
				}
			}
		}
	}
	return hosts, edges
}

// platform maps a HOST, KUBERNETES_CLUSTER or CLOUD_APPLICATION_NAMESPACE entity: its
// display name, the FQDN among its names, its addresses (property ipAddress, or
// ipAddresses), and its owner from an owner tag.
func (s *Source) platform(e entity, kind string) model.Host {
	h := model.Host{ID: e.EntityID, Name: e.DisplayName, Kind: kind, Class: e.Type, Observed: true, Source: s.Name()}
	detected, _ := e.Properties["detectedName"].(string)
	for _, n := range []string{e.DisplayName, detected} {
		if _, err := netip.ParseAddr(n); err != nil && strings.Contains(n, ".") && h.FQDN == "" && kind == model.HostKindHost {
			h.FQDN = n
		}
	}
	for _, key := range []string{"ipAddress", "ipAddresses"} {
		ips, _ := e.Properties[key].([]any)
		for _, ip := range ips {
			if v, ok := ip.(string); ok && v != "" && !slices.Contains(h.IPs, v) {
				h.IPs = append(h.IPs, v)
			}
		}
	}
	h.Owner = ownerTag(e.Tags)
	if s.o.EnvURL != "" && kind == model.HostKindHost {
		h.URL = s.o.EnvURL + "/#newhosts/hostdetails;id=" + e.EntityID
	}
	return h
}

// ownerTag is the value of the first owner tag (ownerTagKeys), or "".
func ownerTag(tags []tag) string {
	for _, t := range tags {
		if slices.Contains(ownerTagKeys, strings.ToLower(t.Key)) && t.Value != "" {
			return t.Value
		}
	}
	return ""
}
