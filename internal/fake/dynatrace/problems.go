package dynatrace

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// problemFields are the optional parts of a problem that fields= may add.
var problemFields = []string{"evidenceDetails", "impactAnalysis", "recentComments"}

// parseFields parses fields=a,+b into a set, answering 400 for unknown names.
func parseFields(w http.ResponseWriter, v string, known []string, prefixes ...string) (map[string]bool, bool) {
	set := map[string]bool{}
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimPrefix(strings.TrimSpace(f), "+")
		if f == "" {
			continue
		}
		okName := slices.Contains(known, f)
		for _, p := range prefixes {
			okName = okName || strings.HasPrefix(f, p)
		}
		if !okName {
			badParam(w, "fields", "unknown field %q", f)
			return nil, false
		}
		set[f] = true
	}
	return set, true
}

func (s *Server) problems(w http.ResponseWriter, r *http.Request) {
	q, offset, size, ok := s.pageRequest(w, r, problemsLimits)
	if !ok {
		return
	}
	fields, ok := parseFields(w, q.Get("fields"), problemFields)
	if !ok {
		return
	}
	from, to, ok := s.window(w, q, 2*time.Hour)
	if !ok {
		return
	}
	match, ok := problemMatcher(w, q)
	if !ok {
		return
	}
	var items []any
	ps := slices.Clone(s.snapshot().Problems)
	if sortBy := q.Get("sort"); strings.Contains(sortBy, "startTime") {
		desc := strings.Contains(sortBy, "-startTime")
		slices.SortStableFunc(ps, func(a, b Problem) int {
			if desc {
				a, b = b, a
			}
			return cmp.Compare(a.StartTime, b.StartTime)
		})
	}
	for _, p := range ps {
		if overlaps(p.StartTime, p.EndTime, from, to) && match(p) {
			items = append(items, renderProblem(p, fields))
		}
	}
	writeJSON(w, http.StatusOK, s.envelope(problemsLimits, q, "problems", items, offset, size))
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request) {
	fields, ok := parseFields(w, r.URL.Query().Get("fields"), problemFields)
	if !ok {
		return
	}
	id := r.PathValue("problemId")
	for _, p := range s.snapshot().Problems {
		if p.ProblemID == id {
			writeJSON(w, http.StatusOK, renderProblem(p, fields))
			return
		}
	}
	writeError(w, http.StatusNotFound, "The requested problem "+id+" could not be found.")
}

// renderProblem drops the parts that were not requested and fills required arrays.
func renderProblem(p Problem, fields map[string]bool) Problem {
	if !fields["evidenceDetails"] {
		p.EvidenceDetails = nil
	} else if p.EvidenceDetails == nil {
		p.EvidenceDetails = &EvidenceDetails{Details: []Evidence{}}
	}
	if !fields["impactAnalysis"] {
		p.ImpactAnalysis = nil
	} else if p.ImpactAnalysis == nil {
		p.ImpactAnalysis = &ImpactAnalysis{Impacts: []Impact{}}
	}
	p.AffectedEntities = nonNil(p.AffectedEntities)
	p.ImpactedEntities = nonNil(p.ImpactedEntities)
	p.ManagementZones = nonNil(p.ManagementZones)
	p.ProblemFilters = nonNil(p.ProblemFilters)
	if p.EndTime == 0 {
		p.EndTime = -1
	}
	return p
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// problemMatcher builds the filter for problemSelector and entitySelector.
func problemMatcher(w http.ResponseWriter, q url.Values) (func(Problem) bool, bool) {
	var preds []func(Problem) bool
	crits, err := parseSelector(q.Get("problemSelector"))
	if err != nil {
		badParam(w, "problemSelector", "%v", err)
		return nil, false
	}
	for _, c := range crits {
		vals := c.values
		var p func(Problem) bool
		switch c.name {
		case "status":
			p = func(x Problem) bool { return anyFold([]string{x.Status}, vals) }
		case "severityLevel":
			p = func(x Problem) bool { return anyFold([]string{x.SeverityLevel}, vals) }
		case "impactLevel":
			p = func(x Problem) bool { return anyFold([]string{x.ImpactLevel}, vals) }
		case "problemId":
			p = func(x Problem) bool { return anyIn([]string{x.ProblemID}, vals) }
		case "displayId":
			p = func(x Problem) bool { return anyIn([]string{x.DisplayID}, vals) }
		case "rootCauseEntity":
			p = func(x Problem) bool {
				return x.RootCauseEntity != nil && anyIn([]string{x.RootCauseEntity.EntityID.ID}, vals)
			}
		case "impactedEntities":
			p = func(x Problem) bool { return anyIn(ids(x.ImpactedEntities), vals) }
		case "affectedEntities":
			p = func(x Problem) bool { return anyIn(ids(x.AffectedEntities), vals) }
		case "managementZones":
			p = func(x Problem) bool { return anyIn(zoneField(x.ManagementZones, false), vals) }
		case "managementZoneIds":
			p = func(x Problem) bool { return anyIn(zoneField(x.ManagementZones, true), vals) }
		default:
			badParam(w, "problemSelector", "unknown criterion %q", c.name)
			return nil, false
		}
		preds = append(preds, p)
	}
	es, ok := entityMatcher(w, "entitySelector", q.Get("entitySelector"), false)
	if !ok {
		return nil, false
	}
	if es != nil {
		preds = append(preds, func(x Problem) bool {
			refs := append(append([]EntityStub{}, x.ImpactedEntities...), x.AffectedEntities...)
			if x.RootCauseEntity != nil {
				refs = append(refs, *x.RootCauseEntity)
			}
			for _, r := range refs {
				if es(Entity{EntityID: r.EntityID.ID, Type: r.EntityID.Type, DisplayName: r.Name}) {
					return true
				}
			}
			return false
		})
	}
	return func(x Problem) bool {
		for _, p := range preds {
			if !p(x) {
				return false
			}
		}
		return true
	}, true
}

func ids(ss []EntityStub) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.EntityID.ID
	}
	return out
}

func zoneField(zs []ManagementZone, id bool) []string {
	var out []string
	for _, z := range zs {
		if id {
			out = append(out, z.ID)
		} else {
			out = append(out, z.Name)
		}
	}
	return out
}
