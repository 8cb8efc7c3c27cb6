package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/demo"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	jsmfake "github.com/opsctx/opsctx/internal/fake/jsm"
	ogfake "github.com/opsctx/opsctx/internal/fake/opsgenie"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
	"github.com/opsctx/opsctx/internal/fake/schedule"
	"github.com/opsctx/opsctx/internal/timeutil"
)

// The incident's clock (issue 22, and issue 12's escalation and time items), asked through
// the MCP tools over the demo fakes; every test checks the structured result and the
// markdown, each on its own.

// at is a moment after T0 (the demo's now) as the answers write it.
func at(sc demo.Scenario, after time.Duration) string { return timeutil.RFC3339(sc.T0.Add(after)) }

// incidentContext asks incident_context, and returns its structured result and markdown.
func incidentContext(t *testing.T, c *client.Client, args map[string]any) (answer.IncidentContext, string) {
	t.Helper()
	var a answer.IncidentContext
	md := callBoth(t, c, "incident_context", args, &a)
	return a, md
}

// nextOf returns the timeline entries of a kind.
func nextOf(next []answer.NextEntry, kind answer.NextKind) []answer.NextEntry {
	var out []answer.NextEntry
	for _, n := range next {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// has fails unless every part is in md.
func has(t *testing.T, what, md string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(md, p) {
			t.Errorf("%s lacks %q:\n%s", what, p, md)
		}
	}
}

// TestClockDemoStory: the demo shows what comes next — Sam hands over to Kofi within the
// hour, Aiko's silence on the firing CartLatencyHigh ends in 20 min as does Cart's
// maintenance window, order-queue's pending alert fires in 4 min, CHG0030020 is scheduled on
// the orders-db dependency — with the answer's time and the trouble's first symptom, and the
// suspect's record.
func TestClockDemoStory(t *testing.T) {
	sc := demo.Scenario{T0: t0}
	c := mcpClient(t, sc)
	a, md := incidentContext(t, c, map[string]any{"service": "checkout", "detail": "full"})

	if !a.AsOf.Equal(t0) || !a.Horizon.Equal(t0.Add(12*time.Hour)) || !a.StartedAt.Equal(t0.Add(-29*time.Minute)) {
		t.Errorf("as of %s, horizon %s, started %s: want T0, T0+12h, the first symptom at T0-29m (orders-db's alert)", a.AsOf, a.Horizon, a.StartedAt)
	}
	has(t, "markdown", md, "As of "+at(sc, 0)+"; trouble started "+at(sc, -29*time.Minute)+" (29 min ago)")
	if !strings.Contains(a.Headline, "for 29 min") {
		t.Errorf("headline counts the trouble from the problem's opening, not the first symptom: %s", a.Headline)
	}

	// Handover within the hour, in the on-call entry, the timeline and the headline.
	if len(a.OnCall) == 0 || a.OnCall[0].Name != demo.Sam || a.OnCall[0].Handover == nil || a.OnCall[0].Handover.To != demo.Kofi ||
		!a.OnCall[0].Handover.At.Equal(t0.Add(demo.ShiftEndsIn)) {
		t.Fatalf("L1 on call %+v: want Sam handing over to Kofi at T0+25m", a.OnCall)
	}
	if h := nextOf(a.Next, answer.NextHandover); len(h) == 0 || h[0].InMinutes != 25 || !strings.Contains(h[0].What, "hands over to "+demo.Kofi) {
		t.Errorf("handover in next: %+v", h)
	}
	has(t, "headline", a.Headline, "hands over to Kofi Mensah at "+at(sc, demo.ShiftEndsIn)+", in 25 min")
	has(t, "markdown", md, "then Kofi Mensah (in 25 min)", "handover: L1 Sam Okafor hands over to Kofi Mensah")

	// The silence about to end, on a firing alert of a dependency, and Cart's maintenance.
	sil := nextOf(a.Next, answer.NextSilenceEnds)
	if len(sil) != 1 || sil[0].Subject != demo.CartSilenced || sil[0].Service != demo.Cart || sil[0].InMinutes != 20 || sil[0].Source != "alertmanager" {
		t.Errorf("silence ending: %+v", sil)
	}
	if m := nextOf(a.Next, answer.NextMaintenanceEnds); len(m) != 1 || m[0].Service != demo.Cart || m[0].InMinutes != 20 || m[0].Source != "pagerduty" {
		t.Errorf("maintenance ending: %+v", m)
	}
	has(t, "markdown", md, `silence_ends: aiko.tanaka's silence "cart session store migration" on CartLatencyHigh (silenced, on dependency cart) ends`,
		`maintenance_ends: Marco Rossi's maintenance window "cart session store migration" (since `+at(sc, -40*time.Minute)+`) on dependency cart ends`)

	// The pending alert and the change scheduled on a dependency.
	if f := nextOf(a.Next, answer.NextAlertFires); len(f) != 1 || f[0].Service != demo.OrderQueue || !f[0].At.Equal(t0.Add(demo.PendingFiresIn)) {
		t.Errorf("alert about to fire: %+v", f)
	}
	cs := nextOf(a.Next, answer.NextChangeStarts)
	if len(cs) != 1 || cs[0].Subject != demo.SNScheduledChange || cs[0].Service != demo.OrdersDB || !strings.Contains(cs[0].What, "scheduled") ||
		!strings.Contains(cs[0].What, "on dependency orders-db") || !cs[0].At.Equal(t0.Add(demo.ScheduledChangeIn)) {
		t.Errorf("scheduled change: %+v", cs)
	}
	has(t, "markdown", md, "change_starts: CHG0030020 \"orders-db failover test\" (change_request, scheduled) on dependency orders-db starts",
		"alert_fires: \"order-queue consumers lag more than 2 minutes\" on dependency order-queue is pending")
	if !slices.IsSortedFunc(a.Next, func(x, y answer.NextEntry) int { return x.At.Compare(y.At) }) {
		t.Errorf("next is not in time order: %+v", a.Next)
	}
	for _, ch := range a.Changes {
		if ch.ID == demo.SNScheduledChange {
			t.Errorf("a change that has not begun is ranked among the changes: %+v", ch)
		}
	}

	// The suspect's record.
	r := a.Changes[0].Record
	if a.Changes[0].ID != demo.SNChange || r == nil || r.ApprovedBy != demo.Lena || r.Implementer != demo.Priya || r.BackoutPlan == "" ||
		!r.WorkStart.Equal(t0.Add(-demo.ChangeAt)) || !r.WorkEnd.IsZero() || !r.PlannedEnd.After(t0) {
		t.Errorf("the suspect's record: %+v", r)
	}
	for _, ch := range a.Changes[1:] {
		if ch.Record != nil {
			t.Errorf("%s carries a record; only the top suspect does", ch.ID)
		}
	}
	if r != nil && r.State != "implement" {
		t.Errorf("the suspect's record has state %q, want implement", r.State)
	}
	has(t, "markdown", md, "record: planned ", "(still open, closes in 30 min)", "state implement", "approved by Lena Fischer",
		"backout plan: \"ALTER SYSTEM SET statement_timeout")

	// Who is on it: the ticket's assignee (the source gives no time), and the pages nobody took.
	if len(a.Acknowledged) != 1 || a.Acknowledged[0].By != demo.Sam || a.Acknowledged[0].Source != "servicenow" || !a.Acknowledged[0].At.IsZero() ||
		!slices.Contains(a.Unacknowledged, "pagerduty incident 4711") {
		t.Errorf("acknowledged %+v, unacknowledged %v", a.Acknowledged, a.Unacknowledged)
	}
	has(t, "markdown", md, "- Sam Okafor acknowledged servicenow incident INC0012345 [servicenow]", "- not acknowledged: pagerduty incident 4711")
	if strings.Contains(a.Headline, "acknowledged by") {
		t.Errorf("the headline says a page was acknowledged: %s", a.Headline)
	}

	// who_owns has the same timeline.
	var w incident.WhoOwnsResult
	wmd := callBoth(t, c, "who_owns", map[string]any{"service": "checkout"}, &w)
	if len(nextOf(w.Next, answer.NextHandover)) == 0 || len(nextOf(w.Next, answer.NextEscalation)) == 0 || !w.AsOf.Equal(t0) {
		t.Errorf("who_owns next: %+v", w.Next)
	}
	has(t, "who_owns markdown", wmd, "As of "+at(sc, 0), "## Next", "hands over to Kofi Mensah", "then Kofi Mensah (in 25 min)")

	// The stakeholder update says when the next update is due.
	var req mcp.GetPromptRequest
	req.Params.Name, req.Params.Arguments = "stakeholder_update", map[string]string{"service": "checkout"}
	p, err := c.GetPrompt(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	due := nextOf(a.Next, answer.NextUpdateDue)
	if len(due) != 1 {
		t.Fatalf("update due: %+v", due)
	}
	has(t, "stakeholder prompt", p.Messages[0].Content.(mcp.TextContent).Text, "when the next update comes (at "+timeutil.RFC3339(due[0].At)+", in ")
}

// TestClockHandoverHorizon: a handover within the horizon is said, one beyond it is not.
func TestClockHandoverHorizon(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	for _, tc := range []struct {
		horizon string
		want    bool
	}{{"10m", false}, {"1h", true}} {
		var w incident.WhoOwnsResult
		md := callBoth(t, c, "who_owns", map[string]any{"service": "checkout", "horizon": tc.horizon}, &w)
		got := len(w.OnCall) > 0 && w.OnCall[0].Handover != nil
		if got != tc.want || (len(nextOf(w.Next, answer.NextHandover)) > 0) != tc.want || strings.Contains(md, "then Kofi Mensah") != tc.want {
			t.Errorf("horizon %s: handover %v, want %v; next %+v", tc.horizon, got, tc.want, w.Next)
		}
		if !w.Horizon.Equal(w.AsOf.Add(map[string]time.Duration{"10m": 10 * time.Minute, "1h": time.Hour}[tc.horizon])) {
			t.Errorf("horizon %s: ends %s", tc.horizon, w.Horizon)
		}
	}
}

// TestClockOverride: an override wins over the rotation: Marco overrides Sam in Opsgenie from
// T0+10m, so Sam hands over to Marco then, by override.
func TestClockOverride(t *testing.T) {
	edit := func(_ string, data any) {
		switch d := data.(type) {
		case *pdfake.Data: // PagerDuty and JSM say nothing of checkout's L1 after now
			d.OnCalls = slices.DeleteFunc(d.OnCalls, func(o pdfake.OnCall) bool { return o.EscalationLevel == 1 && o.EscalationPolicy.ID == demo.PDPolicy })
		case *jsmfake.Data:
			d.Rotations = nil
		case *ogfake.Data:
			d.Users = append(d.Users, ogfake.User{ID: "a1b2c3d4-0009-4000-8000-000000000009", Username: demo.Email(demo.Marco), FullName: demo.Marco})
			for id, shifts := range d.Rotations {
				d.Rotations[id] = append(shifts, schedule.Shift{Rotation: "primary", Start: t0.Add(10 * time.Minute), End: t0.Add(70 * time.Minute),
					Who: demo.Email(demo.Marco), Override: true})
			}
		}
	}
	sc := demo.Scenario{T0: t0, Edit: edit}
	a, md := incidentContext(t, mcpClient(t, sc), map[string]any{"service": "checkout", "detail": "full"})
	var sam *answer.OnCallEntry
	for i := range a.OnCall {
		if a.OnCall[i].Name == demo.Sam {
			sam = &a.OnCall[i]
		}
	}
	if sam == nil || sam.Handover == nil || sam.Handover.To != demo.Marco || !sam.Handover.Override || !sam.Handover.At.Equal(t0.Add(10*time.Minute)) ||
		sam.Handover.Source != "opsgenie" {
		t.Fatalf("Sam on call %+v: want a handover to Marco by override at T0+10m", sam)
	}
	if h := nextOf(a.Next, answer.NextHandover); len(h) == 0 || !strings.HasSuffix(h[0].What, "hands over to Marco Rossi (override)") {
		t.Errorf("handover in next: %+v", h)
	}
	has(t, "markdown", md, "then Marco Rossi (in 10 min) by override", "hands over to Marco Rossi (override)")
	has(t, "headline", a.Headline, "hands over to Marco Rossi at "+at(sc, 10*time.Minute)+", in 10 min")
}

// TestClockChangeAfterStart: a deploy of checkout eight minutes ago, after the trouble began
// (T0-29m), is shown as after the start and ranks below every change before it, in
// incident_context and what_changed.
func TestClockChangeAfterStart(t *testing.T) {
	edit := func(_ string, data any) {
		if d, ok := data.(*pdfake.Data); ok {
			d.ChangeEvents = append(d.ChangeEvents, pdfake.ChangeEvent{ID: "01CHKV2150DEPLOY", Summary: "checkout v2.15.0",
				Timestamp: t0.Add(-8 * time.Minute).Format(time.RFC3339), Services: []pdfake.Ref{{ID: demo.PDCheckout, Summary: "Checkout API"}},
				Source: "ci", Links: []pdfake.Link{}, CustomDetails: map[string]any{"change_type": "deploy", "author": demo.Sam}})
		}
	}
	c := mcpClient(t, demo.Scenario{T0: t0, Edit: edit})
	a, md := incidentContext(t, c, map[string]any{"service": "checkout", "detail": "full"})
	var wc incident.WhatChangedResult
	wmd := callBoth(t, c, "what_changed", map[string]any{"service": "checkout", "since": "6h"}, &wc)
	for name, changes := range map[string][]answer.ChangeEntry{"incident_context": a.Changes, "what_changed": wc.Changes} {
		i := slices.IndexFunc(changes, func(ch answer.ChangeEntry) bool { return ch.ID == "01CHKV2150DEPLOY" })
		if i < 0 {
			t.Fatalf("%s: the deploy is missing: %+v", name, changes)
		}
		d := changes[i]
		if !d.AfterStart || !strings.Contains(d.Reason, "21 min after the trouble started") || changes[0].ID != demo.SNChange {
			t.Errorf("%s: deploy %+v, first %s", name, d, changes[0].ID)
		}
		for _, before := range changes[:i] {
			if before.AfterStart || before.Suspicion < d.Suspicion {
				t.Errorf("%s: %s (%.2f) ranks above the deploy after the start (%.2f)", name, before.ID, before.Suspicion, d.Suspicion)
			}
		}
		for _, after := range changes[i+1:] {
			if !after.AfterStart {
				t.Errorf("%s: %s, before the start, ranks below the deploy after it", name, after.ID)
			}
		}
	}
	has(t, "incident_context markdown", md, "01CHKV2150DEPLOY \"checkout v2.15.0\"", "21 min after the trouble started: a response or a coincidence")
	has(t, "what_changed markdown", wmd, "21 min after the trouble started")
	if strings.Contains(a.Headline, "v2.15.0") {
		t.Errorf("headline names the deploy after the start: %s", a.Headline)
	}
}

// TestClockEscalationAcrossHandover: with a policy that loops, L1 is paged again at T0+70m,
// after Sam's shift ended: the projection names Kofi, who is on call then.
func TestClockEscalationAcrossHandover(t *testing.T) {
	edit := func(_ string, data any) {
		if d, ok := data.(*pdfake.Data); ok {
			for i := range d.Policies {
				if d.Policies[i].ID == demo.PDPolicy {
					d.Policies[i].NumLoops = 1
				}
			}
		}
	}
	sc := demo.Scenario{T0: t0, Edit: edit}
	a, md := incidentContext(t, mcpClient(t, sc), map[string]any{"service": "checkout", "detail": "full"})
	var l1 []answer.EscalationEntry
	for _, e := range a.Escalation {
		if e.Source == "pagerduty" && e.Level == 1 {
			l1 = append(l1, e)
		}
	}
	// The incident began at T0-20m; one pass lasts 90 min: L1 again at T0+70m.
	if len(l1) != 2 || !slices.Equal(l1[0].Targets, []string{demo.Sam}) || !slices.Equal(l1[1].Targets, []string{demo.Kofi}) ||
		!l1[1].FiresAt.Equal(t0.Add(70*time.Minute)) || l1[1].State != answer.EscalationDue {
		t.Fatalf("pagerduty L1 firings %+v: want Sam at the start, Kofi at T0+70m", l1)
	}
	if !slices.ContainsFunc(nextOf(a.Next, answer.NextEscalation), func(n answer.NextEntry) bool {
		return n.Subject == "L1 "+demo.Kofi && n.At.Equal(t0.Add(70*time.Minute))
	}) {
		t.Errorf("next lacks L1 Kofi at T0+70m: %+v", a.Next)
	}
	has(t, "markdown", md, "- L1 after 90 min: Kofi Mensah (fires "+at(sc, 70*time.Minute)+", in 70 min, unless acknowledged) [pagerduty]")
}

// TestClockAcknowledgementStopsEscalation: PagerDuty incident 4711 acknowledged by Sam (L1)
// two minutes after it triggered: its L2 and L3 will not fire, nothing says they will, the
// answer says who acknowledged and when, and that the acknowledgement times out.
func TestClockAcknowledgementStopsEscalation(t *testing.T) {
	ackAt := t0.Add(-demo.IncidentAt + 2*time.Minute)
	edit := func(_ string, data any) {
		if d, ok := data.(*pdfake.Data); ok {
			for i := range d.Incidents {
				if d.Incidents[i].ID == demo.PDIncidentID {
					d.Incidents[i].Status = "acknowledged"
					d.Incidents[i].Acknowledgements = []pdfake.Acknowledgement{{At: ackAt.Format(time.RFC3339), Acknowledger: pdfake.Ref{ID: "PSAMOK1", Summary: demo.Sam}}}
				}
			}
		}
	}
	sc := demo.Scenario{T0: t0, Edit: edit}
	c := mcpClient(t, sc)
	a, md := incidentContext(t, c, map[string]any{"service": "checkout", "detail": "full"})
	for _, e := range a.Escalation {
		if e.Source != "pagerduty" {
			continue
		}
		switch {
		case e.Level == 1 && e.State != answer.EscalationPaged:
			t.Errorf("L1: %+v, want paged", e)
		case e.Level > 1 && (e.State != answer.EscalationHeld || !e.FiresAt.IsZero()):
			t.Errorf("L%d: %+v, want held without a time", e.Level, e)
		}
	}
	for _, n := range nextOf(a.Next, answer.NextEscalation) {
		if n.Source == "pagerduty" {
			t.Errorf("a PagerDuty escalation is projected after the acknowledgement: %+v", n)
		}
	}
	if len(a.Acknowledged) == 0 || a.Acknowledged[0].By != demo.Sam || !a.Acknowledged[0].At.Equal(ackAt) ||
		a.Acknowledged[0].What != "pagerduty incident 4711" || slices.Contains(a.Unacknowledged, "pagerduty incident 4711") {
		t.Errorf("acknowledged %+v, unacknowledged %v", a.Acknowledged, a.Unacknowledged)
	}
	// The service acknowledges for 30 minutes: it re-triggers at T0+12m.
	if x := nextOf(a.Next, answer.NextAckExpires); len(x) != 1 || !x[0].At.Equal(ackAt.Add(30*time.Minute)) {
		t.Errorf("acknowledgement timeout: %+v", x)
	}
	has(t, "headline", a.Headline, "pagerduty incident 4711 acknowledged by Sam Okafor at "+timeutil.RFC3339(ackAt)+", 18 min ago")
	if strings.Contains(a.Headline, "via pagerduty") {
		t.Errorf("the headline projects a PagerDuty escalation: %s", a.Headline)
	}
	has(t, "markdown", md, "Sam Okafor acknowledged pagerduty incident 4711 at "+timeutil.RFC3339(ackAt)+" (18 min ago)",
		"L2 after 30 min: Lena Fischer (will not fire: acknowledged) [pagerduty]", "ack_expires: the acknowledgement of pagerduty incident 4711 times out")
	if strings.Contains(md, "Lena Fischer is paged unless pagerduty") {
		t.Errorf("markdown projects L2 after the acknowledgement:\n%s", md)
	}
}

// TestClockEscalationOwnPagesOnly: payments has no page of its own; its consumer checkout's
// PagerDuty incident and Opsgenie alert must not time payments' escalation.
func TestClockEscalationOwnPagesOnly(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	var w incident.WhoOwnsResult
	md := callBoth(t, c, "who_owns", map[string]any{"service": "payments"}, &w)
	if w.ActiveIncident != "" || len(nextOf(w.Next, answer.NextEscalation)) != 0 {
		t.Errorf("payments' escalation timed from %q: next %+v", w.ActiveIncident, w.Next)
	}
	for _, e := range w.Escalation {
		if !e.FiresAt.IsZero() || e.State != "" {
			t.Errorf("payments escalation %+v has a time", e)
		}
	}
	if strings.Contains(md, "timed from") || strings.Contains(md, "fires ") {
		t.Errorf("markdown times payments' escalation:\n%s", md)
	}
	a, _ := incidentContext(t, c, map[string]any{"service": "payments"})
	if strings.Contains(a.Headline, "escalates to") {
		t.Errorf("payments headline announces an escalation: %s", a.Headline)
	}
}

// TestClockOpsgenieConditions: Opsgenie's rules apply only while their condition holds. The
// checkout alert is acknowledged by Sam two minutes after it was created: the if-not-acked
// rule to Lena (30 min) will not fire, an if-not-closed rule to Marco (45 min) still will,
// timed from the alert's creation.
func TestClockOpsgenieConditions(t *testing.T) {
	created := t0.Add(-demo.OpsgenieAt)
	edit := func(_ string, data any) {
		d, ok := data.(*ogfake.Data)
		if !ok {
			return
		}
		marco := "a1b2c3d4-0009-4000-8000-000000000009"
		d.Users = append(d.Users, ogfake.User{ID: marco, Username: demo.Email(demo.Marco), FullName: demo.Marco})
		for i := range d.Escalations {
			d.Escalations[i].Rules = append(d.Escalations[i].Rules, ogfake.EscalationRule{Condition: "if-not-closed", NotifyType: "default",
				Delay: ogfake.Duration{TimeAmount: 45, TimeUnit: "minutes"}, Recipient: ogfake.Recipient{Type: "user", ID: marco, Username: demo.Email(demo.Marco)}})
		}
		for i := range d.Alerts {
			if d.Alerts[i].Status == "open" {
				d.Alerts[i].Acknowledged, d.Alerts[i].Owner = true, demo.Email(demo.Sam)
				d.Alerts[i].Report = &ogfake.Report{AckTime: 120000, AcknowledgedBy: demo.Email(demo.Sam)}
			}
		}
	}
	sc := demo.Scenario{T0: t0, Edit: edit}
	a, md := incidentContext(t, mcpClient(t, sc), map[string]any{"service": "checkout", "detail": "full"})
	var states []string
	for _, e := range a.Escalation {
		if e.Source == "opsgenie" {
			states = append(states, fmt.Sprintf("L%d %s %s %s", e.Level, strings.Join(e.Targets, ","), e.State, timeutil.RFC3339(e.FiresAt)))
		}
	}
	want := []string{"L1 Sam Okafor paged " + timeutil.RFC3339(created), "L2 Lena Fischer held ", // held: no time
		"L3 Marco Rossi due " + timeutil.RFC3339(created.Add(45*time.Minute))}
	if !slices.Equal(states, want) {
		t.Errorf("opsgenie escalation %q, want %q", states, want)
	}
	var projected []string
	for _, n := range nextOf(a.Next, answer.NextEscalation) {
		if n.Source == "opsgenie" {
			projected = append(projected, n.Subject)
		}
	}
	if !slices.Equal(projected, []string{"L3 " + demo.Marco}) {
		t.Errorf("opsgenie escalations in next %q, want only L3 Marco Rossi", projected)
	}
	if !slices.ContainsFunc(a.Acknowledged, func(k answer.AckEntry) bool {
		return k.Source == "opsgenie" && k.By == demo.Sam && k.At.Equal(created.Add(2*time.Minute))
	}) {
		t.Errorf("acknowledged %+v: want the opsgenie alert by Sam at creation + 2 min", a.Acknowledged)
	}
	has(t, "markdown", md, "L2 after 30 min: Lena Fischer (will not fire: acknowledged) [opsgenie]",
		"L3 after 45 min: Marco Rossi (fires "+timeutil.RFC3339(created.Add(45*time.Minute))+", in 27 min, unless acknowledged) [opsgenie]",
		"Sam Okafor acknowledged opsgenie alert \"checkout 5xx rate above 2%\" at "+timeutil.RFC3339(created.Add(2*time.Minute)))
}

// TestClockDynatraceMaintenance: a Dynatrace maintenance window (settings 2.0) on orders-db,
// a dependency of checkout, ends in 35 min: the timeline says so, under orders-db, from
// Dynatrace; one on a service checkout has nothing to do with is not mentioned.
func TestClockDynatraceMaintenance(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	local := func(d time.Duration) string { return t0.Add(d).In(berlin).Format("2006-01-02T15:04:05") }
	window := func(id, name, entity string) dtfake.SettingsObject {
		return dtfake.SettingsObject{ObjectID: id, SchemaID: dtfake.MaintenanceSchema, Scope: "environment", Value: map[string]any{
			"enabled": true, "generalProperties": map[string]any{"name": name, "maintenanceType": "PLANNED", "suppression": "DETECT_PROBLEMS_DONT_ALERT"},
			"schedule": map[string]any{"scheduleType": "ONCE", "onceRecurrence": map[string]any{"startTime": local(-time.Hour), "endTime": local(35 * time.Minute),
				"timeZone": "Europe/Berlin"}},
			"filters": []map[string]any{{"entityType": "SERVICE", "entityId": entity}}}}
	}
	edit := func(_ string, data any) {
		if d, ok := data.(*dtfake.Data); ok {
			d.Settings = append(d.Settings, window("mw-db", "orders-db patching", demo.DTOrdersDB), window("mw-x", "elsewhere", "SERVICE-000000000000AAAA"))
		}
	}
	sc := demo.Scenario{T0: t0, Edit: edit}
	a, md := incidentContext(t, mcpClient(t, sc), map[string]any{"service": "checkout", "detail": "full"})
	var got []string
	for _, m := range nextOf(a.Next, answer.NextMaintenanceEnds) {
		if m.Source == "dynatrace" {
			got = append(got, fmt.Sprintf("%s %s %d", m.Subject, m.Service, m.InMinutes))
		}
	}
	if !slices.Equal(got, []string{"orders-db patching " + demo.OrdersDB + " 35"}) {
		t.Errorf("dynatrace maintenance ending: %q, want orders-db patching on orders-db in 35 min", got)
	}
	has(t, "markdown", md, "(in 35 min) maintenance_ends: maintenance window \"orders-db patching\" (since 2026-03-01T11:00:00Z) on dependency orders-db ends: it pages again [dynatrace]")
	if strings.Contains(md, "elsewhere") {
		t.Errorf("markdown names a maintenance window on an unrelated service:\n%s", md)
	}
}

// TestClockHandoverAcrossSources: PagerDuty schedules no one after Sam's L1 shift (a gap in
// its schedule), while Opsgenie and JSM hand over to Kofi: the answer names Kofi, from
// Opsgenie, rather than saying no one takes over.
func TestClockHandoverAcrossSources(t *testing.T) {
	edit := func(_ string, data any) {
		if d, ok := data.(*pdfake.Data); ok {
			d.OnCalls = slices.DeleteFunc(d.OnCalls, func(o pdfake.OnCall) bool { return o.EscalationLevel == 1 && o.User.Summary == demo.Kofi })
		}
	}
	sc := demo.Scenario{T0: t0, Edit: edit}
	a, md := incidentContext(t, mcpClient(t, sc), map[string]any{"service": "checkout", "detail": "full"})
	if len(a.OnCall) == 0 || a.OnCall[0].Name != demo.Sam || a.OnCall[0].Handover == nil || a.OnCall[0].Handover.To != demo.Kofi ||
		a.OnCall[0].Handover.Source != "opsgenie" || !a.OnCall[0].Until.Equal(t0.Add(demo.ShiftEndsIn)) {
		t.Fatalf("L1 on call %+v: want Sam handing over to Kofi at T0+25m, from opsgenie", a.OnCall)
	}
	has(t, "markdown", md, "then Kofi Mensah (in 25 min)", "handover: L1 Sam Okafor hands over to Kofi Mensah [opsgenie]")
	if strings.Contains(md, "no one scheduled after it") || strings.Contains(md, "no one is scheduled after it") {
		t.Errorf("markdown says no one takes over:\n%s", md)
	}
}

// TestClockPendingPastDue: a pending alert whose `for` ran out while Prometheus still says
// pending is not dropped from the timeline (race: it vanished from every answer): it is
// listed at the time it was due, saying it fires at the next rule evaluation if it holds.
func TestClockPendingPastDue(t *testing.T) {
	env, err := demo.StartScenario(context.Background(), demo.Scenario{T0: t0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	now := t0.Add(demo.PendingFiresIn + 6*time.Minute)
	c, _ := engineClient(t, env, func() time.Time { return now })
	a, md := incidentContext(t, c, map[string]any{"service": "checkout", "detail": "full"})
	f := nextOf(a.Next, answer.NextAlertFires)
	if len(f) != 1 || f[0].Service != demo.OrderQueue || !f[0].At.Equal(t0.Add(demo.PendingFiresIn)) || f[0].InMinutes != -6 {
		t.Fatalf("pending alert past due: %+v", f)
	}
	has(t, "markdown", md, "(6 min ago) alert_fires: \"order-queue consumers lag more than 2 minutes\" on dependency order-queue is still pending 6 min after its for ran out")
}
