package join

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
	"github.com/opsctx/opsctx/internal/slo"
	"github.com/opsctx/opsctx/internal/timeutil"
)

// Detail levels.
const (
	DetailBrief    = "brief"
	DetailStandard = "standard"
	DetailFull     = "full"
)

// Query asks about one service, or the service behind one incident.
type Query struct {
	Service  string
	Incident string
	// Since is how far back to look; default 2h.
	Since  time.Duration
	Detail string
}

// facts is everything fetched for one target.
type facts struct {
	alerts     []model.Alert
	problems   []model.Problem
	incidents  []model.Incident
	changes    []model.Change
	responders []sourced[model.Responders]
	slos       []sourced[[]model.SLO]
	hasAlerts  bool // some alert or problem source is enabled
	hasSLOs    bool // some SLO source answered
}

// gather fetches alerts, problems, incidents, changes and responders for t concurrently.
func (e *Engine) gather(ctx context.Context, b *book, t model.Target, window string) facts {
	var f facts
	key := strings.ToLower(t.Name) + "|" + window
	var wg conc.WaitGroup
	wg.Go(func() {
		for _, s := range fetchAll(ctx, e, b, capable[connectors.Alerts](e.o.Sources), cache.KindAlerts, key, "alerts",
			func(ctx context.Context, c connectors.Alerts) ([]model.Alert, error) { return c.Alerts(ctx, t) }) {
			f.alerts = append(f.alerts, s.Value...)
		}
	})
	wg.Go(func() {
		for _, s := range fetchAll(ctx, e, b, capable[connectors.Problems](e.o.Sources), cache.KindProblems, key, "problems",
			func(ctx context.Context, c connectors.Problems) ([]model.Problem, error) { return c.Problems(ctx, t) }) {
			f.problems = append(f.problems, s.Value...)
		}
	})
	wg.Go(func() {
		for _, s := range fetchAll(ctx, e, b, capable[connectors.Incidents](e.o.Sources), cache.KindIncidents, key, "incidents",
			func(ctx context.Context, c connectors.Incidents) ([]model.Incident, error) {
				return c.Incidents(ctx, t)
			}) {
			f.incidents = append(f.incidents, s.Value...)
		}
	})
	wg.Go(func() {
		for _, s := range fetchAll(ctx, e, b, capable[connectors.Changes](e.o.Sources), cache.KindChanges, key, "changes",
			func(ctx context.Context, c connectors.Changes) ([]model.Change, error) { return c.Changes(ctx, t) }) {
			f.changes = append(f.changes, s.Value...)
		}
	})
	wg.Go(func() {
		f.responders = fetchAll(ctx, e, b, capable[connectors.OnCall](e.o.Sources), cache.KindOnCall, key, "on-call",
			func(ctx context.Context, c connectors.OnCall) (model.Responders, error) { return c.Responders(ctx, t) })
	})
	wg.Go(func() {
		f.slos = fetchAll(ctx, e, b, capable[connectors.SLOs](e.o.Sources), cache.KindSLOs, key, "slos",
			func(ctx context.Context, c connectors.SLOs) ([]model.SLO, error) { return c.SLOs(ctx, t) })
	})
	wg.Wait()
	f.hasAlerts = len(capable[connectors.Alerts](e.o.Sources))+len(capable[connectors.Problems](e.o.Sources)) > 0
	for _, s := range f.slos {
		f.hasSLOs = f.hasSLOs || len(s.Value) > 0 // a source with no SLOs measures nothing
	}
	return f
}

// IncidentContext answers incident_context: the joined picture of one service.
func (e *Engine) IncidentContext(ctx context.Context, q Query) (*IncidentContext, error) {
	ctx, cancel := context.WithTimeout(ctx, e.o.Deadline)
	defer cancel()
	if q.Since <= 0 {
		q.Since = 2 * time.Hour
	}
	if q.Detail == "" {
		q.Detail = DetailStandard
	}
	now := e.o.Now().UTC()
	b := newBook()

	var (
		dir  *Directory
		iref *connectors.IncidentRef
		ierr error
		wg   conc.WaitGroup
	)
	// Phase 1 (catalogs, incident lookup) gets at most half the deadline, so a hung catalog
	// source cannot starve phase 2 (alerts, problems, changes, on-call).
	pctx, pcancel := context.WithTimeout(ctx, e.o.Deadline/2)
	wg.Go(func() { dir = e.directory(pctx, b) })
	if q.Incident != "" {
		wg.Go(func() { iref, ierr = e.findIncident(pctx, b, q.Incident) })
	}
	wg.Wait()
	pcancel()

	var ent *Entity
	var err error
	if q.Incident != "" {
		if ierr != nil {
			return nil, ierr
		}
		ent, err = entityForIncident(dir, iref, b.statuses(e.o.Sources, nil))
	} else {
		ent, err = resolveService(dir, q.Service, b.statuses(e.o.Sources, nil))
	}
	if err != nil {
		return nil, err
	}

	since := now.Add(-q.Since)
	if iref != nil && !iref.StartedAt.IsZero() && iref.StartedAt.Add(-q.Since).Before(since) {
		since = iref.StartedAt.Add(-q.Since) // look back from the incident start, not from now
	}
	t := dir.target(ent, since, now)
	f := e.gather(ctx, b, t, q.Since.String())

	ans := assemble(dir, ent, f, now, since, iref, e.o.Thresholds)
	ans.Detail = q.Detail
	if iref != nil {
		ans.Incident = q.Incident
	}
	ans.Sources = sourceEntries(b.statuses(e.o.Sources, e.o.Disabled))
	ans.Headline = headline(ans, now)
	applyDetail(ans, q.Detail)
	return ans, nil
}

// entityForIncident maps an incident's services to one entity.
func entityForIncident(d *Directory, r *connectors.IncidentRef, st []model.SourceStatus) (*Entity, error) {
	for _, s := range r.Services {
		if e := d.EntityForRecord(r.Source, s); e != nil {
			return e, nil
		}
	}
	name := r.ID
	if len(r.Services) > 0 {
		name = r.Services[0]
	}
	return nil, &LookupError{Query: name, What: "service", Sources: st,
		Suggestions: suggestionNames(d.Lookup(name))}
}

func suggestionNames(cs []Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Entity.Name)
	}
	return out
}

func sourceEntries(st []model.SourceStatus) []SourceEntry {
	out := make([]SourceEntry, 0, len(st))
	for _, s := range st {
		out = append(out, SourceEntry{Name: s.Name, Status: s.Status, AsOf: timeutil.RFC3339(s.AsOf), LatencyMS: s.LatencyMS, Error: s.Error})
	}
	return out
}

// assemble turns the fetched facts into the answer (without headline and detail caps).
func assemble(d *Directory, ent *Entity, f facts, now, since time.Time, iref *connectors.IncidentRef, th slo.Thresholds) *IncidentContext {
	ans := &IncidentContext{Since: timeutil.RFC3339(since), Notes: []string{}}
	ans.Service = ServiceRef{ID: ent.Records[0].ID, Name: ent.Name, Title: ent.Title(), Aliases: ent.Aliases()}
	if ans.Service.Aliases == nil {
		ans.Service.Aliases = []string{}
	}
	for _, o := range ent.Owners() {
		o.TeamName = d.TeamTitle(o.Team)
		ans.Owners = append(ans.Owners, o)
	}
	if len(ans.Owners) > 0 {
		ans.Service.OwnerTeam = ans.Owners[0].Team
	}
	if teams := distinctTeams(ent.Owners()); len(teams) > 1 {
		ans.Notes = append(ans.Notes, "owners disagree between sources: "+strings.Join(teams, " vs "))
	}
	for _, a := range d.Ambiguities {
		if concerns(a, ent) {
			ans.Notes = append(ans.Notes, fmt.Sprintf("%s record %q matches several services (%s) by %s and was not merged",
				a.Source, a.Record, strings.Join(a.Candidates, ", "), a.Method))
		}
	}

	// Problems first: they name root causes that explain alerts.
	ans.Problems = problemEntries(d, f.problems)
	ans.AlertGroups = groupAlerts(d, ent.Name, f.alerts, f.problems)
	ans.Incidents = incidentEntries(f.incidents)

	start := referenceStart(f, iref)
	ans.OnCall, ans.Escalation = responderEntries(f.responders, f, start, now)
	for _, r := range f.responders {
		if r.Value.Note != "" {
			ans.Notes = append(ans.Notes, r.Source+": "+sanitize.Text(r.Value.Note, 200))
		}
	}
	ans.Changes = rankChanges(d, ent, f, start, now)
	ans.Dependencies = dependencies(d, ent, f)
	ans.Runbooks = runbooks(ent, f.alerts)
	ans.SLOs = sloEntries(d, f.slos, th)
	markImpact(d, ans.AlertGroups, ans.SLOs, f.hasSLOs)
	return ans
}

// distinctTeams returns the owners that name different teams (by teamKey), first name kept.
func distinctTeams(os []Owner) []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range os {
		if k := teamKey(o.Team); !seen[k] {
			seen[k] = true
			out = append(out, o.Team)
		}
	}
	return out
}

// referenceStart is when the trouble started: the incident, else the earliest open problem,
// else the earliest firing alert; zero when nothing is wrong.
func referenceStart(f facts, iref *connectors.IncidentRef) time.Time {
	if iref != nil && !iref.StartedAt.IsZero() {
		return iref.StartedAt
	}
	var t time.Time
	earliest := func(x time.Time) {
		if !x.IsZero() && (t.IsZero() || x.Before(t)) {
			t = x
		}
	}
	for _, p := range f.problems {
		if p.Status != "closed" {
			earliest(p.StartedAt)
		}
	}
	if t.IsZero() {
		for _, i := range f.incidents {
			earliest(i.StartedAt)
		}
		for _, a := range f.alerts {
			earliest(a.StartedAt)
		}
	}
	return t
}

func problemEntries(d *Directory, ps []model.Problem) []ProblemEntry {
	out := []ProblemEntry{}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].StartedAt.Before(ps[j].StartedAt) })
	for _, p := range ps {
		id := p.ID
		if p.DisplayID != "" {
			id = p.DisplayID
		}
		rc := p.RootCauseName
		if e := d.EntityForRecord(p.Source, p.RootCause); e != nil {
			rc = e.Name
		} else if rc == "" {
			rc = p.RootCause
		}
		var imp []string
		for i, x := range p.Impacted {
			n := x
			if e := d.EntityForRecord(p.Source, x); e != nil {
				n = e.Name
			} else if i < len(p.ImpactedNames) && p.ImpactedNames[i] != "" {
				n = p.ImpactedNames[i]
			}
			imp = appendUnique(imp, sanitize.Short(n))
		}
		if imp == nil {
			imp = []string{}
		}
		out = append(out, ProblemEntry{ID: id, Title: sanitize.Short(p.Title), Severity: p.Severity, Status: p.Status, Impact: sanitize.Short(p.Impact),
			StartedAt: timeutil.RFC3339(p.StartedAt), RootCause: sanitize.Short(rc), Impacted: imp, Source: p.Source, URL: p.URL})
	}
	return out
}

func incidentEntries(is []model.Incident) []IncidentEntry {
	out := []IncidentEntry{}
	sort.SliceStable(is, func(i, j int) bool { return is[i].StartedAt.Before(is[j].StartedAt) })
	for _, i := range is {
		out = append(out, IncidentEntry{ID: i.ID, Number: i.Number, Title: sanitize.Short(i.Title), Priority: i.Priority,
			Status: i.Status, StartedAt: timeutil.RFC3339(i.StartedAt), Service: sanitize.Short(i.Service),
			Team: sanitize.Short(i.Team), Source: i.Source, URL: i.URL})
	}
	return out
}

// runbooks returns the target's runbook links first, then its other links, then alert runbooks.
func runbooks(ent *Entity, alerts []model.Alert) []model.Link {
	out := []model.Link{}
	seen := map[string]bool{}
	add := func(l model.Link) {
		if l.URL == "" || seen[l.URL] {
			return
		}
		seen[l.URL] = true
		l.Title = sanitize.Short(l.Title)
		out = append(out, l)
	}
	isRunbook := func(l model.Link) bool {
		s := strings.ToLower(l.Type + " " + l.Title + " " + l.URL)
		return strings.Contains(s, "runbook") || strings.Contains(s, "playbook")
	}
	for _, pass := range []bool{true, false} {
		for _, r := range ent.Records {
			for _, l := range r.Links {
				if isRunbook(l) == pass {
					add(l)
				}
			}
		}
	}
	for _, a := range alerts {
		if a.RunbookURL != "" {
			add(model.Link{Title: "Runbook for alert " + a.Title, URL: a.RunbookURL, Type: "runbook"})
		}
	}
	return out
}
