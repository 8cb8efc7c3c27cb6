package dynatrace

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// The settings objects listing and the schema of maintenance windows.
const (
	settingsPath      = "api/v2/settings/objects"
	maintenanceSchema = "builtin:alerting.maintenance-window"
)

// windowListing is the environment's maintenance windows; denied is set when the token may
// not read settings (settings.read), which costs the answers nothing but the windows.
type windowListing struct {
	windows []window
	denied  bool
}

// windowListingJSON is a windowListing in the shared cache.
type windowListingJSON struct {
	Windows []window `json:"windows"`
	Denied  bool     `json:"denied,omitempty"`
}

// MarshalJSON encodes the listing.
func (l windowListing) MarshalJSON() ([]byte, error) {
	return json.Marshal(windowListingJSON{l.windows, l.denied})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (l *windowListing) UnmarshalJSON(b []byte) error {
	var j windowListingJSON
	err := json.Unmarshal(b, &j)
	*l = windowListing{windows: j.Windows, denied: j.Denied}
	return err
}

// window is a maintenance window settings object.
type window struct {
	ObjectID string `json:"objectId"`
	Value    struct {
		Enabled           bool `json:"enabled"`
		GeneralProperties struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"generalProperties"`
		Schedule schedule `json:"schedule"`
		Filters  []struct {
			EntityID   string `json:"entityId"`
			EntityType string `json:"entityType"`
		} `json:"filters"`
	} `json:"value"`
}

// fetchWindows reads every maintenance window (GET /settings/objects for the schema, paged
// to the end). A token without settings.read reads none, and says so once in the log.
func (s *Source) fetchWindows(ctx context.Context) (windowListing, error) {
	ws, err := list[window](ctx, s, settingsPath, url.Values{"schemaIds": {maintenanceSchema},
		"fields": {"objectId,value"}, "pageSize": {s.pageSize(500)}})
	if st := httpx.StatusOf(err); st == http.StatusForbidden || st == http.StatusUnauthorized {
		s.logger().Info("dynatrace maintenance windows not read: the token may not read settings (settings.read)", "source", s.Name())
		return windowListing{denied: true}, nil
	}
	if err != nil && !connectors.IsIncomplete(err) {
		return windowListing{}, err
	}
	return windowListing{windows: ws}, err
}

// Mutes returns the maintenance windows that hold the target's entities (or its related
// services' and hosts'), or the whole environment, now or that begin before t.Ahead: each
// window's next occurrence in that period. The windows come from the listing Warm keeps.
// Windows scoped by tags or management zones cannot be placed without the entities' own
// and are left out.
func (s *Source) Mutes(ctx context.Context, t model.Target) ([]model.Mute, error) {
	ids := entityIDs(s.Name(), t, true)
	if t.Name != "" && len(ids) == 0 {
		return []model.Mute{}, nil
	}
	l, err := s.mws.Get(ctx, "", s.fetchWindows)
	if err != nil && !connectors.IsIncomplete(err) {
		return nil, err
	}
	now := s.now()
	ahead := now
	if t.Ahead.After(now) {
		ahead = t.Ahead
	}
	out := []model.Mute{}
	for _, w := range l.windows {
		v := w.Value
		if !v.Enabled {
			continue
		}
		start, end, ok := v.Schedule.next(now, ahead)
		if !ok {
			continue
		}
		m := model.Mute{ID: w.ObjectID, Kind: model.MuteMaintenance, Title: v.GeneralProperties.Name, StartsAt: start, EndsAt: end, Source: s.Name()}
		if len(v.Filters) == 0 { // the whole environment
			m.Services = ids
		}
		for _, f := range v.Filters {
			if f.EntityID != "" && (t.Name == "" || slices.Contains(ids, f.EntityID)) && !slices.Contains(m.Services, f.EntityID) {
				m.Services = append(m.Services, f.EntityID)
			}
		}
		if len(m.Services) > 0 || t.Name == "" && len(v.Filters) == 0 {
			out = append(out, m)
		}
	}
	return out, err
}
