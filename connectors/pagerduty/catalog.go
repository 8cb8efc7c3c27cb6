package pagerduty

import (
	"context"
	"net/url"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

// Catalog lists every service with its owning team (the first team's name) and remembers
// each service's escalation policy for Responders. Service dependencies need one request
// per service in PagerDuty, so they are not part of the catalog (see Dependencies).
func (s *Source) Catalog(ctx context.Context) (model.Catalog, error) {
	svcs, err := listAll[service](ctx, s, "/services", url.Values{"sort_by": {"name"}}, "services")
	truncated := connectors.IsIncomplete(err)
	if truncated {
		err = nil // the catalog says so itself (Truncated)
	}
	if err != nil {
		return model.Catalog{}, err
	}
	cat := model.Catalog{Services: []model.Service{}, Truncated: truncated}
	seenTeam := map[string]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sv := range svcs {
		m := model.Service{ID: sv.ID, Name: sv.Name, Description: sv.Description, Source: SourceName, URL: sv.HTMLURL}
		if len(sv.Teams) > 0 {
			m.Owner = sv.Teams[0].label()
		}
		if sv.Status != "" {
			m.Tags = []string{"pagerduty-status:" + sv.Status}
		}
		cat.Services = append(cat.Services, m)
		for _, t := range sv.Teams {
			if !seenTeam[t.ID] {
				seenTeam[t.ID] = true
				cat.Teams = append(cat.Teams, model.Team{ID: t.ID, Name: t.label(), Source: SourceName, Links: links(t.HTMLURL)})
			}
		}
		if sv.EscalationPolicy.ID != "" {
			s.policyOf[sv.ID] = sv.EscalationPolicy.ID
		}
	}
	return cat, nil
}

func links(u string) []model.Link {
	if u == "" {
		return nil
	}
	return []model.Link{{Title: "PagerDuty", URL: u}}
}

// Dependencies returns the technical-service dependencies of one service (one request):
// From depends on To, both PagerDuty service ids.
func (s *Source) Dependencies(ctx context.Context, serviceID string) ([]model.Dependency, error) {
	var out struct {
		Relationships []struct {
			SupportingService ref `json:"supporting_service"`
			DependentService  ref `json:"dependent_service"`
		} `json:"relationships"`
	}
	if _, err := s.c.GetJSON(ctx, "/service_dependencies/technical_services/"+url.PathEscape(serviceID), nil, &out); err != nil {
		return nil, wrap(err)
	}
	var deps []model.Dependency
	for _, r := range out.Relationships {
		deps = append(deps, model.Dependency{From: r.DependentService.ID, To: r.SupportingService.ID, Kind: "depends_on", Source: SourceName})
	}
	return deps, nil
}

// serviceIDs returns the PagerDuty service ids of the target: the record of this source
// (named source),
// else the catalog annotation. Names are matched by the join through this source's
// catalog, which puts a record on the target.
func serviceIDs(source string, t model.Target) []string {
	if r, ok := t.RecordFrom(source); ok && r.ID != "" {
		return []string{r.ID}
	}
	if id := t.Annotation("pagerduty.com/service-id"); id != "" {
		return []string{id}
	}
	return nil
}

// withRelated returns the target's service ids followed by its related services' ids.
func withRelated(source string, t model.Target) []string {
	var out []string
	seen := map[string]bool{}
	for _, tt := range append([]model.Target{t}, t.Related...) {
		for _, id := range serviceIDs(source, tt) {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}
