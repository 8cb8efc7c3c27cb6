package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/escalation"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/timeutil"
)

// TestDemoOnCallAndEscalation: the joined demo answer names who is on call at each level and
// when the page escalates, from PagerDuty (and Opsgenie), looked up by incident number,
// Opsgenie tiny id or service.
func TestDemoOnCallAndEscalation(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	sc := demo.Scenario{T0: t0}
	ctx := context.Background()
	env, err := demo.StartAt(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	eng := app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Now: func() time.Time { return t0 }})
	incidentStart := sc.At(demo.IncidentAt)
	escalates := "escalates to Lena Fischer (L2) via pagerduty at " + timeutil.RFC3339(incidentStart.Add(demo.EscalateAfter*time.Minute)) + ", in 10 min"
	tests := []struct {
		name     string
		q        engine.Query
		headline string
		start    time.Time // PagerDuty escalates from its own incident, whatever the query started from
	}{
		{"PagerDuty incident number", engine.Query{Incident: fmt.Sprint(demo.PDIncidentNo)}, escalates, incidentStart},
		{"PagerDuty incident id", engine.Query{Incident: demo.PDIncidentID}, escalates, incidentStart},
		{"Opsgenie tiny id", engine.Query{Incident: demo.OGTinyID}, escalates, incidentStart},
		{"service", engine.Query{Service: demo.Checkout}, escalates, incidentStart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, err := eng.IncidentContext(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if ans.Service.Name != demo.Checkout {
				t.Fatalf("service %q, want checkout", ans.Service.Name)
			}
			for _, s := range ans.Sources {
				if (s.Name == "pagerduty" || s.Name == "opsgenie") && s.Status != model.StateOK {
					t.Errorf("source %s: %s %s", s.Name, s.Status, s.Error)
				}
			}
			var oncall []string
			var pdOnCall []model.OnCall
			for _, o := range ans.OnCall {
				if slices.Contains(o.Sources, "pagerduty") {
					oncall = append(oncall, fmt.Sprintf("%s L%d until %s", o.Name, o.Level, timeutil.RFC3339(o.Until)))
					pdOnCall = append(pdOnCall, model.OnCall{Name: o.Name, Level: o.Level, Source: "pagerduty"})
				}
			}
			samUntil, lenaUntil := sc.At(-demo.ShiftEndsIn).Format(time.RFC3339), sc.At(-16*time.Hour).Format(time.RFC3339)
			if want := []string{demo.Sam + " L1 until " + samUntil, demo.Lena + " L2 until " + lenaUntil}; !slices.Equal(oncall, want) {
				t.Errorf("pagerduty on-call %q, want %q", oncall, want)
			}
			if !slices.ContainsFunc(ans.OnCall, func(o answer.OnCallEntry) bool {
				return slices.Contains(o.Sources, "opsgenie") && o.Level == 1 && o.Email == demo.Email(demo.Sam)
			}) {
				t.Errorf("no Opsgenie L1 on-call for %s in %+v", demo.OGSchedule, ans.OnCall)
			}
			var steps []model.EscalationStep
			for _, e := range ans.Escalation {
				if e.Source == "pagerduty" {
					steps = append(steps, model.EscalationStep{Level: e.Level, AfterMinutes: e.AfterMinutes, Targets: e.Targets, Source: e.Source})
					if !tt.start.IsZero() {
						if want := tt.start.Add(time.Duration(e.AfterMinutes) * time.Minute).Format(time.RFC3339); timeutil.RFC3339(e.FiresAt) != want {
							t.Errorf("L%d fires at %s, want %s", e.Level, e.FiresAt, want)
						}
					}
				}
			}
			if len(steps) != 3 || steps[1].Level != 2 || steps[1].AfterMinutes != demo.EscalateAfter || !slices.Equal(steps[1].Targets, []string{demo.Lena}) {
				t.Fatalf("pagerduty escalation %+v, want L2 %s after %d min of 3 levels", steps, demo.Lena, demo.EscalateAfter)
			}
			if tt.headline == "" {
				return
			}
			if !strings.Contains(ans.Headline, tt.headline) {
				t.Errorf("headline %q lacks %q", ans.Headline, tt.headline)
			}
			levels := escalation.Staff(escalation.Timeline(escalation.Policy{Steps: steps}, tt.start, t0), pdOnCall)
			next, ok := escalation.Next(levels)
			if !ok || next.String() != "30 min unresolved → level 2: Lena Fischer" || next.In(t0) != tt.start.Add(30*time.Minute).Sub(t0) {
				t.Errorf("next escalation %q in %s", next.String(), next.In(t0))
			}
		})
	}
}
