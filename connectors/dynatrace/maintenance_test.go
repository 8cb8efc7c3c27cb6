package dynatrace_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors/dynatrace"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/model"
)

// windowData: maintenance windows of every schedule type, on checkout, on another service,
// on the whole environment, by tag, and one disabled.
func windowData() fakedt.Data {
	mw := func(id, name string, enabled bool, sched map[string]any, filters ...map[string]any) fakedt.SettingsObject {
		if filters == nil {
			filters = []map[string]any{}
		}
		return fakedt.SettingsObject{ObjectID: id, SchemaID: fakedt.MaintenanceSchema, Scope: "environment", Value: map[string]any{
			"enabled": enabled, "generalProperties": map[string]any{"name": name, "maintenanceType": "PLANNED", "suppression": "DETECT_PROBLEMS_DONT_ALERT"},
			"schedule": sched, "filters": filters}}
	}
	local := func(d time.Duration) string { return t0.Add(d).In(berlin).Format("2006-01-02T15:04:05") }
	once := map[string]any{"scheduleType": "ONCE", "onceRecurrence": map[string]any{"startTime": local(-time.Hour), "endTime": local(20 * time.Minute), "timeZone": "Europe/Berlin"}}
	weekly := map[string]any{"scheduleType": "WEEKLY", "weeklyRecurrence": map[string]any{"dayOfWeek": "THURSDAY",
		"timeWindow":      map[string]any{"startTime": "23:30:00", "endTime": "01:00:00", "timeZone": "UTC"},
		"recurrenceRange": map[string]any{"scopeStartDate": "2025-01-01", "scopeEndDate": "2026-12-31"}}}
	daily := map[string]any{"scheduleType": "DAILY", "dailyRecurrence": map[string]any{
		"timeWindow":      map[string]any{"startTime": "02:00:00", "endTime": "03:00:00", "timeZone": "UTC"},
		"recurrenceRange": map[string]any{"scopeStartDate": "2025-01-01", "scopeEndDate": "2025-11-20"}}} // over
	return fakedt.Data{Settings: []fakedt.SettingsObject{
		mw("mw-db", "orders-db patching", true, once, map[string]any{"entityType": "SERVICE", "entityId": svcCheckout}),
		mw("mw-env", "weekly platform upgrade", true, weekly),
		mw("mw-other", "other service", true, once, map[string]any{"entityType": "SERVICE", "entityId": "SERVICE-000000000000AAAA"}),
		mw("mw-tag", "by tag", true, once, map[string]any{"entityType": "SERVICE", "entityTags": []string{"env:prod"}}),
		mw("mw-off", "disabled", false, once, map[string]any{"entityType": "SERVICE", "entityId": svcCheckout}),
		mw("mw-over", "daily, over", true, daily),
	}}
}

var berlin, _ = time.LoadLocation("Europe/Berlin")

// TestMaintenanceWindows: the windows holding the target's entities (or the environment)
// now, or beginning within the horizon, each at its next occurrence in its time zone; the
// listing is Warm's; a token that may not read settings costs nothing but the windows.
func TestMaintenanceWindows(t *testing.T) {
	tests := []struct {
		name   string
		ahead  time.Duration
		scopes []string
		want   []string
	}{
		{"within 12 hours: the next weekly occurrence is beyond", 12 * time.Hour, nil,
			[]string{"mw-db orders-db patching -1h0m0s..20m0s [" + svcCheckout + "]"}},
		{"within two days: the weekly one on Thursday night", 48 * time.Hour, nil,
			[]string{"mw-db orders-db patching -1h0m0s..20m0s [" + svcCheckout + "]", "mw-env weekly platform upgrade 35h30m0s..37h0m0s [" + svcCheckout + "]"}},
		{"token without settings.read", 48 * time.Hour, []string{"problems.read", "events.read", "entities.read", "slo.read"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, srv := start(t, windowData(), dynatrace.Options{Now: func() time.Time { return t0 }}, fakedt.Options{Scopes: tt.scopes})
			if err := src.Warm(context.Background()); err != nil && tt.scopes == nil {
				t.Fatal(err)
			}
			srv.Reset()
			tg := target("checkout", svcCheckout)
			tg.Ahead = t0.Add(tt.ahead)
			ms, err := src.Mutes(context.Background(), tg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				if m.Kind != model.MuteMaintenance {
					t.Errorf("kind %s", m.Kind)
				}
				got = append(got, fmt.Sprintf("%s %s %s..%s %v", m.ID, m.Title, m.StartsAt.Sub(t0), m.EndsAt.Sub(t0), m.Services))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("windows %q, want %q", got, tt.want)
			}
			if n := len(srv.Requests()); n != 0 {
				t.Errorf("%d requests after Warm, want 0", n)
			}
		})
	}
}
