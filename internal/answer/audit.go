package answer

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// Finding is one gap found by boundary_audit.
type Finding struct {
	// Kind is one of: no_owner, owner_disagreement, no_oncall, no_runbook, no_alerting,
	// no_slo, uncontracted_edge, edge_without_slo, telemetry_only_edge, catalog_only_edge,
	// ambiguous_record.
	Kind    string `json:"kind"`
	Service string `json:"service"`
	// Target is the other end of an edge finding.
	Target string `json:"target,omitempty"`
	Detail string `json:"detail"`
	// Severity is high, medium or low: how likely the gap hides an incident.
	Severity string `json:"severity"`
}

// AuditResult is the result of boundary_audit.
type AuditResult struct {
	Scope    string         `json:"scope"`
	Services int            `json:"services"`
	Findings []Finding      `json:"findings"`
	Counts   map[string]int `json:"counts"`
	Omitted  int            `json:"omitted"`
	Sources  []SourceEntry  `json:"sources"`
}

// telemetrySources measure dependencies from traffic; catalogSources declare them.
var (
	telemetrySources = []string{"dynatrace"}
	catalogSources   = []string{"catalogfile", "backstage", "servicenow"}
	onCallAnnots     = []string{"pagerduty.com/service-id", "opsgenie.com/team", "opsgenie.com/component-selector"}
	alertingAnnots   = []string{"pagerduty.com/service-id", "opsgenie.com/component-selector", "dynatrace.com/dynatrace-entity-id"}
)

// sloAnnotation is the catalog annotation that declares an SLO on a service (evaluated by
// an SLO source with PromQL, see connectors/prometheus).
const sloAnnotation = "opsctx.io/slo-objective"

// AuditOptions are what boundary_audit is assembled from besides the directory.
type AuditOptions struct {
	// Service audits only this service and its edges; Team only the services it owns.
	Service *directory.Entity
	Team    string
	Limit   int
	// SLOSources is true when some source serves SLOs, and SLOs are their listings.
	SLOSources bool
	SLOs       []model.Sourced[[]model.SLO]
	// Enabled names the enabled sources; Asked are the statuses of those asked so far.
	Enabled []string
	Asked   []model.SourceStatus
	// Sources are the statuses of every source, for `sources`.
	Sources []model.SourceStatus
}

// BoundaryAudit finds ownerless or unpaged services, cross-team edges without a declared
// contract, and drift between declared (catalog/CMDB) and measured (telemetry) dependencies.
func BoundaryAudit(d *directory.Directory, o AuditOptions) *AuditResult {
	service, team, limit := o.Service, o.Team, o.Limit
	// SLOs are judged only when some SLO source answers: without one, "no SLO" means nothing.
	withSLO := map[string]bool{}
	haveSLOs := false
	if o.SLOSources {
		for _, s := range o.SLOs {
			haveSLOs = haveSLOs || len(s.Value) > 0
			for _, x := range s.Value {
				withSLO[fold(d.Canonical(s.Source, x.Service))] = true
			}
		}
		// SLOs declared in catalog annotations are evaluated per service only, so the
		// listing above does not return them: the declaration counts.
		for _, ent := range d.Entities {
			for _, r := range ent.Records {
				if r.Annotations[sloAnnotation] != "" {
					withSLO[fold(ent.Name)], haveSLOs = true, true
				}
			}
		}
	}
	res := &AuditResult{Scope: "all services", Findings: []Finding{}, Counts: map[string]int{}}
	inScope := func(string) bool { return true }
	switch {
	case service != nil:
		res.Scope = "service " + service.Name
		inScope = func(n string) bool { return fold(n) == fold(service.Name) }
	case team != "":
		res.Scope = "team " + team
		inScope = func(n string) bool { return ownedBy(d, n, team) }
	}
	answered := map[string]bool{}
	for _, s := range o.Asked {
		if s.Status == model.StateOK || s.Status == model.StateStale {
			answered[s.Name] = true
		}
	}
	onCallEnabled := false
	for _, s := range o.Enabled {
		if slices.Contains([]string{"pagerduty", "opsgenie", "servicenow"}, s) {
			onCallEnabled = true
		}
	}
	add := func(f Finding) {
		res.Findings = append(res.Findings, f)
		res.Counts[f.Kind]++
	}
	for _, ent := range d.Entities {
		kind := strings.ToLower(ent.Records[0].Kind)
		if kind == "system" || kind == "api" || kind == "domain" || !inScope(ent.Name) {
			continue
		}
		res.Services++
		owners := ent.Owners()
		if len(owners) == 0 {
			add(Finding{Kind: "no_owner", Service: ent.Name, Severity: "high", Detail: "no source names an owner"})
		}
		if teams := distinctTeams(owners); len(teams) > 1 {
			var per []string
			for _, o := range owners {
				per = append(per, o.Team+" ("+o.Source+")")
			}
			add(Finding{Kind: "owner_disagreement", Service: ent.Name, Severity: "medium", Detail: "owners differ: " + strings.Join(per, " vs ")})
		}
		if onCallEnabled && !hasIdentity(ent, onCallAnnots, "pagerduty", "opsgenie") {
			add(Finding{Kind: "no_oncall", Service: ent.Name, Severity: "high", Detail: "no PagerDuty service or Opsgenie team is linked, so nobody is paged for it"})
		}
		if !hasRunbook(ent) {
			add(Finding{Kind: "no_runbook", Service: ent.Name, Severity: "low", Detail: "no runbook link"})
		}
		if haveSLOs && !withSLO[fold(ent.Name)] {
			add(Finding{Kind: "no_slo", Service: ent.Name, Severity: "medium", Detail: "no SLO: user impact cannot be measured"})
		}
		if !hasIdentity(ent, alertingAnnots, "pagerduty", "opsgenie", "dynatrace") {
			add(Finding{Kind: "no_alerting", Service: ent.Name, Severity: "medium", Detail: "not linked to any alerting or monitoring source"})
		}
	}
	telemetryAnswered := false
	for _, s := range telemetrySources {
		telemetryAnswered = telemetryAnswered || answered[s]
	}
	for ed := range d.Edges() {
		if !inScope(ed.From) && !inScope(ed.To) {
			continue
		}
		declared, measured := intersects(ed.Sources, catalogSources), intersects(ed.Sources, telemetrySources)
		fromOwner, toOwner := d.OwnerOf(ed.From), d.OwnerOf(ed.To)
		if fromOwner != "" && toOwner != "" && fromOwner != toOwner && ed.Contract == "" {
			add(Finding{Kind: "uncontracted_edge", Service: ed.From, Target: ed.To, Severity: "medium",
				Detail: fmt.Sprintf("%s (%s) depends on %s (%s) with no declared contract (timeouts, SLO)", ed.From, fromOwner, ed.To, toOwner)})
		}
		if haveSLOs && fromOwner != "" && toOwner != "" && fromOwner != toOwner && !withSLO[fold(ed.To)] {
			add(Finding{Kind: "edge_without_slo", Service: ed.From, Target: ed.To, Severity: "medium",
				Detail: fmt.Sprintf("%s (%s) depends on %s (%s), which has no SLO", ed.From, fromOwner, ed.To, toOwner)})
		}
		switch {
		case measured && !declared:
			add(Finding{Kind: "telemetry_only_edge", Service: ed.From, Target: ed.To, Severity: "high",
				Detail: fmt.Sprintf("%s calls %s in production (%s) but no catalog or CMDB declares it", ed.From, ed.To, strings.Join(ed.Sources, ", "))})
		case declared && !measured && telemetryAnswered && knownToTelemetry(d, ed.From) && knownToTelemetry(d, ed.To):
			add(Finding{Kind: "catalog_only_edge", Service: ed.From, Target: ed.To, Severity: "low",
				Detail: fmt.Sprintf("%s declares a dependency on %s (%s) that telemetry never saw", ed.From, ed.To, strings.Join(ed.Sources, ", "))})
		}
	}
	for _, a := range d.Ambiguities {
		if inScope(a.Candidates[0]) {
			add(Finding{Kind: "ambiguous_record", Service: a.Record, Severity: "low",
				Detail: fmt.Sprintf("%s record %q matches %s by %s; not merged", a.Source, a.Record, strings.Join(a.Candidates, ", "), a.Method)})
		}
	}
	rank := map[string]int{"high": 0, "medium": 1, "low": 2}
	sort.SliceStable(res.Findings, func(i, j int) bool {
		a, b := res.Findings[i], res.Findings[j]
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Service+a.Target < b.Service+b.Target
	})
	res.Findings, res.Omitted = capList(res.Findings, max(limit, 1))
	res.Sources = SourceEntries(o.Sources)
	return res
}

func hasIdentity(e *directory.Entity, annots []string, sources ...string) bool {
	for _, r := range e.Records {
		if slices.Contains(sources, r.Source) {
			return true
		}
		for _, a := range annots {
			if r.Annotations[a] != "" {
				return true
			}
		}
	}
	return false
}

func hasRunbook(e *directory.Entity) bool {
	for _, r := range e.Records {
		for _, l := range r.Links {
			s := strings.ToLower(l.Type + " " + l.Title + " " + l.URL)
			if strings.Contains(s, "runbook") || strings.Contains(s, "playbook") {
				return true
			}
		}
	}
	return false
}

func knownToTelemetry(d *directory.Directory, name string) bool {
	e := d.Entity(name)
	return e != nil && hasIdentity(e, []string{"dynatrace.com/dynatrace-entity-id"}, telemetrySources...)
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
