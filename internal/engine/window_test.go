package engine_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// windowed knows incidents on checkout, by id with their start, and changes, which it
// returns only inside the window asked for, as real sources do.
type windowed struct {
	started map[string]time.Time
	changes []model.Change
}

func (w *windowed) Name() string                { return "pagerduty" }
func (w *windowed) Check(context.Context) error { return nil }
func (w *windowed) FindIncident(_ context.Context, ref string) (connectors.IncidentRef, error) {
	at, ok := w.started[ref]
	if !ok {
		return connectors.IncidentRef{}, connectors.ErrNotFound
	}
	return connectors.IncidentRef{ID: ref, StartedAt: at, Services: []string{"PCHK"}, Source: "pagerduty"}, nil
}
func (w *windowed) Changes(_ context.Context, t model.Target) ([]model.Change, error) {
	var out []model.Change
	for _, c := range w.changes {
		if !c.At.Before(t.Since) && !c.At.After(t.Until) {
			out = append(out, c)
		}
	}
	return out, nil
}

// TestIncidentWindowsAreCachedApart: two incidents on one service that started at different
// times look back from their own starts, so data fetched for one never answers the other
// within the cache TTL.
func TestIncidentWindowsAreCachedApart(t *testing.T) {
	now := time.Now().UTC()
	src := &windowed{
		started: map[string]time.Time{"RECENT": now.Add(-30 * time.Minute), "OLD": now.Add(-72 * time.Hour)},
		changes: []model.Change{
			{ID: "before-old", Title: "x", Kind: "deploy", At: now.Add(-73 * time.Hour), Service: "checkout", Source: "pagerduty"},
			{ID: "before-recent", Title: "y", Kind: "deploy", At: now.Add(-40 * time.Minute), Service: "checkout", Source: "pagerduty"},
		},
	}
	e := newEngine(time.Second, &fake.Memory{SourceName: "catalogfile", Cat: shopCatalog()}, src)
	ids := func(incident string) []string {
		t.Helper()
		a, err := e.IncidentContext(context.Background(), engine.Query{Incident: incident})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range a.Changes {
			out = append(out, c.ID)
		}
		slices.Sort(out)
		return out
	}
	for _, step := range []struct {
		incident string
		want     []string
	}{
		{"RECENT", []string{"before-recent"}},
		{"OLD", []string{"before-old", "before-recent"}}, // asked second, within the TTL
		{"RECENT", []string{"before-recent"}},
	} {
		if got := ids(step.incident); !slices.Equal(got, step.want) {
			t.Errorf("incident %s: changes %v, want %v", step.incident, got, step.want)
		}
	}
}
