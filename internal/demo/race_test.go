package demo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/demo"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
)

// Defects found by racing an assistant with only opsctx's tools against one with only the
// vendors' raw APIs on the demo incident: wherever the raw side answered better, these
// tests hold opsctx to it, through the MCP tools, in the structured result and the markdown.

// backoutPlan sets CHG0030017's recorded backout plan.
func backoutPlan(plan string) demo.Scenario {
	return demo.Scenario{T0: t0, Edit: func(_ string, data any) {
		if d, ok := data.(*snfake.Data); ok {
			for _, r := range d.Tables["change_request"] {
				if r["number"] == demo.SNChange {
					r["backout_plan"] = plan
				}
			}
		}
	}}
}

// TestRaceBackoutPlanRestoresNewValue: CHG0030017 is seen by ServiceNow (the record) and by
// Dynatrace (a config event: statement_timeout 5s -> 30s, naming the record). The event's
// values are shown beside the record, and since the recorded backout plan sets the new value
// (30s) and never the old one (5s), every channel says plainly that the plan may restore the
// new value, quoting both texts; at every detail level and in what_changed.
func TestRaceBackoutPlanRestoresNewValue(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	const plan = "ALTER SYSTEM SET statement_timeout = '30s'; SELECT pg_reload_conf(); verify with SHOW statement_timeout."
	wantDoubt := func(what string, ch answer.ChangeEntry) {
		t.Helper()
		d := ch.BackoutDoubt
		if ch.ID != demo.SNChange || d == nil || d.New != "30s" || d.Old != "5s" || !strings.Contains(d.Text, "may restore the new value") ||
			!strings.Contains(d.Text, plan) || !strings.Contains(d.Text, "statement_timeout 5s -> 30s") {
			t.Errorf("%s: %s backout doubt %+v, want the new 30s named, the old 5s not, both texts quoted", what, ch.ID, d)
		}
	}
	for _, detail := range []string{"standard", "full"} {
		a, md := incidentContext(t, c, map[string]any{"service": demo.Checkout, "detail": detail})
		if len(a.Changes) == 0 {
			t.Fatalf("%s: no changes", detail)
		}
		top := a.Changes[0]
		wantDoubt(detail, top)
		if !slices.ContainsFunc(top.Values, func(v answer.ChangeValues) bool {
			return v.Source == "dynatrace" && v.Setting == "statement_timeout" && v.Before == "5s" && v.After == "30s" && v.Event != ""
		}) || top.Record == nil || top.Record.BackoutPlan != plan {
			t.Errorf("%s: %s values %+v record %+v, want Dynatrace's 5s -> 30s beside the record", detail, top.ID, top.Values, top.Record)
		}
		has(t, detail+" markdown", md, `backout plan: "`+plan+`"`, "seen by telemetry: statement_timeout 5s -> 30s [dynatrace]",
			`warning: the backout plan may restore the new value "30s", not the old "5s"`)
		has(t, detail+" headline", a.Headline, `CHG0030017 "raise orders-db statement timeout"`, `backout plan may restore "30s", not "5s"`)
	}

	a, md := incidentContext(t, c, map[string]any{"service": demo.Checkout, "detail": "brief"})
	wantDoubt("brief", a.Changes[0])
	has(t, "brief markdown", md, `backout plan may restore "30s", not "5s"`)

	var wc incident.WhatChangedResult
	md = callBoth(t, c, "what_changed", map[string]any{"service": demo.Checkout}, &wc)
	i := slices.IndexFunc(wc.Changes, func(c answer.ChangeEntry) bool { return c.ID == demo.SNChange })
	if i < 0 {
		t.Fatalf("what_changed lacks %s: %+v", demo.SNChange, wc.Changes)
	}
	wantDoubt("what_changed", wc.Changes[i])
	has(t, "what_changed markdown", md, `backout plan: "`+plan+`"`, "approved by", "seen by telemetry: statement_timeout 5s -> 30s [dynatrace]",
		`warning: the backout plan may restore the new value "30s", not the old "5s"`)
}

// TestRaceBackoutPlanRestoresOldValue: a backout plan that sets the old value raises no
// doubt; the event's values are still shown beside the record.
func TestRaceBackoutPlanRestoresOldValue(t *testing.T) {
	c := mcpClient(t, backoutPlan("ALTER SYSTEM SET statement_timeout = '5s'; SELECT pg_reload_conf();"))
	a, md := incidentContext(t, c, map[string]any{"service": demo.Checkout})
	top := a.Changes[0]
	if top.ID != demo.SNChange || top.BackoutDoubt != nil || len(top.Values) == 0 {
		t.Errorf("%s doubt %+v values %+v: want no doubt, the values shown", top.ID, top.BackoutDoubt, top.Values)
	}
	has(t, "markdown", md, "seen by telemetry: statement_timeout 5s -> 30s [dynatrace]")
	for _, s := range []string{md, a.Headline} {
		if strings.Contains(s, "may restore") {
			t.Errorf("a doubt where the plan sets the old value:\n%s", s)
		}
	}
}
