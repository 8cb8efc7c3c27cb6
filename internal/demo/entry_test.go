package demo_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"

	"github.com/opsctx/opsctx/internal/demo"
	jsmfake "github.com/opsctx/opsctx/internal/fake/jsm"
	ogfake "github.com/opsctx/opsctx/internal/fake/opsgenie"
	"github.com/opsctx/opsctx/internal/testkit/mcpcall"
)

// callErr calls a tool that must answer with an error the caller can act on, and returns it.
func callErr(t *testing.T, c *client.Client, tool string, args map[string]any) string {
	t.Helper()
	res := mcpcall.Tool(t, c, tool, args)
	if !res.IsError {
		t.Fatalf("%s %v: want an error, got %s", tool, args, mcpcall.Text(res))
	}
	return mcpcall.Text(res)
}

// resolvedAnswer is what every entry-point answer shares.
type resolvedAnswer struct {
	Headline string `json:"headline"`
	Service  struct {
		Name string `json:"name"`
	} `json:"service"`
	ResolvedFrom *struct {
		Input   string `json:"input"`
		Kind    string `json:"kind"`
		Via     string `json:"via"`
		Matched string `json:"matched"`
		Others  []struct {
			Service   string `json:"service"`
			Role      string `json:"role"`
			OwnerTeam string `json:"owner_team"`
		} `json:"others"`
	} `json:"resolved_from"`
	Problems []struct {
		ID        string `json:"id"`
		RootCause string `json:"root_cause"`
	} `json:"problems"`
	Changes []struct {
		ID     string `json:"id"`
		Pinned bool   `json:"pinned"`
		Reason string `json:"reason"`
		Record *struct {
			ApprovedBy string `json:"approved_by"`
		} `json:"record"`
	} `json:"changes"`
	Escalation []struct {
		Level   int    `json:"level"`
		FiresAt string `json:"fires_at"`
	} `json:"escalation"`
	Incident string `json:"incident"`
}

// TestEntryIncidentReferences: every kind of incident reference answers for the service
// it is about — a Dynatrace problem rooted in the database for the service users feel,
// with the database as its root cause — and says how, in both channels, naming the kind of
// reference it resolved (incident, problem, alert or change; the race saw "incident" for a
// change).
func TestEntryIncidentReferences(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	for _, tt := range []struct {
		ref, kind, service, via string
		rootCause               string // root cause named in resolved_from.others and problems
		firstChange             string
	}{
		{ref: demo.DTDisplayID, kind: "problem", service: demo.Checkout, via: "dynatrace problem P-2311: its impacted service (1520 affected users)", rootCause: demo.OrdersDB},
		{ref: demo.DTProblemID, kind: "problem", service: demo.Checkout, via: "dynatrace problem P-2311: its impacted service", rootCause: demo.OrdersDB},
		{ref: fmt.Sprint(demo.PDIncidentNo), kind: "incident", service: demo.Checkout, via: "pagerduty incident " + demo.PDIncidentID + ": its service"},
		{ref: "#" + fmt.Sprint(demo.PDIncidentNo), kind: "incident", service: demo.Checkout, via: "pagerduty incident"},
		{ref: demo.PDIncidentID, kind: "incident", service: demo.Checkout, via: "pagerduty incident " + demo.PDIncidentID + ": its service"},
		{ref: demo.OGTinyID, kind: "alert", service: demo.Checkout, via: "opsgenie alert"},
		{ref: demo.JSMTinyID, kind: "alert", service: demo.Checkout, via: "jsm alert"},
		{ref: demo.SNIncident, kind: "incident", service: demo.Checkout, via: "servicenow incident INC0012345: its business service"},
		{ref: demo.SNChange, kind: "change", service: demo.OrdersDB, via: "servicenow change CHG0030017: its configuration item", firstChange: demo.SNChange},
		{ref: demo.SNScheduledChange, kind: "change", service: demo.OrdersDB, via: "servicenow change CHG0030020: its configuration item", firstChange: demo.SNScheduledChange},
	} {
		t.Run(tt.ref, func(t *testing.T) {
			var a resolvedAnswer
			md := callBoth(t, c, "incident_context", map[string]any{"incident": tt.ref, "detail": "full"}, &a)
			rf := a.ResolvedFrom
			if a.Service.Name != tt.service || rf == nil || rf.Kind != tt.kind || rf.Input != tt.ref || !strings.Contains(rf.Via, tt.via) || rf.Matched == "" {
				t.Fatalf("%s: service %q, resolved_from %+v; want %s via %q", tt.ref, a.Service.Name, rf, tt.service, tt.via)
			}
			line := fmt.Sprintf("Resolved from %s %q via %s", tt.kind, tt.ref, rf.Via)
			if !strings.Contains(md, line) {
				t.Errorf("markdown lacks %q:\n%s", line, md)
			}
			if tt.rootCause != "" {
				if !slices.ContainsFunc(rf.Others, func(o struct {
					Service   string `json:"service"`
					Role      string `json:"role"`
					OwnerTeam string `json:"owner_team"`
				}) bool {
					return o.Service == tt.rootCause && o.Role == "root cause" && o.OwnerTeam == "team-platform"
				}) {
					t.Errorf("root cause not listed: %+v", rf.Others)
				}
				if len(a.Problems) == 0 || a.Problems[0].RootCause != tt.rootCause || !strings.Contains(md, "root cause: "+tt.rootCause) ||
					!strings.Contains(md, "also: "+tt.rootCause+" (root cause, team-platform)") {
					t.Errorf("the database must stay the root cause: %+v\n%s", a.Problems, md)
				}
			}
			if tt.firstChange != "" {
				if len(a.Changes) == 0 || a.Changes[0].ID != tt.firstChange || !a.Changes[0].Pinned || !strings.HasPrefix(a.Changes[0].Reason, "the change asked about") {
					t.Errorf("the change asked about must come first: %+v", a.Changes)
				}
				if !strings.Contains(a.Headline, "most suspicious change: "+demo.SNChange) {
					t.Errorf("the headline names the most suspicious change whichever change was asked about: %s", a.Headline)
				}
				if a.Changes[0].Record == nil || a.Changes[0].Record.ApprovedBy == "" || !strings.Contains(md, "approved by Lena Fischer") {
					t.Errorf("the change asked about comes with its record (approver): %+v\n%s", a.Changes[0], md)
				}
				for _, e := range a.Escalation {
					if e.FiresAt != "" {
						t.Errorf("escalation timed from a change: %+v", a.Escalation)
					}
				}
			}
		})
	}
}

// TestEntryIncidentFoundTwice: a number two sources know is the same alert when both
// carry its key (a move from Opsgenie to JSM Operations), and an ambiguity — answered with
// the qualified references, never a guess — when they are different records.
func TestEntryIncidentFoundTwice(t *testing.T) {
	edit := func(source string, data any) {
		switch d := data.(type) {
		case *jsmfake.Data: // JSM's copy of Opsgenie's 5xx alert, under Opsgenie's tiny id
			d.Alerts[0].TinyID = demo.OGTinyID
		case *ogfake.Data: // an unrelated Opsgenie alert under PagerDuty's incident number
			a := d.Alerts[1]
			a.ID, a.TinyID, a.Alias = "29c4e7a2-55aa-4bb1-8cc2-0d1e2f3a4b5c-1732500000000", fmt.Sprint(demo.PDIncidentNo), "cart-latency"
			d.Alerts = append(d.Alerts, a)
		}
	}
	c := mcpClient(t, demo.Scenario{T0: t0, Edit: edit})
	var a resolvedAnswer
	callBoth(t, c, "incident_context", map[string]any{"incident": demo.OGTinyID}, &a)
	if a.Service.Name != demo.Checkout || !strings.HasPrefix(a.ResolvedFrom.Via, "opsgenie alert") {
		t.Errorf("the same alert in Opsgenie and JSM is one: %+v", a.ResolvedFrom)
	}
	msg := callErr(t, c, "incident_context", map[string]any{"incident": fmt.Sprint(demo.PDIncidentNo)})
	for _, want := range []string{"pagerduty:4711", "opsgenie:4711", "on checkout", "on cart", "none is picked"} {
		if !strings.Contains(msg, want) {
			t.Errorf("ambiguity message lacks %q:\n%s", want, msg)
		}
	}
	callBoth(t, c, "incident_context", map[string]any{"incident": "opsgenie:4711"}, &a)
	if a.Service.Name != demo.Cart {
		t.Errorf("a qualified reference picks its source: %q", a.Service.Name)
	}
	var fr struct {
		Kind       string `json:"kind"`
		Ambiguous  bool   `json:"ambiguous"`
		Candidates []struct {
			Name      string `json:"name"`
			MatchedBy string `json:"matched_by"`
			Exact     bool   `json:"exact"`
		} `json:"candidates"`
	}
	md := callBoth(t, c, "find_service", map[string]any{"incident": fmt.Sprint(demo.PDIncidentNo)}, &fr)
	if fr.Kind != "incident" || !fr.Ambiguous || len(fr.Candidates) < 2 || !strings.Contains(md, `incident "4711" is ambiguous`) {
		t.Errorf("find_service on an ambiguous number: %+v\n%s", fr, md)
	}
}

// TestEntryHost: a host from an alert (with its exporter port) or a Kubernetes workload
// answers for the service running there, over MCP, and says how in both channels; every
// tool that takes a service takes a host.
func TestEntryHost(t *testing.T) {
	c := mcpClient(t, demo.Scenario{T0: t0})
	for _, tt := range []struct {
		tool, host, service, via string
	}{
		{tool: "incident_context", host: "db-prod-01:9100", service: demo.OrdersDB, via: "runs on host db-prod-01 (servicenow Runs on::Runs)"},
		{tool: "who_owns", host: "db-prod-01", service: demo.OrdersDB, via: "runs on host db-prod-01"},
		{tool: "what_changed", host: "DB-PROD-01", service: demo.OrdersDB, via: "runs on host db-prod-01"},
		{tool: "blast_radius", host: "db-prod-01", service: demo.OrdersDB, via: "runs on host db-prod-01"},
		{tool: "incident_context", host: "shop/cart", service: demo.Cart, via: "annotation backstage.io/kubernetes-id cart in namespace shop"},
	} {
		t.Run(tt.tool+" "+tt.host, func(t *testing.T) {
			var a resolvedAnswer
			md := callBoth(t, c, tt.tool, map[string]any{"host": tt.host}, &a)
			rf := a.ResolvedFrom
			if rf == nil || rf.Kind != "host" || rf.Input != tt.host || !strings.Contains(rf.Via, tt.via) || rf.Matched == "" {
				t.Fatalf("resolved_from %+v; want kind host via %q", rf, tt.via)
			}
			if tt.tool != "blast_radius" && a.Service.Name != tt.service {
				t.Errorf("answered for %q, want %q", a.Service.Name, tt.service)
			}
			if line := fmt.Sprintf("Resolved from host %q via %s", tt.host, rf.Via); !strings.Contains(md, line) {
				t.Errorf("markdown lacks %q:\n%s", line, md)
			}
		})
	}
	if txt := callErr(t, c, "who_owns", map[string]any{"host": "db-prod-01", "service": "checkout"}); !strings.Contains(txt, "not several (service, host)") {
		t.Errorf("host and service together: %s", txt)
	}
}
