package pagerduty

import (
	"context"
	"net/url"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

// maintenanceWindow is a maintenance window: its services open no incidents until it ends.
type maintenanceWindow struct {
	ID          string `json:"id"`
	HTMLURL     string `json:"html_url"`
	StartTime   string `json:"start_time"`
	EndTime     string `json:"end_time"`
	Description string `json:"description"`
	CreatedBy   ref    `json:"created_by"`
	Services    []ref  `json:"services"`
}

// Mutes returns the maintenance windows of the target's services and its related services
// (every one for a zero target) that are under way or begin before t.Ahead: one GET
// /maintenance_windows?filter=open (ongoing and future windows), paged to the end. A listing
// cut short by the page cap keeps its windows and reports itself incomplete.
func (s *Source) Mutes(ctx context.Context, t model.Target) ([]model.Mute, error) {
	ids := withRelated(s.Name(), t)
	if t.Name != "" && len(ids) == 0 {
		return []model.Mute{}, nil
	}
	q := url.Values{"filter": {"open"}}
	if len(ids) > 0 {
		q["service_ids[]"] = ids
	}
	mws, err := listAll[maintenanceWindow](ctx, s, "/maintenance_windows", q, "maintenance_windows")
	if err != nil && !connectors.IsIncomplete(err) {
		return nil, err
	}
	limit := t.Ahead
	if limit.IsZero() {
		limit = s.o.Now()
	}
	out := []model.Mute{}
	for _, w := range mws {
		m := model.Mute{ID: w.ID, Kind: model.MuteMaintenance, Title: w.Description, StartsAt: parseTime(w.StartTime),
			EndsAt: parseTime(w.EndTime), CreatedBy: w.CreatedBy.label(), Source: s.Name(), URL: w.HTMLURL}
		if m.StartsAt.After(limit) {
			continue
		}
		for _, svc := range w.Services {
			m.Services = append(m.Services, svc.ID)
		}
		out = append(out, m)
	}
	return out, err
}
