// Package audit assembles boundary_audit: where incidents hide between teams and systems
// (ownerless or unpaged services, uncontracted cross-team edges, declared vs measured drift).
package audit

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// Finding is one gap found by boundary_audit.
type Finding struct {
	// Kind is one of: no_owner, owner_disagreement, no_oncall, no_runbook, no_alerting,
	// no_slo, uncontracted_edge, edge_without_slo, telemetry_only_edge, catalog_only_edge,
	// ambiguous_record, and for the hosts services run on (Target): host_no_owner,
	// host_no_oncall, host_telemetry_only, host_cmdb_only.
	Kind    string `json:"kind"`
	Service string `json:"service"`
	// Target is the other end of an edge finding, or the host of a host finding.
	Target string `json:"target,omitempty"`
	Detail string `json:"detail"`
	// Severity is high, medium or low: how likely the gap hides an incident.
	Severity string `json:"severity"`
}

// Result is the result of boundary_audit.
type Result struct {
	// Headline says in one sentence what the answer found (and what could not be asked).
	Headline string               `json:"headline"`
	Scope    string               `json:"scope"`
	Services int                  `json:"services"`
	Findings []Finding            `json:"findings"`
	Counts   map[string]int       `json:"counts"`
	Omitted  int                  `json:"omitted"`
	Sources  []answer.SourceEntry `json:"sources"`
}

// Options are what boundary_audit is assembled from besides the directory.
type Options struct {
	// Service audits only this service and its edges; Team only the services it owns.
	Service *directory.Entity
	Team    string
	Limit   int
	// SLOSources is true when some source serves SLOs, and SLOs are their listings.
	SLOSources bool
	SLOs       []model.Sourced[[]model.SLO]
	// The roles of the enabled sources, from their capabilities: OnCall know who is on call,
	// Paging page people about alerts (they know on-call and receive alerts), Alerting
	// report alerts or problems.
	OnCall, Paging, Alerting []string
	// Rules are the services each alert-rule source's rules cover (Prometheus rule files):
	// a service with rules is alerted, even when no catalog links it to an alerting source.
	Rules []model.Sourced[[]string]
	// Alerts are the open alerts of every alert source (firing, pending, silenced): a
	// service with one is alerted too.
	Alerts []model.Alert
	// Asked are the statuses of the sources asked so far; Sources of every source, for
	// `sources`.
	Asked, Sources []model.SourceStatus
}

// audit is one boundary_audit being assembled.
type audit struct {
	d        *directory.Directory
	o        Options
	withSLO  map[string]bool // Fold(service) -> some SLO covers it
	haveSLOs bool            // some SLO source answered with SLOs (without one, "no SLO" means nothing)
	ruled    map[string]bool // Fold(service) -> some alerting rule covers it, or it has an open alert
	// measuredAnswered is true when some source that sees dependencies in traffic answered.
	measuredAnswered bool
	// hostsDeclared and hostsObserved are true when some source declares hosts (a CMDB),
	// or sees them in telemetry: without one, a host missing from it means nothing.
	hostsDeclared, hostsObserved bool
	res                          *Result
}

// serviceRules are the gaps looked for on each service: a rule reports the detail of its
// finding, or "" when the service has no such gap.
var serviceRules = []struct {
	kind, severity string
	check          func(a *audit, e *directory.Entity) string
}{
	{"no_owner", "high", func(_ *audit, e *directory.Entity) string {
		return when(len(e.Owners()) == 0, "no source names an owner")
	}},
	{"owner_disagreement", "medium", func(_ *audit, e *directory.Entity) string {
		owners := e.Owners()
		if len(answer.DistinctTeams(owners)) < 2 {
			return ""
		}
		// One entry per team (by TeamKey), with every source that names it; a source that
		// spells it otherwise is said so: "team-checkout (catalogfile, pagerduty as Checkout)".
		var keys []string
		per := map[string][]string{}
		for _, o := range owners {
			k := directory.TeamKey(o.Team)
			if _, ok := per[k]; !ok {
				keys, per[k] = append(keys, k), []string{o.Team}
			}
			src := o.Source
			if o.Team != per[k][0] {
				src += " as " + o.Team
			}
			per[k] = append(per[k], src)
		}
		var teams []string
		for _, k := range keys {
			teams = append(teams, per[k][0]+" ("+strings.Join(per[k][1:], ", ")+")")
		}
		return "owners differ: " + strings.Join(teams, " vs ")
	}},
	{"no_oncall", "high", func(a *audit, e *directory.Entity) string {
		return when(len(a.o.OnCall) > 0 && !linked(e, a.o.Paging),
			"not linked to any paging source ("+strings.Join(a.o.Paging, ", ")+"), so nobody is paged for it")
	}},
	{"no_runbook", "low", func(_ *audit, e *directory.Entity) string {
		return when(!hasRunbook(e), "no runbook link")
	}},
	{"no_slo", "medium", func(a *audit, e *directory.Entity) string {
		return when(a.haveSLOs && !a.withSLO[directory.Fold(e.Name)], "no SLO: user impact cannot be measured")
	}},
	{"no_alerting", "medium", func(a *audit, e *directory.Entity) string {
		return when(!linked(e, a.o.Alerting) && !a.ruled[directory.Fold(e.Name)],
			"no alerting rule names it, no source has an open alert on it, and it is not linked to any alerting or monitoring source")
	}},
}

// edgeRules are the gaps looked for on each dependency edge, given its ends' owners.
var edgeRules = []struct {
	kind, severity string
	check          func(a *audit, ed directory.Edge, fromOwner, toOwner string) string
}{
	{"uncontracted_edge", "medium", func(_ *audit, ed directory.Edge, fo, to string) string {
		return when(crossTeam(fo, to) && ed.Contract == "",
			fmt.Sprintf("%s (%s) depends on %s (%s) with no declared contract (timeouts, SLO)", ed.From, fo, ed.To, to))
	}},
	{"edge_without_slo", "medium", func(a *audit, ed directory.Edge, fo, to string) string {
		return when(a.haveSLOs && crossTeam(fo, to) && !a.withSLO[directory.Fold(ed.To)],
			fmt.Sprintf("%s (%s) depends on %s (%s), which has no SLO", ed.From, fo, ed.To, to))
	}},
	{"telemetry_only_edge", "high", func(_ *audit, ed directory.Edge, _, _ string) string {
		return when(ed.Measured && !ed.Declared,
			fmt.Sprintf("%s calls %s in production (%s) but no catalog or CMDB declares it", ed.From, ed.To, strings.Join(ed.Sources, ", ")))
	}},
	{"catalog_only_edge", "low", func(a *audit, ed directory.Edge, _, _ string) string {
		return when(ed.Declared && !ed.Measured && a.measuredAnswered && a.measured(ed.From) && a.measured(ed.To),
			fmt.Sprintf("%s declares a dependency on %s (%s) that telemetry never saw", ed.From, ed.To, strings.Join(ed.Sources, ", ")))
	}},
}

// Boundaries finds ownerless or unpaged services, cross-team edges without a declared
// contract, and drift between declared (catalog/CMDB) and measured (telemetry) dependencies.
func Boundaries(d *directory.Directory, o Options) *Result {
	a := &audit{d: d, o: o, res: &Result{Scope: "all services", Findings: []Finding{}, Counts: map[string]int{}}}
	a.judgeSLOs()
	a.ruled = map[string]bool{}
	for _, r := range o.Rules {
		for _, svc := range r.Value {
			a.ruled[directory.Fold(d.Canonical(r.Source, svc))] = true
		}
	}
	for _, al := range o.Alerts {
		if al.Service != "" {
			a.ruled[directory.Fold(d.Canonical(al.Source, al.Service))] = true
		}
	}
	a.measuredAnswered = slices.ContainsFunc(o.Asked, func(s model.SourceStatus) bool {
		return s.Status != model.StateError && slices.Contains(d.MeasuringSources(), s.Name)
	})
	inScope := func(string) bool { return true }
	switch {
	case o.Service != nil:
		a.res.Scope = "service " + o.Service.Name
		inScope = func(n string) bool { return directory.Fold(n) == directory.Fold(o.Service.Name) }
	case o.Team != "":
		a.res.Scope = "team " + o.Team
		inScope = func(n string) bool { return d.OwnedBy(n, o.Team) }
	}
	for _, ent := range d.Entities {
		if kind := strings.ToLower(ent.Records[0].Kind); kind == "system" || kind == "api" || kind == "domain" || !inScope(ent.Name) {
			continue
		}
		a.res.Services++
		for _, r := range serviceRules {
			if detail := r.check(a, ent); detail != "" {
				a.add(Finding{Kind: r.kind, Service: ent.Name, Severity: r.severity, Detail: detail})
			}
		}
	}
	for ed := range d.Edges() {
		if !inScope(ed.From) && !inScope(ed.To) {
			continue
		}
		fromOwner, toOwner := d.OwnerOf(ed.From), d.OwnerOf(ed.To)
		for _, r := range edgeRules {
			if detail := r.check(a, ed, fromOwner, toOwner); detail != "" {
				a.add(Finding{Kind: r.kind, Service: ed.From, Target: ed.To, Severity: r.severity, Detail: detail})
			}
		}
	}
	a.judgeHosts(inScope)
	for _, amb := range d.Ambiguities {
		if inScope(amb.Candidates[0]) {
			a.add(Finding{Kind: "ambiguous_record", Service: amb.Record, Severity: "low",
				Detail: fmt.Sprintf("%s record %q matches %s by %s; not merged", amb.Source, amb.Record, strings.Join(amb.Candidates, ", "), amb.Method)})
		}
	}
	res := a.res
	sortFindings(res.Findings)
	res.Findings, res.Omitted = answer.Cap(res.Findings, max(o.Limit, 1))
	res.Sources = answer.SourceEntries(o.Sources)
	res.Headline = headline(res)
	return res
}

// headline counts the findings, worst first.
func headline(r *Result) string {
	high := 0
	for _, f := range r.Findings {
		if f.Severity == "high" {
			high++
		}
	}
	out := fmt.Sprintf("Boundary audit of %s: %d service(s), %d finding(s)", r.Scope, r.Services, len(r.Findings)+r.Omitted)
	if high > 0 {
		out += fmt.Sprintf(", %d of the shown high", high)
	}
	return out + answer.SourceCaveat(r.Sources) + "."
}

// judgeSLOs notes which services an SLO covers, from the SLO listings and the catalogs'
// declarations (evaluated per service only, so the listings do not return them). SLOs are
// judged only when some source serves them.
func (a *audit) judgeSLOs() {
	a.withSLO = map[string]bool{}
	if !a.o.SLOSources {
		return
	}
	for _, s := range a.o.SLOs {
		a.haveSLOs = a.haveSLOs || len(s.Value) > 0
		for _, x := range s.Value {
			a.withSLO[directory.Fold(a.d.Canonical(s.Source, x.Service))] = true
		}
	}
	for _, ent := range a.d.Entities {
		if slices.ContainsFunc(ent.Records, func(r model.Service) bool { return r.SLODeclared }) {
			a.withSLO[directory.Fold(ent.Name)], a.haveSLOs = true, true
		}
	}
}

func (a *audit) add(f Finding) {
	a.res.Findings = append(a.res.Findings, f)
	a.res.Counts[f.Kind]++
}

// measured reports whether a source that sees dependencies in traffic knows the service.
func (a *audit) measured(name string) bool {
	e := a.d.Entity(name)
	return e != nil && linked(e, a.d.MeasuringSources())
}

// sortFindings orders findings by severity, then kind, then where.
func sortFindings(fs []Finding) {
	rank := map[string]int{"high": 0, "medium": 1, "low": 2}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if rank[a.Severity] != rank[b.Severity] {
			return rank[a.Severity] < rank[b.Severity]
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Service+a.Target < b.Service+b.Target
	})
}

// when returns detail when cond holds, else "".
func when(cond bool, detail string) string {
	if cond {
		return detail
	}
	return ""
}

// crossTeam reports whether two known owners differ.
func crossTeam(a, b string) bool { return a != "" && b != "" && a != b }

// linked reports whether e has a record from one of sources, or a catalog reference to the
// kind of one (a reference names a kind, in any of its instances).
func linked(e *directory.Entity, sources []string) bool {
	for _, r := range e.Records {
		if slices.Contains(sources, r.Source) {
			return true
		}
		for _, ref := range r.Refs {
			if slices.ContainsFunc(sources, func(s string) bool { return model.SourceKind(s) == ref.In }) {
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
