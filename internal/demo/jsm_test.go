package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/timeutil"
)

// TestDemoMidMigration: checkout's team is on Opsgenie and JSM Operations at once. The
// answer has Sam on call once, naming Opsgenie and JSM (and the other sources that page him),
// with the shift end JSM's timeline gives; the 5xx alert both carry under one alias is one alert group naming both;
// JSM's escalation is there with its timing, its schedule staffed by Sam; a JSM tiny id finds the incident.
func TestDemoMidMigration(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	sc := demo.Scenario{T0: t0}
	ctx := context.Background()
	env, err := demo.StartAt(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	eng := app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Now: func() time.Time { return t0 }})
	for _, q := range []engine.Query{{Service: demo.Checkout}, {Incident: demo.JSMTinyID}} {
		ans, err := eng.IncidentContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Service.Name != demo.Checkout {
			t.Fatalf("%+v: service %q", q, ans.Service.Name)
		}
		for _, s := range ans.Sources {
			if s.Name == "jsm" && s.Status != "ok" {
				t.Errorf("jsm: %s %s", s.Status, s.Error)
			}
		}
		var sam []answer.OnCallEntry
		for _, o := range ans.OnCall {
			if o.Name == demo.Sam {
				sam = append(sam, o)
			}
		}
		if len(sam) != 1 || !slices.Contains(sam[0].Sources, "opsgenie") || !slices.Contains(sam[0].Sources, "jsm") || sam[0].Level != 1 ||
			sam[0].Email != demo.Email(demo.Sam) || timeutil.RFC3339(sam[0].Until) != sc.At(-demo.ShiftEndsIn).Format(time.RFC3339) {
			t.Errorf("%+v: Sam on call %+v, want one L1 entry from opsgenie and jsm until %s", q, sam, sc.At(-demo.ShiftEndsIn))
		}
		var groups []answer.AlertGroup
		for _, g := range ans.AlertGroups {
			if slices.Contains(g.Sources, "jsm") || slices.Contains(g.Sources, "opsgenie") {
				groups = append(groups, g)
			}
		}
		if len(groups) != 1 || !slices.Contains(groups[0].Sources, "opsgenie") || !slices.Contains(groups[0].Sources, "jsm") {
			t.Errorf("%+v: Opsgenie and JSM alert groups %+v, want one naming both", q, groups)
		}
		var steps []string
		for _, e := range ans.Escalation {
			if e.Source == "jsm" {
				steps = append(steps, timeutil.RFC3339(e.FiresAt)+" "+e.Targets[0])
			}
		}
		start := sc.At(demo.OpsgenieAt)
		if want := []string{start.Format(time.RFC3339) + " " + demo.Sam, start.Add(demo.EscalateAfter*time.Minute).Format(time.RFC3339) + " " + demo.Lena}; !slices.Equal(steps, want) {
			t.Errorf("%+v: jsm escalation %q, want %q", q, steps, want)
		}
	}
}
