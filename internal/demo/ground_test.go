package demo_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	amfake "github.com/opsctx/opsctx/internal/fake/alertmanager"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/render"
)

// groundAnswer is the part of incident_context a "runs on" story is judged by.
type groundAnswer struct {
	Headline string `json:"headline"`
	Problems []struct {
		ID        string `json:"id"`
		RootCause string `json:"root_cause"`
	} `json:"problems"`
	AlertGroups []groundGroup `json:"alert_groups"`
	Changes     []struct {
		ID          string   `json:"id"`
		Service     string   `json:"service"`
		Suspicion   float64  `json:"suspicion"`
		Reasons     []string `json:"reasons"`
		ConfirmedBy []string `json:"confirmed_by"`
	} `json:"changes"`
	OnCall []struct {
		Name string `json:"name"`
	} `json:"oncall"`
	RunsOn []struct {
		Name    string   `json:"name"`
		Kind    string   `json:"kind"`
		Health  string   `json:"health"`
		Owner   string   `json:"owner"`
		Sources []string `json:"sources"`
		OnCall  []struct {
			Name   string `json:"name"`
			Level  int    `json:"level"`
			Source string `json:"source"`
		} `json:"oncall"`
		Alerts   []string `json:"alerts"`
		Problems []string `json:"problems"`
		Changes  []string `json:"changes"`
		Services []string `json:"services"`
	} `json:"runs_on"`
	Omitted struct {
		RunsOn int `json:"runs_on"`
	} `json:"omitted"`
}

// groundGroup is an alert group as the ground tests read it.
type groundGroup struct {
	Service  string `json:"service"`
	Relation string `json:"relation"`
	Count    int    `json:"count"`
	Alerts   []struct {
		Title string `json:"title"`
	} `json:"alerts"`
}

// nodeAlert is the node exporter's alert on app-prod-07 in the demo.
const nodeAlert = "Load on the host above twice its CPUs"

// hostGroup returns the alert group of the node alert, or fails.
func hostGroup(t *testing.T, a groundAnswer) (service, relation string, count int) {
	t.Helper()
	for _, g := range a.AlertGroups {
		if g.Alerts[0].Title == nodeAlert {
			return g.Service, g.Relation, g.Count
		}
	}
	t.Fatalf("no group of the node alert in %+v", a.AlertGroups)
	return "", "", 0
}

// The demo's host story: recommendations runs on app-prod-07, which the platform team
// patched and rebooted (CHG0030021) before its node alert and recommendations' own alert
// fired. The answer names the host, the change on it first, the node alert on the host (not
// on recommendations), the platform team and its on-call, in both channels.
func TestScenarioHostPatch(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	var a groundAnswer
	md := callBoth(t, c, "incident_context", map[string]any{"service": demo.Recs}, &a)

	if len(a.Changes) == 0 || a.Changes[0].ID != demo.SNPatch || a.Changes[0].Service != demo.AppHost ||
		!slices.Contains(a.Changes[0].Reasons, "on app-prod-07, which recommendations runs on") ||
		!slices.Contains(a.Changes[0].Reasons, "app-prod-07 is alerting") || !slices.Contains(a.Changes[0].ConfirmedBy, "dynatrace") {
		t.Errorf("the change on the host is not ranked first with why: %+v", a.Changes)
	}
	if svc, rel, n := hostGroup(t, a); svc != demo.AppHost || rel != "runs_on" || n != 1 {
		t.Errorf("node alert on %q (%s) ×%d, want on %s (runs_on) ×1: attributed through the host, seen by Prometheus and Alertmanager once", svc, rel, n, demo.AppHost)
	}
	if len(a.RunsOn) != 1 || len(a.Changes) == 0 {
		t.Fatalf("runs_on %+v, want app-prod-07 once (ServiceNow's short name and Dynatrace's FQDN are one host); changes %+v", a.RunsOn, a.Changes)
	}
	h := a.RunsOn[0]
	want := fmt.Sprintf("%s host degraded owner=%s oncall=%s/L1/servicenow alerts=%s changes=%s services=[%s %s]",
		demo.AppHost, demo.SNPlatform, demo.Dev, nodeAlert, demo.SNPatch, demo.Inventory, demo.Recs)
	got := fmt.Sprintf("%s %s %s owner=%s oncall=%s alerts=%v changes=%v services=%v", h.Name, h.Kind, h.Health, h.Owner,
		onCallText(h.OnCall), strings.Join(h.Alerts, ","), strings.Join(h.Changes, ","), h.Services)
	if got != want {
		t.Errorf("runs_on\n got %s\nwant %s", got, want)
	}
	if len(a.OnCall) == 0 || a.OnCall[0].Name != demo.Aiko {
		t.Errorf("the service's own on-call %+v, want %s (the platform on-call is the host's)", a.OnCall, demo.Aiko)
	}
	for _, s := range []string{"runs on host app-prod-07 (owner Platform Operations, on call Dev Patel)", `most suspicious change: CHG0030021 "monthly OS patching and reboot of app-prod-07"`} {
		if !strings.Contains(a.Headline, s) {
			t.Errorf("headline lacks %q: %s", s, a.Headline)
		}
	}
	for _, s := range []string{"## Runs on\n- host app-prod-07 (degraded): owner Platform Operations, on call L1 Dev Patel [servicenow]",
		"changes CHG0030021", `warning on app-prod-07 (runs on): "` + nodeAlert + `"`,
		"## Changes (most suspicious first)\n- " + fmt.Sprintf("%.2f", a.Changes[0].Suspicion) + ` CHG0030021 "monthly OS patching and reboot of app-prod-07" (change_request on app-prod-07`} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown lacks %q:\n%s", s, md)
		}
	}

	// what_changed without dependencies keeps the host's change: the host is not a dependency.
	var wc struct {
		Changes []struct{ ID string } `json:"changes"`
	}
	call(t, c, "what_changed", map[string]any{"service": demo.Recs, "include_dependencies": false}, &wc)
	if len(wc.Changes) == 0 || wc.Changes[0].ID != demo.SNPatch {
		t.Errorf("what_changed: %+v, want %s first", wc.Changes, demo.SNPatch)
	}

	// Brief: the same facts in one line each.
	md = callBoth(t, c, "incident_context", map[string]any{"service": demo.Recs, "detail": "brief"}, &a)
	if !strings.Contains(md, "Runs on (1): host app-prod-07 degraded, owner Platform Operations, on call L1 Dev Patel [servicenow], changes CHG0030021") {
		t.Errorf("brief markdown:\n%s", md)
	}
}

func onCallText(os []struct {
	Name   string `json:"name"`
	Level  int    `json:"level"`
	Source string `json:"source"`
}) string {
	var xs []string
	for _, o := range os {
		xs = append(xs, fmt.Sprintf("%s/L%d/%s", o.Name, o.Level, o.Source))
	}
	return strings.Join(xs, ",")
}

// Dynatrace names the host as the root cause: the headline's primary contributor is the
// host with its owner and on-call, the host is failing, and the change on it is scored as on
// the root-cause entity.
func TestScenarioHostRootCause(t *testing.T) {
	edit := func(source string, data any) {
		d, ok := data.(*dtfake.Data)
		if !ok || source != config.SourceDynatrace {
			return
		}
		host, recs := dtfake.Stub(demo.DTAppHost, "HOST", demo.AppHostFQDN), dtfake.Stub(demo.DTRecs, "SERVICE", demo.Recs)
		d.Problems = append(d.Problems, dtfake.Problem{ProblemID: "-3951874403192004113_1732600000000V2", DisplayID: "P-2315",
			Title: "CPU saturation", ImpactLevel: "INFRASTRUCTURE", SeverityLevel: "RESOURCE_CONTENTION", Status: "OPEN",
			StartTime: t0.Add(-36 * time.Minute).UnixMilli(), EndTime: -1, RootCauseEntity: &host,
			ImpactedEntities: []dtfake.EntityStub{recs}, AffectedEntities: []dtfake.EntityStub{host, recs}})
	}
	c := mcpClient(t, demo.Scenario{T0: t0, Edit: edit})
	var a groundAnswer
	md := callBoth(t, c, "incident_context", map[string]any{"service": demo.Recs}, &a)
	if len(a.Problems) == 0 || a.Problems[0].ID != "P-2315" || a.Problems[0].RootCause != demo.AppHost {
		t.Errorf("problems %+v, want P-2315 rooted in %s", a.Problems, demo.AppHost)
	}
	if s := "primary contributor: host app-prod-07 (owner Platform Operations, on call Dev Patel) (dynatrace root cause)"; !strings.Contains(a.Headline, s) {
		t.Errorf("headline lacks %q: %s", s, a.Headline)
	}
	if !strings.Contains(a.Headline, "CHG0030021") {
		t.Errorf("headline lacks the change on the host: %s", a.Headline)
	}
	if len(a.Changes) == 0 || a.Changes[0].ID != demo.SNPatch || !slices.Contains(a.Changes[0].Reasons, "on the root-cause entity app-prod-07") {
		t.Errorf("changes %+v", a.Changes)
	}
	if len(a.RunsOn) != 1 || a.RunsOn[0].Health != "failing" || !slices.Equal(a.RunsOn[0].Problems, []string{"P-2315"}) {
		t.Errorf("runs_on %+v, want app-prod-07 failing with P-2315", a.RunsOn)
	}
	if !strings.Contains(md, "- host app-prod-07 (failing): owner Platform Operations, on call L1 Dev Patel [servicenow]; problems P-2315") {
		t.Errorf("markdown:\n%s", md)
	}
}

// A node alert names its host however its exporter was configured: FQDN with port, short
// name with port, address with port, short name in another label. Each is the host's alert;
// a host whose name merely starts the same is not.
func TestScenarioHostLabelForms(t *testing.T) {
	for _, tc := range []struct {
		label, value string
		host         bool
	}{
		{"instance", "app-prod-07.shop.example:9100", true},
		{"instance", "app-prod-07:9100", true},
		{"instance", "10.20.7.17:9100", true},
		{"node", "APP-PROD-07", true},
		{"instance", "app-prod-070.shop.example:9100", false},
	} {
		t.Run(tc.value, func(t *testing.T) {
			edit := func(source string, data any) {
				as, ok := data.(*[]amfake.Alert)
				if !ok || source != config.SourceAlertmanager {
					return
				}
				*as = append(*as, amfake.Alert{Labels: map[string]string{"alertname": "NodeDiskPressure", tc.label: tc.value, "severity": "warning"},
					Annotations: map[string]string{"summary": "Disk almost full"}, StartsAt: t0.Add(-20 * time.Minute)})
			}
			c := mcpClient(t, demo.Scenario{T0: t0, Edit: edit})
			var a groundAnswer
			call(t, c, "incident_context", map[string]any{"service": demo.Recs}, &a)
			i := slices.IndexFunc(a.AlertGroups, func(g groundGroup) bool { return g.Alerts[0].Title == "Disk almost full" })
			switch {
			case tc.host && (i < 0 || a.AlertGroups[i].Service != demo.AppHost || a.AlertGroups[i].Relation != "runs_on"):
				t.Errorf("%s=%q: groups %+v, want the alert on %s", tc.label, tc.value, a.AlertGroups, demo.AppHost)
			case !tc.host && i >= 0:
				t.Errorf("%s=%q is another host, but its alert is in %+v", tc.label, tc.value, a.AlertGroups[i])
			}
		})
	}
}

// blast_radius asked about a host lists every service that runs there with its owner, then
// what depends on those; the host is found by FQDN, address, short name or Dynatrace id.
func TestScenarioHostBlastRadius(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	for _, name := range []string{demo.AppHostFQDN, demo.AppHostIP, "APP-PROD-07", demo.DTAppHost} {
		var r struct {
			Host struct {
				Name  string `json:"name"`
				Owner string `json:"owner"`
			} `json:"host"`
			Health     string `json:"health"`
			Downstream []struct {
				Service      string `json:"service"`
				Depth        int    `json:"depth"`
				OwnerTeam    string `json:"owner_team"`
				Via          string `json:"via"`
				CrossesTeams bool   `json:"crosses_teams"`
			} `json:"downstream"`
			Teams []string `json:"teams"`
		}
		md := callBoth(t, c, "blast_radius", map[string]any{"service": name}, &r)
		var here, further []string
		for _, n := range r.Downstream {
			s := fmt.Sprintf("%s(%s via %s)", n.Service, n.OwnerTeam, n.Via)
			if n.Depth == 1 {
				here = append(here, s)
				if !n.CrossesTeams {
					t.Errorf("%s: %s is owned by another team than the host's", name, n.Service)
				}
			} else {
				further = append(further, n.Service)
			}
		}
		if r.Host.Name != demo.AppHost || r.Host.Owner != demo.SNPlatform || r.Health != "degraded" ||
			!slices.Equal(here, []string{"inventory(team-storefront via app-prod-07)", "recommendations(team-storefront via app-prod-07)"}) ||
			!slices.Contains(further, demo.Checkout) || !slices.Contains(r.Teams, "team-storefront") {
			t.Errorf("%s: host %+v health %s here %v further %v teams %v", name, r.Host, r.Health, here, further, r.Teams)
		}
		for _, s := range []string{"# Blast radius of host app-prod-07 (degraded)", "Owner: Platform Operations.",
			"- runs here: inventory (", "- runs here: recommendations (", "owner team-storefront) ⟂ crosses team boundary"} {
			if !strings.Contains(md, s) {
				t.Errorf("%s: markdown lacks %q:\n%s", name, s, md)
			}
		}
	}
}

// boundary_audit reports a host that telemetry sees under a service but the CMDB does not
// have, with no owner; and a CMDB host telemetry never saw under a measured service.
func TestScenarioHostAudit(t *testing.T) {
	const stray = "HOST-6A1C3E5B7D9F0999"
	edit := func(source string, data any) {
		d, ok := data.(*dtfake.Data)
		if !ok || source != config.SourceDynatrace {
			return
		}
		for i, e := range d.Entities {
			if e.Type == "PROCESS_GROUP" && strings.HasPrefix(e.DisplayName, demo.Recs) {
				d.Entities[i].FromRelationships["runsOn"] = append(d.Entities[i].FromRelationships["runsOn"], dtfake.EntityID{ID: stray, Type: "HOST"})
			}
		}
		d.Entities = append(d.Entities, dtfake.Entity{EntityID: stray, Type: "HOST", DisplayName: "app-prod-09.shop.example",
			LastSeenTms: t0.UnixMilli(), Properties: map[string]any{"ipAddress": []any{"10.20.7.19"}},
			FromRelationships: map[string][]dtfake.EntityID{}, ToRelationships: map[string][]dtfake.EntityID{}})
	}
	c := mcpClient(t, demo.Scenario{T0: t0, Edit: edit})
	type finding struct{ Kind, Service, Target, Detail string }
	var all struct {
		Findings []finding `json:"findings"`
	}
	md := callBoth(t, c, "boundary_audit", map[string]any{}, &all)
	got := map[string]finding{}
	for _, f := range all.Findings {
		if strings.HasPrefix(f.Kind, "host_") {
			got[f.Kind+" "+f.Target] = f
		}
	}
	for _, want := range []string{"host_telemetry_only app-prod-09.shop.example", "host_no_owner app-prod-09.shop.example",
		"host_no_owner db-prod-01", "host_cmdb_only db-prod-01"} {
		if _, ok := got[want]; !ok {
			t.Errorf("no %s among %v", want, got)
		}
	}
	if f := got["host_telemetry_only app-prod-09.shop.example"]; f.Service != demo.Recs || !strings.Contains(f.Detail, "(dynatrace), which no CMDB or catalog declares") {
		t.Errorf("telemetry-only host: %+v", f)
	}
	for k := range got {
		if strings.Contains(k, demo.AppHost+"") && strings.HasSuffix(k, " "+demo.AppHost) {
			t.Errorf("app-prod-07 is declared, observed, owned and on call: %v", got[k])
		}
	}
	if !strings.Contains(md, "app-prod-09.shop.example") {
		t.Errorf("markdown lacks the stray host:\n%s", md)
	}
}

// A catalog that declares the server as a Resource, and a component on it through
// spec.dependsOn: one host with the CMDB's and telemetry's records, the node alert is the
// new component's ground too, and blast_radius from the server lists it.
func TestScenarioHostFromCatalog(t *testing.T) {
	extra := `apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: app-prod-07, title: app-prod-07.shop.example}
spec: {type: server, owner: team-platform}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: recs-worker}
spec: {type: service, lifecycle: production, owner: team-storefront, dependsOn: [resource:app-prod-07]}
`
	c := mcpClient(t, demo.Scenario{T0: t0, ExtraCatalog: extra})
	var a groundAnswer
	md := callBoth(t, c, "incident_context", map[string]any{"service": "recs-worker"}, &a)
	if len(a.RunsOn) != 1 {
		t.Fatalf("runs_on %+v", a.RunsOn)
	}
	h := a.RunsOn[0]
	if h.Name != demo.AppHost || h.Health != "degraded" || h.Owner != "team-platform" || !slices.Contains(h.Services, "recs-worker") ||
		!slices.Contains(h.Services, demo.Recs) || !slices.Equal(h.Sources, []string{"catalogfile", "backstage"}) {
		t.Errorf("runs_on %+v", h)
	}
	if svc, rel, _ := hostGroup(t, a); svc != demo.AppHost || rel != "runs_on" {
		t.Errorf("node alert on %s (%s)", svc, rel)
	}
	if !strings.Contains(md, "- host app-prod-07 (degraded): owner Platform team, on call L1 Dev Patel [servicenow]") {
		t.Errorf("markdown:\n%s", md)
	}
	var r struct {
		Downstream []struct {
			Service string `json:"service"`
			Depth   int    `json:"depth"`
		} `json:"downstream"`
	}
	call(t, c, "blast_radius", map[string]any{"service": demo.AppHostIP}, &r)
	if !slices.ContainsFunc(r.Downstream, func(n struct {
		Service string `json:"service"`
		Depth   int    `json:"depth"`
	}) bool {
		return n.Service == "recs-worker" && n.Depth == 1
	}) {
		t.Errorf("blast radius from the server: %+v", r.Downstream)
	}
}

// When ServiceNow fails after a good answer, the host owner's on-call is served from the
// older copy and runs_on says so, in both channels.
func TestGroundOnCallStale(t *testing.T) {
	var offset atomic.Int64
	env, eng := startDemo(t, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	if _, err := eng.IncidentContext(context.Background(), engine.Query{Service: demo.Recs}); err != nil {
		t.Fatal(err)
	}
	env.Servers[config.SourceServiceNow].AddFault(fake.Fault{Status: 503, Body: "down"})
	offset.Store(int64(time.Hour)) // every TTL has expired
	a, err := eng.IncidentContext(context.Background(), engine.Query{Service: demo.Recs})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.RunsOn) == 0 || len(a.RunsOn[0].OnCall) == 0 || a.RunsOn[0].OnCall[0].Name != demo.Dev {
		t.Fatalf("runs_on %+v, want Dev Patel from the older copy", a.RunsOn)
	}
	if ns := answer.StaleIn(a.Stale, "runs_on"); len(ns) != 1 || ns[0].Source != config.SourceServiceNow {
		t.Errorf("stale %+v, want servicenow's copy named for runs_on", a.Stale)
	}
	if md := render.IncidentContext(a); !strings.Contains(md, "## Runs on (stale: servicenow data from ") {
		t.Errorf("markdown:\n%s", md)
	}
}
