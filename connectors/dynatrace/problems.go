package dynatrace

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/sourcegraph/conc/pool"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

const (
	problemsPath = "api/v2/problems"
	// problemFields adds root-cause evidence and impact analysis to every problem page, as
	// the API reference writes the list: names without the + that entity fields take.
	problemFields = "evidenceDetails,impactAnalysis"
)

// ownerTagKeys are the tag keys that name an owning team (owner:team-x, team:team-x).
var ownerTagKeys = []string{"owner", "team", "owner-team", "owning-team"}

var (
	displayIDPattern = regexp.MustCompile(`^(?i)P-\d+$`)
	problemIDPattern = regexp.MustCompile(`^-?\d+_\d+V2$`)
)

// Problems returns the open and recent problems of the target, its neighbours and the hosts
// it runs on (by entitySelector, one request per entity type, concurrently, within [Since,
// Until]), or every open problem for a zero target.
func (s *Source) Problems(ctx context.Context, t model.Target) ([]model.Problem, error) {
	base := url.Values{"fields": {problemFields}, "pageSize": {s.pageSize(100)}, "sort": {"-startTime"}}
	if t.Name == "" {
		base.Set("problemSelector", criterion("status", "open"))
		return s.listProblems(ctx, base)
	}
	setWindow(base, t)
	groups := byType(entityIDs(s.Name(), t, true))
	found, cuts := make([][]model.Problem, len(groups)), make([]error, len(groups))
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError()
	for i, group := range groups {
		q := maps.Clone(base)
		q.Set("entitySelector", criterion("entityId", group...))
		p.Go(func(ctx context.Context) error {
			ps, err := s.listProblems(ctx, q)
			if connectors.IsIncomplete(err) {
				cuts[i], err = err, nil
			}
			found[i] = ps
			return err
		})
	}
	if err := p.Wait(); err != nil {
		return nil, err
	}
	var out []model.Problem
	for _, ps := range found {
		for _, p := range ps {
			if !slices.ContainsFunc(out, func(x model.Problem) bool { return x.ID == p.ID }) {
				out = append(out, p)
			}
		}
	}
	return out, connectors.JoinIncomplete(cuts...)
}

// listProblems reads the problems of q; a listing cut at MaxPages returns them with its
// *connectors.Incomplete.
func (s *Source) listProblems(ctx context.Context, q url.Values) ([]model.Problem, error) {
	ps, err := list[problem](ctx, s, problemsPath, q, "fields")
	if err != nil && !connectors.IsIncomplete(err) {
		return nil, err
	}
	out := make([]model.Problem, 0, len(ps))
	for _, p := range ps {
		out = append(out, s.problem(p))
	}
	return out, err
}

// setWindow sets from/to (epoch ms) from the target's window.
func setWindow(q url.Values, t model.Target) {
	if !t.Since.IsZero() {
		q.Set("from", fmt.Sprint(t.Since.UnixMilli()))
	}
	if !t.Until.IsZero() {
		q.Set("to", fmt.Sprint(t.Until.UnixMilli()))
	}
}

// FindIncident resolves a problem id or display id (P-…) to the services it impacts (the
// one to answer for first, see subjects) and its root cause, kept apart. Other references
// are not Dynatrace's: ErrNotFound without a request.
func (s *Source) FindIncident(ctx context.Context, ref string) (connectors.IncidentRef, error) {
	ref = strings.TrimSpace(ref)
	var p problem
	switch {
	case displayIDPattern.MatchString(ref):
		q := url.Values{
			"problemSelector": {criterion("displayId", strings.ToUpper(ref))},
			"fields":          {problemFields},
			"from":            {fmt.Sprintf("now-%dh", int(s.o.LookbackForIDs.Hours()))},
		}
		ps, err := list[problem](ctx, s, problemsPath, q, "fields")
		if err != nil && !connectors.IsIncomplete(err) { // a display id is unique: the first page has it
			return connectors.IncidentRef{}, err
		}
		if len(ps) == 0 {
			return connectors.IncidentRef{}, connectors.ErrNotFound
		}
		p = ps[0]
	case problemIDPattern.MatchString(ref):
		_, err := s.o.Client.GetJSON(ctx, s.api(problemsPath+"/"+url.PathEscape(ref)), url.Values{"fields": {problemFields}}, &p)
		if st := httpx.StatusOf(err); st == 404 || st == 400 {
			return connectors.IncidentRef{}, connectors.ErrNotFound
		}
		if err != nil {
			return connectors.IncidentRef{}, s.wrap(err)
		}
	default:
		return connectors.IncidentRef{}, connectors.ErrNotFound
	}
	if p.ProblemID == "" {
		return connectors.IncidentRef{}, connectors.ErrNotFound
	}
	mp := s.problem(p)
	ir := connectors.IncidentRef{ID: mp.ID, Title: mp.Title, Kind: connectors.KindProblem, StartedAt: mp.StartedAt,
		Source: SourceName, URL: mp.URL, Roles: map[string]string{}}
	if mp.DisplayID != "" {
		ir.ID = mp.DisplayID
	}
	for _, c := range subjects(p) {
		for _, v := range []string{c.e.EntityID.ID, c.e.Name} {
			if v != "" && !slices.Contains(ir.Services, v) {
				ir.Services = append(ir.Services, v)
				ir.Roles[v] = c.role
			}
		}
	}
	for _, v := range []string{mp.RootCause, mp.RootCauseName} {
		if v != "" {
			ir.RootCause = append(ir.RootCause, v)
		}
	}
	return ir, nil
}

// subject is an entity a problem impacts or affects, as a candidate for the service it is
// about.
type subject struct {
	e                              entityStub
	users                          int64
	affected, service, named, root bool
	role                           string
}

// subjects orders what a problem touches for the question "which service is this about":
// impacted entities before merely affected ones, services and applications before other
// entity types, the one the title names, then the one with the most affected users; the
// root cause last (it is the cause: the subject only when nothing else is touched).
func subjects(p problem) []subject {
	rc := ""
	if p.RootCauseEntity != nil {
		rc = p.RootCauseEntity.EntityID.ID
	}
	users := map[string]int64{}
	impacted := slices.Clone(p.ImpactedEntities)
	if p.ImpactAnalysis != nil {
		for _, i := range p.ImpactAnalysis.Impacts {
			users[i.ImpactedEntity.EntityID.ID] += i.EstimatedAffectedUsers
			impacted = append(impacted, i.ImpactedEntity)
		}
	}
	title := strings.ToLower(p.Title)
	var out []subject
	add := func(e entityStub, affected bool) {
		id := e.EntityID.ID
		if id == "" || slices.ContainsFunc(out, func(c subject) bool { return c.e.EntityID.ID == id }) {
			return
		}
		name := strings.ToLower(e.Name)
		out = append(out, subject{e: e, users: users[id], affected: affected, root: id == rc, service: isService(e.EntityID),
			named: len(name) >= 3 && strings.Contains(title, name)})
	}
	for _, e := range impacted {
		add(e, false)
	}
	for _, e := range p.AffectedEntities {
		if e.EntityID.ID != rc { // the root cause is always affected: it is named apart
			add(e, true)
		}
	}
	slices.SortStableFunc(out, func(a, b subject) int {
		for _, k := range [][2]bool{{!a.root, !b.root}, {!a.affected, !b.affected}, {a.service, b.service}, {a.named, b.named}} {
			if k[0] != k[1] {
				return boolOrder(k[0], k[1])
			}
		}
		return int(b.users - a.users)
	})
	counted := 0 // candidates with a count of affected users
	for _, c := range out {
		if c.users > 0 {
			counted++
		}
	}
	for i := range out {
		out[i].role = role(out[i], i == 0, counted)
	}
	return out
}

// role says how a problem concerns an entity, and for the first, why it comes first.
func role(c subject, first bool, counted int) string {
	what := "impacted"
	if c.affected {
		what = "affected"
	}
	if c.service {
		what += " service"
	} else {
		what += " entity"
	}
	switch {
	case c.root:
		return "root cause, also impacted"
	case c.named:
		return what + " named in the title"
	case c.users > 0 && first && counted > 1:
		return fmt.Sprintf("%s with the most affected users (%d)", what, c.users)
	case c.users > 0:
		return fmt.Sprintf("%s (%d affected users)", what, c.users)
	}
	return what
}

// isService reports the entity types that are services or applications.
func isService(r entityRef) bool {
	t := strings.ToUpper(r.Type)
	if t == "" {
		t, _, _ = strings.Cut(r.ID, "-")
	}
	return t == "SERVICE" || strings.HasSuffix(t, "APPLICATION")
}

// boolOrder sorts true before false.
func boolOrder(a, b bool) int {
	if a == b {
		return 0
	}
	if a {
		return -1
	}
	return 1
}

// severityLevels puts Dynatrace's problem severity levels on opsctx's scale: an
// availability problem is as bad as it gets, an error problem is high, performance and
// resource contention warn, custom alerts are low.
var severityLevels = map[string]model.Severity{
	"AVAILABILITY":           model.SeverityCritical,
	"ERROR":                  model.SeverityHigh,
	"PERFORMANCE":            model.SeverityWarning,
	"RESOURCE_CONTENTION":    model.SeverityWarning,
	"CUSTOM_ALERT":           model.SeverityLow,
	"MONITORING_UNAVAILABLE": model.SeverityUnknown,
	"INFO":                   model.SeverityInfo,
}

// problem maps a Dynatrace problem. Impacted lists the impacted entities, then the
// affected ones other than the root cause; the root cause falls back to the first
// root-cause-relevant evidence.
func (s *Source) problem(p problem) model.Problem {
	mp := model.Problem{
		ID: p.ProblemID, DisplayID: p.DisplayID, Title: p.Title, Severity: p.SeverityLevel,
		Level:  severityLevels[strings.ToUpper(p.SeverityLevel)],
		Impact: impactText(p), Status: strings.ToLower(p.Status), StartedAt: ms(p.StartTime),
		Source: SourceName, URL: s.ProblemURL(p.ProblemID),
	}
	if p.EndTime > 0 {
		mp.EndedAt = ms(p.EndTime)
	}
	for _, t := range p.EntityTags {
		if slices.Contains(ownerTagKeys, strings.ToLower(t.Key)) && t.Value != "" && !slices.Contains(mp.Owners, t.Value) {
			mp.Owners = append(mp.Owners, t.Value)
		}
	}
	for _, z := range p.ManagementZones {
		if z.Name != "" && !slices.Contains(mp.Zones, z.Name) {
			mp.Zones = append(mp.Zones, z.Name)
		}
	}
	if rc := p.RootCauseEntity; rc != nil && rc.EntityID.ID != "" {
		mp.RootCause, mp.RootCauseName = rc.EntityID.ID, rc.Name
	} else if p.EvidenceDetails != nil {
		for _, e := range p.EvidenceDetails.Details {
			if e.RootCauseRelevant && e.Entity.EntityID.ID != "" {
				mp.RootCause, mp.RootCauseName = e.Entity.EntityID.ID, e.Entity.Name
				break
			}
		}
	}
	add := func(e entityStub) {
		if id := e.EntityID.ID; id != "" && !slices.Contains(mp.Impacted, id) {
			mp.Impacted = append(mp.Impacted, id)
			mp.ImpactedNames = append(mp.ImpactedNames, e.Name)
		}
	}
	for _, e := range p.ImpactedEntities {
		add(e)
	}
	for _, e := range p.AffectedEntities {
		if e.EntityID.ID != mp.RootCause {
			add(e)
		}
	}
	return mp
}

// impactText is the estimated number of affected users when Dynatrace has one, else the
// impact level ("services impact").
func impactText(p problem) string {
	var users int64
	if p.ImpactAnalysis != nil {
		for _, i := range p.ImpactAnalysis.Impacts {
			users += i.EstimatedAffectedUsers
		}
	}
	if users > 0 {
		return fmt.Sprintf("about %d affected users", users)
	}
	if p.ImpactLevel == "" {
		return ""
	}
	return strings.ToLower(p.ImpactLevel) + " impact"
}

// ProblemURL links to a problem in the Dynatrace web UI.
func (s *Source) ProblemURL(problemID string) string {
	if s.o.EnvURL == "" || problemID == "" {
		return ""
	}
	return s.o.EnvURL + "/#problems/problemdetails;pid=" + problemID
}
