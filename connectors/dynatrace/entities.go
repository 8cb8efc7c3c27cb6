package dynatrace

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

const (
	entitiesPath = "api/v2/entities"
	entityFields = "+tags,+managementZones,+fromRelationships,+toRelationships,+properties.serviceType"
)

// Catalog returns the services Dynatrace observed (last 3 days) with their tags and the
// call edges measured from telemetry. An edge is read from the caller's
// fromRelationships.calls and from the callee's toRelationships.calls (isCalledBy is
// accepted as the inverse), deduplicated, and kept only between listed services.
func (s *Source) Catalog(ctx context.Context) (model.Catalog, error) {
	q := url.Values{"entitySelector": {criterion("type", "SERVICE")}, "fields": {entityFields}, "pageSize": {s.pageSize(500)}}
	es, err := list[entity](ctx, s, entitiesPath, q)
	truncated := connectors.IsIncomplete(err)
	if err != nil && !truncated {
		return model.Catalog{}, err
	}
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
		if slices.Contains(ownerTagKeys, strings.ToLower(t.Key)) && t.Value != "" && svc.Owner == "" {
			svc.Owner = t.Value
		}
	}
	if s.o.EnvURL != "" {
		svc.URL = s.o.EnvURL + "/#newservices/serviceOverview;id=" + e.EntityID
	}
	return svc
}
