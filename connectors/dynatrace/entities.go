package dynatrace

import (
	"context"
	"slices"
	"strings"

	"github.com/sourcegraph/conc/pool"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

const (
	entitiesPath = "api/v2/entities"
	entityFields = "+tags,+managementZones,+fromRelationships,+toRelationships,+properties.serviceType"
)

// Catalog returns the services Dynatrace observed (last 3 days) with their tags and the
// call edges measured from telemetry, and the hosts, Kubernetes clusters and namespaces they
// run on (Catalog.Hosts, Catalog.RunsOn; see platforms). The services, each platform type
// and the process groups are listed concurrently: one round trip. A call edge is read from
// the caller's fromRelationships.calls and from the callee's toRelationships.calls
// (isCalledBy is accepted as the inverse), deduplicated, and kept only between listed
// services. A listing cut short (MaxPages) marks the catalog truncated.
func (s *Source) Catalog(ctx context.Context) (model.Catalog, error) {
	var es []entity
	top := topology{platforms: make([][]entity, len(platformTypes))}
	cuts := make([]bool, len(platformTypes)+2)
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError()
	listing := func(i int, typ, fields string, into *[]entity) {
		p.Go(func(ctx context.Context) error {
			var err error
			*into, err = s.listType(ctx, typ, fields)
			if connectors.IsIncomplete(err) {
				cuts[i], err = true, nil
			}
			return err
		})
	}
	listing(0, "SERVICE", entityFields, &es)
	listing(1, "PROCESS_GROUP", groupFields, &top.groups)
	for i, pt := range platformTypes {
		listing(i+2, pt.typ, platformFields, &top.platforms[i])
	}
	if err := p.Wait(); err != nil {
		return model.Catalog{}, err
	}
	truncated := slices.Contains(cuts, true)
	s.rememberRunsOn(es)
	cat := model.Catalog{Services: make([]model.Service, 0, len(es)), Truncated: truncated}
	known := map[string]bool{}
	for _, e := range es {
		known[e.EntityID] = true
		cat.Services = append(cat.Services, s.service(e))
	}
	type edge struct{ from, to string }
	var edges []edge
	add := func(from, to string) {
		if from != to && known[from] && known[to] && !slices.Contains(edges, edge{from, to}) {
			edges = append(edges, edge{from, to})
		}
	}
	for _, e := range es {
		for _, r := range e.FromRelationships["calls"] {
			add(e.EntityID, r.ID)
		}
		for _, r := range e.ToRelationships["calls"] {
			add(r.ID, e.EntityID)
		}
		for _, r := range e.FromRelationships["isCalledBy"] {
			add(r.ID, e.EntityID)
		}
		for _, r := range e.ToRelationships["isCalledBy"] {
			add(e.EntityID, r.ID)
		}
	}
	for _, ed := range edges {
		cat.Dependencies = append(cat.Dependencies, model.Dependency{From: ed.from, To: ed.to, Kind: "calls", Source: SourceName, Measured: true})
	}
	cat.Hosts, cat.RunsOn = s.platforms(es, top)
	return cat, nil
}

// service maps a SERVICE entity: tags as key:value, owner from an owner tag, type database
// for database services.
func (s *Source) service(e entity) model.Service {
	svc := model.Service{ID: e.EntityID, Name: e.DisplayName, Kind: e.Type, Type: "service", Source: SourceName}
	if st, _ := e.Properties["serviceType"].(string); strings.Contains(strings.ToUpper(st), "DATABASE") {
		svc.Type = "database"
	}
	for _, t := range e.Tags {
		v := t.Key
		if t.Value != "" {
			v += ":" + t.Value
		}
		svc.Tags = append(svc.Tags, v)
	}
	svc.Owner = ownerTag(e.Tags)
	if s.o.EnvURL != "" {
		svc.URL = s.o.EnvURL + "/#newservices/serviceOverview;id=" + e.EntityID
	}
	return svc
}
