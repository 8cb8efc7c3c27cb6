package demo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/demo"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/timeutil"
	"github.com/opsctx/opsctx/tools"
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
	if d := a.Changes[0].BackoutDoubt; a.Changes[0].ID != demo.SNChange || d == nil || d.New != "30s" || d.Old != "5s" {
		t.Errorf("brief: %s backout doubt %+v, want the new 30s and the old 5s (the headline says it)", a.Changes[0].ID, d)
	}
	has(t, "brief headline", a.Headline, `backout plan may restore "30s", not "5s"`)
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

// TestRaceSourcesResource: opsctx://sources lists every configured source instance (the
// race's tools side saw 5 of 9: only the catalogs) with its kind and capabilities; before any
// answer the catalogs are read for it and the others are "unknown" (never asked), never
// "ok"; after an answer each says how that answer left it. No secret appears.
func TestRaceSourcesResource(t *testing.T) {
	env, err := demo.StartScenario(context.Background(), demo.Scenario{T0: t0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	c, _ := engineClient(t, env, func() time.Time { return t0 })
	read := func() (tools.SourcesResource, string) {
		t.Helper()
		var rr mcp.ReadResourceRequest
		rr.Params.URI = "opsctx://sources"
		res, err := c.ReadResource(context.Background(), rr)
		if err != nil {
			t.Fatal(err)
		}
		text := res.Contents[0].(mcp.TextResourceContents).Text
		var out tools.SourcesResource
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatal(err)
		}
		return out, text
	}
	wantCaps := map[string][]string{
		"catalogfile":  {"catalog"},
		"servicenow":   {"catalog", "oncall", "changes", "incidents", "incident_lookup"},
		"pagerduty":    {"catalog", "alerts", "oncall", "changes", "incidents", "incident_lookup", "mutes"},
		"dynatrace":    {"catalog", "problems", "changes", "incident_lookup", "slos", "mutes"},
		"prometheus":   {"alerts", "alert_rules", "slos"},
		"alertmanager": {"alerts", "mutes"},
	}
	before, text := read()
	var names []string
	for _, s := range before.Sources {
		names = append(names, s.Name)
		if s.Kind != s.Name || s.Instance != "" || len(s.Capabilities) == 0 {
			t.Errorf("%s: kind %q instance %q capabilities %v", s.Name, s.Kind, s.Instance, s.Capabilities)
		}
		if want, ok := wantCaps[s.Name]; ok {
			for _, w := range want {
				if !slices.Contains(s.Capabilities, w) {
					t.Errorf("%s capabilities %v lack %s", s.Name, s.Capabilities, w)
				}
			}
		}
		catalog := slices.Contains(s.Capabilities, "catalog")
		switch {
		case catalog && (s.Status != "ok" || s.Seen != "now"):
			t.Errorf("catalog source %s before any answer: %s seen %q, want ok, read now", s.Name, s.Status, s.Seen)
		case !catalog && (s.Status != "unknown" || s.Seen != "never" || s.Error == ""):
			t.Errorf("%s before any answer: %s seen %q %q, want unknown, never asked", s.Name, s.Status, s.Seen, s.Error)
		}
	}
	for _, want := range []string{"catalogfile", "backstage", "servicenow", "pagerduty", "opsgenie", "jsm", "dynatrace", "prometheus", "alertmanager"} {
		if !slices.Contains(names, want) {
			t.Errorf("opsctx://sources lacks %s: %v", want, names)
		}
	}
	for _, secret := range env.Config.Secrets() {
		if len(secret) >= 4 && strings.Contains(text, secret) {
			t.Errorf("opsctx://sources shows a secret")
		}
	}

	incidentContext(t, c, map[string]any{"service": demo.Checkout})
	after, _ := read()
	for _, s := range after.Sources {
		if s.Status != "ok" || (s.Seen != "now" && s.Seen != "last answer") || s.AsOf.IsZero() {
			t.Errorf("%s after an answer: %s seen %q as of %s, want ok as the answer left it", s.Name, s.Status, s.Seen, s.AsOf)
		}
	}
}

// TestRaceFindServiceExplainsByKind: find_service "orders" on the demo (no service is named
// orders) suggests orders-db because its name begins with the query, and says so in both
// channels; it never speaks of an edit distance for it (the race saw "similar name (distance
// 1)" for a distance of 3). A typo is explained by its edit distance; an exact name as exact.
func TestRaceFindServiceExplainsByKind(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	for _, tt := range []struct {
		query, first, match, how string
		exact                    bool
	}{
		{"orders", demo.OrdersDB, "prefix", `prefix: "orders-db" begins with "orders"`, false},
		{"chekout", demo.Checkout, "edit_distance", `edit distance 1 from "checkout"`, false},
		{"checkout", demo.Checkout, "exact", "exact name in catalogfile", true},
	} {
		var fr struct {
			Headline   string `json:"headline"`
			Candidates []struct {
				Name      string `json:"name"`
				MatchedBy string `json:"matched_by"`
				Match     string `json:"match"`
				Exact     bool   `json:"exact"`
			} `json:"candidates"`
		}
		md := callBoth(t, c, "find_service", map[string]any{"query": tt.query}, &fr)
		if len(fr.Candidates) == 0 {
			t.Fatalf("%s: no candidates", tt.query)
		}
		got := fr.Candidates[0]
		if got.Name != tt.first || got.Match != tt.match || got.MatchedBy != tt.how || got.Exact != tt.exact {
			t.Errorf("%s: first %+v, want %s matched by %s %q", tt.query, got, tt.first, tt.match, tt.how)
		}
		has(t, tt.query+" markdown", md, "matched by "+tt.how)
		for _, cand := range fr.Candidates {
			if strings.Contains(cand.MatchedBy, "distance") != (cand.Match == "edit_distance") {
				t.Errorf("%s: %s matched by %q is a %s match", tt.query, cand.Name, cand.MatchedBy, cand.Match)
			}
		}
		if !tt.exact {
			has(t, tt.query+" headline", fr.Headline, "closest "+tt.first+" ("+tt.how+")")
		}
	}
}

// TestRaceUpdateCadenceOneRule: the stakeholder update of one trouble is due at the same time
// with the same cadence whichever entry point asks — the symptom (checkout, with its P1), the
// cause (orders-db, whose own alert is a warning), the problem, the culprit change or the
// page (the race saw 30 min for checkout and 60 for orders-db) — in both channels.
func TestRaceUpdateCadenceOneRule(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	const what = "stakeholder update (every 30 min from the first symptom while the trouble lasts)"
	for _, args := range []map[string]any{
		{"service": demo.Checkout}, {"service": demo.OrdersDB}, {"incident": demo.DTDisplayID},
		{"incident": demo.SNChange}, {"incident": "4711"},
	} {
		a, md := incidentContext(t, c, args)
		due := nextOf(a.Next, answer.NextUpdateDue)
		if len(due) != 1 || !due[0].At.Equal(t0.Add(time.Minute)) || due[0].What != what || !a.StartedAt.Equal(t0.Add(-29*time.Minute)) {
			t.Errorf("%v: update due %+v, want one at T0+1m (first symptom T0-29m, every 30 min)", args, due)
			continue
		}
		has(t, fmt.Sprint(args)+" markdown", md, "update_due: "+due[0].What)
	}
}

// TestRaceChangeReferenceKind: find_service on a change number names what it found a
// change, in both channels (the race saw kind "incident" for CHG0030017).
func TestRaceChangeReferenceKind(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	var fr struct {
		Kind       string `json:"kind"`
		Candidates []struct {
			Name string `json:"name"`
		} `json:"candidates"`
	}
	md := callBoth(t, c, "find_service", map[string]any{"incident": demo.SNChange}, &fr)
	if fr.Kind != "change" || len(fr.Candidates) == 0 || fr.Candidates[0].Name != demo.OrdersDB {
		t.Errorf("find_service incident=%s: %+v, want kind change leading to orders-db", demo.SNChange, fr)
	}
	has(t, "markdown", md, `change "`+demo.SNChange+`"`)
}

// auditFinding is a boundary_audit finding as a client reads it.
type auditFinding struct {
	Kind    string `json:"kind"`
	Service string `json:"service"`
	Detail  string `json:"detail"`
}

// TestRaceAuditAlertedServices: boundary_audit never says no_alerting for a service with a
// live alert — firing (search, checkout, orders-db), silenced underneath (cart) or pending
// (order-queue) — in either channel (the race saw it for search and order-queue); a
// service with neither alerts nor rules (payments-db) still gets it.
func TestRaceAuditAlertedServices(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	type result struct {
		Findings []auditFinding `json:"findings"`
		Omitted  int            `json:"omitted"`
	}
	noAlerting := func(r result, svc string) bool {
		return slices.ContainsFunc(r.Findings, func(f auditFinding) bool { return f.Kind == "no_alerting" && f.Service == svc })
	}
	for _, svc := range []string{demo.Search, demo.OrderQueue, demo.Cart, demo.Checkout, demo.OrdersDB} {
		var r result
		md := callBoth(t, c, "boundary_audit", map[string]any{"service": svc}, &r)
		if r.Omitted > 0 || noAlerting(r, svc) || strings.Contains(md, "no_alerting on "+svc) {
			t.Errorf("%s has a live alert, yet boundary_audit says no_alerting (or omits findings: %d):\n%s", svc, r.Omitted, md)
		}
	}
	var r result
	md := callBoth(t, c, "boundary_audit", map[string]any{"service": demo.PaymentsDB}, &r)
	if !noAlerting(r, demo.PaymentsDB) || !strings.Contains(md, "no_alerting on "+demo.PaymentsDB) {
		t.Errorf("payments-db has no alert and no rule: want no_alerting in both channels:\n%s", md)
	}

	// Without Prometheus no rule names search: its alert in Alertmanager alone is enough.
	e := startSeam(t, demo.Scenario{T0: t0}, func(c *config.Config) { c.Sources.Prometheus = nil })
	r = result{}
	md = callBoth(t, e.c, "boundary_audit", map[string]any{"service": demo.Search}, &r)
	if noAlerting(r, demo.Search) || strings.Contains(md, "no_alerting") {
		t.Errorf("search's Alertmanager alert does not count as alerting:\n%s", md)
	}
}

// TestRaceRootCauseHeadline: asked about the root cause (orders-db, or the change on it),
// the headline says it is the root cause of the trouble on checkout and that the affected
// users are checkout's, never "Orders database: …, about 1520 affected users" as if they
// were its own (the race's tools side read it so).
func TestRaceRootCauseHeadline(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	const want = "Orders database: root cause of Response time degradation on checkout, about 1520 affected users there (dynatrace P-2311)"
	for _, args := range []map[string]any{{"service": demo.OrdersDB}, {"incident": demo.SNChange}, {"service": demo.OrdersDB, "detail": "brief"}} {
		a, md := incidentContext(t, c, args)
		has(t, fmt.Sprint(args)+" headline", a.Headline, want)
		has(t, fmt.Sprint(args)+" markdown", md, want)
		if strings.Contains(a.Headline, "Orders database: Response time degradation") {
			t.Errorf("%v: checkout's affected users as orders-db's own: %s", args, a.Headline)
		}
	}
	a, _ := incidentContext(t, c, map[string]any{"service": demo.Checkout})
	has(t, "checkout headline", a.Headline, "Checkout: Response time degradation, about 1520 affected users (dynatrace P-2311)", "primary contributor: orders-db (dynatrace root cause)")
}

// TestRaceSLOExhaustionInMarkdown: the markdown says when each burning SLO's budget runs
// out at the current burn, as the structured result does (the race's tools side found the
// latency SLO's 2.8 h, the most urgent figure, only in hours_to_exhaust); a healthy SLO's
// (search's, months away) is not stated.
func TestRaceSLOExhaustionInMarkdown(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	a, md := incidentContext(t, c, map[string]any{"service": demo.Checkout})
	n := 0
	for _, s := range a.SLOs {
		if s.HoursToExhaust == nil || *s.HoursToExhaust <= 0 || !s.Burning() {
			continue
		}
		n++
		has(t, "markdown", lineWith(md, fmt.Sprintf("- %q", s.Name)), fmt.Sprintf("(gone in %.1f h at this rate)", *s.HoursToExhaust))
	}
	if n < 2 {
		t.Errorf("want both demo SLOs with a time to exhaustion: %+v", a.SLOs)
	}
	has(t, "markdown", md, `"Checkout p95 latency" warning: objective 99.5% over 7d, budget left 20% (gone in 2.8 h at this rate)`)
	_, md = incidentContext(t, c, map[string]any{"service": demo.Search})
	if l := lineWith(md, `- "search-availability" ok`); l == "" || strings.Contains(l, "gone in") {
		t.Errorf("search's healthy SLO: %q", l)
	}
}

// TestRaceEscalationPagedUnconfirmed: 11 minutes on, PagerDuty's L2 (Lena) has fired by the
// policy's timing, but the incident is still assigned to Sam only: the answer says the level
// fired by the policy's timing and that PagerDuty does not confirm it, while Sam's L1 page
// (the incident is assigned to him) is confirmed — in both channels (the race saw "paged"
// stated as fact from the schedule alone).
func TestRaceEscalationPagedUnconfirmed(t *testing.T) {
	env, err := demo.StartScenario(context.Background(), demo.Scenario{T0: t0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	later := t0.Add(11 * time.Minute)
	c, _ := engineClient(t, env, func() time.Time { return later })
	a, md := incidentContext(t, c, map[string]any{"service": demo.Checkout})
	var l1, l2 *answer.EscalationEntry
	for i, e := range a.Escalation {
		if e.Source == "pagerduty" && e.Level == 1 {
			l1 = &a.Escalation[i]
		}
		if e.Source == "pagerduty" && e.Level == 2 {
			l2 = &a.Escalation[i]
		}
	}
	if l1 == nil || l1.State != answer.EscalationPaged || !l1.Confirmed {
		t.Errorf("PagerDuty L1 %+v: want paged and confirmed (the incident is assigned to Sam)", l1)
	}
	if l2 == nil || l2.State != answer.EscalationPaged || l2.Confirmed {
		t.Errorf("PagerDuty L2 %+v: want paged by the policy's timing, unconfirmed", l2)
	}
	has(t, "markdown", md, "L1 after 0 min: Sam Okafor (paged "+at(demo.Scenario{T0: t0}, -20*time.Minute)+", 31 min ago) [pagerduty]",
		"L2 after 30 min: Lena Fischer (paged "+at(demo.Scenario{T0: t0}, 10*time.Minute)+", 1 min ago, by the policy's timing: pagerduty does not confirm it) [pagerduty]")
}

// TestRaceEscalationTimedFrom: who_owns and incident_context name the page each source's
// escalation is timed from — PagerDuty's incident 4711, Opsgenie's and JSM's 5xx alerts —
// never the Prometheus alert, which pages nobody (the race saw "timed from prometheus alert").
func TestRaceEscalationTimedFrom(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	var w incident.WhoOwnsResult
	md := callBoth(t, c, "who_owns", map[string]any{"service": demo.Checkout}, &w)
	want := map[string]string{"pagerduty": "pagerduty incident 4711", "opsgenie": `opsgenie alert "checkout 5xx rate above 2%"`,
		"jsm": `jsm alert "checkout 5xx rate above 2%"`}
	a, amd := incidentContext(t, c, map[string]any{"service": demo.Checkout})
	for _, es := range [][]answer.EscalationEntry{w.Escalation, a.Escalation} {
		for _, e := range es {
			if e.TimedFrom != want[e.Source] {
				t.Errorf("%s L%d timed from %q, want %q", e.Source, e.Level, e.TimedFrom, want[e.Source])
			}
		}
	}
	if w.ActiveIncident != want["pagerduty"] {
		t.Errorf("active_incident %q, want the earliest page of a source that escalates", w.ActiveIncident)
	}
	heading := `## Escalation (timed from pagerduty incident 4711; opsgenie alert "checkout 5xx rate above 2%"; jsm alert "checkout 5xx rate above 2%")`
	has(t, "who_owns markdown", md, heading)
	has(t, "incident_context markdown", amd, heading)
	for _, s := range []string{md, amd} {
		if strings.Contains(s, "timed from prometheus") {
			t.Errorf("escalation timed from a source that pages nobody:\n%s", s)
		}
	}
}

// TestRaceOnCallMatchesEscalation: where a service's escalation pages someone at level 1,
// the answer lists that person on call at level 1 (the race saw cart with no one on call
// and an escalation "L1 after 0 min: Marco Rossi"), in both channels.
func TestRaceOnCallMatchesEscalation(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	for _, svc := range []string{demo.Cart, demo.Storefront, demo.Payments, demo.Checkout} {
		a, md := incidentContext(t, c, map[string]any{"service": svc})
		for _, e := range a.Escalation {
			if e.Level != 1 {
				continue
			}
			for _, who := range e.Targets {
				if !slices.ContainsFunc(a.OnCall, func(o answer.OnCallEntry) bool { return o.Level == 1 && o.Name == who }) {
					t.Errorf("%s: escalation L1 pages %s (%s), who is not on call at L1: %+v", svc, who, e.Source, a.OnCall)
				}
				has(t, svc+" markdown", mdSection(md, "On call"), "L1 "+who)
			}
		}
	}
}

// TestRaceOwnerDisagreementNamesTeamsOnce: boundary_audit lists each owning team once with
// the sources that name it (and how a source spells it), never the same team against itself
// (the race saw "team-checkout (catalogfile) vs team-checkout (backstage) vs …").
func TestRaceOwnerDisagreementNamesTeamsOnce(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	var r struct {
		Findings []auditFinding `json:"findings"`
	}
	md := callBoth(t, c, "boundary_audit", map[string]any{"service": demo.Checkout}, &r)
	const want = "owners differ: team-checkout (catalogfile, backstage, pagerduty as Checkout, dynatrace) vs Checkout Support (servicenow)"
	i := slices.IndexFunc(r.Findings, func(f auditFinding) bool { return f.Kind == "owner_disagreement" })
	if i < 0 || r.Findings[i].Detail != want {
		t.Errorf("owner_disagreement %+v, want %q", r.Findings, want)
	}
	has(t, "markdown", md, "owner_disagreement on checkout: "+want)
}

// TestRaceOwnersSayHowEachSourceNamesTheTeam: incident_context's markdown lists one line per
// team and says where a source spells it otherwise, as the structured owners do (the race
// saw PagerDuty's "Checkout" folded into "Checkout team [… pagerduty …]" without a word).
func TestRaceOwnersSayHowEachSourceNamesTheTeam(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	a, md := incidentContext(t, c, map[string]any{"service": demo.Checkout})
	if !slices.ContainsFunc(a.Owners, func(o answer.Owner) bool { return o.Source == "pagerduty" && o.Team == "Checkout" }) {
		t.Errorf("owners %+v: want PagerDuty's team as it names it", a.Owners)
	}
	has(t, "markdown", mdSection(md, "Owners"), `- Checkout team [catalogfile, backstage, pagerduty as "Checkout", dynatrace]`, "- Checkout Support [servicenow]")
}

// TestRaceHandoverSaysUntilWhen: the L1 handover says until when Kofi Mensah is on call (the
// race's tools side could not tell), in both channels.
func TestRaceHandoverSaysUntilWhen(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	a, md := incidentContext(t, c, map[string]any{"service": demo.Checkout})
	if len(a.OnCall) == 0 || a.OnCall[0].Handover == nil {
		t.Fatalf("on call %+v: want Sam's handover", a.OnCall)
	}
	h := a.OnCall[0].Handover
	if h.To != demo.Kofi || h.Until.IsZero() || !h.Until.After(h.At) {
		t.Fatalf("handover %+v: want Kofi Mensah with the end of his shift", h)
	}
	has(t, "markdown", mdSection(md, "On call"), "then Kofi Mensah (in 25 min) until "+timeutil.RFC3339(h.Until))
}

// TestRaceRecordCarriesItsEventsRisk: Dynatrace marks CHG0030017's config event root-cause
// relevant; folded into the change record, the record carries the flag (a reason and its
// weight), as the raw side read it from Dynatrace's evidence — in both channels.
func TestRaceRecordCarriesItsEventsRisk(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	a, md := incidentContext(t, c, map[string]any{"service": demo.Checkout})
	top := a.Changes[0]
	if top.ID != demo.SNChange || !slices.Contains(top.Reasons, "root-cause relevant per Dynatrace") || top.Suspicion != 0.82 {
		t.Errorf("top change %s %.2f %v: want CHG0030017 with Dynatrace's root-cause flag (0.74 + 0.08)", top.ID, top.Suspicion, top.Reasons)
	}
	has(t, "markdown", mdSection(md, "Changes"), "0.82 CHG0030017", "root-cause relevant per Dynatrace; confirmed by dynatrace telemetry")
}
