package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/engine/incidentref"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// oneIncident picks the incident a reference names from what the finders found: the same
// alert seen by two sources (the same key, as in a move from Opsgenie to JSM Operations) is
// one; different ones (#4711 in PagerDuty and in Opsgenie, or in the EU and the US account)
// are an ambiguity, answered with the qualified references that tell them apart — never a
// guess.
func oneIncident(d *directory.Directory, r *fetch.Round, ref string, hits []connectors.IncidentRef) (*connectors.IncidentRef, error) {
	var distinct []connectors.IncidentRef
	for _, h := range hits {
		if !slices.ContainsFunc(distinct, func(o connectors.IncidentRef) bool { return sameIncident(o, h) }) {
			distinct = append(distinct, h)
		}
	}
	switch len(distinct) {
	case 0:
		return nil, &LookupError{Query: ref, What: "incident", Sources: r.Asked(), Unconfigured: unconfigured(r)}
	case 1:
		return &distinct[0], nil
	}
	bare := strings.TrimPrefix(strings.TrimSpace(ref), "#")
	if q, rest, ok := strings.Cut(bare, ":"); ok && slices.ContainsFunc(distinct, func(h connectors.IncidentRef) bool {
		return strings.EqualFold(q, h.Source) || strings.EqualFold(q, model.SourceKind(h.Source))
	}) {
		bare = rest
	}
	var cands []Candidate
	for _, h := range distinct {
		c := Candidate{Name: h.Source + ":" + bare,
			Evidence: fmt.Sprintf("%s %s %q", h.Source, cmp.Or(h.Kind, "incident"), sanitize.Short(h.Title))}
		for _, s := range h.Services {
			if e := d.EntityForRecord(h.Source, s); e != nil {
				c.Evidence += " on " + e.Name
				c.OwnerTeam = e.Owner()
				break
			}
		}
		cands = append(cands, c)
	}
	hint := "Or prefix the source yourself (pagerduty:4711)."
	if model.SourceKind(distinct[0].Source) == model.SourceKind(distinct[1].Source) {
		hint = "Or set environment to the instance you mean."
	}
	return nil, &LookupError{Query: ref, What: "incident", Ambiguous: true, Candidates: cands, Sources: r.Asked(), Hint: hint}
}

// sameIncident reports whether two lookups found the same alert or incident: the same
// deduplication key (an alert routed to two systems, or to two accounts). The same number in
// two accounts is not: accounts number their incidents apart.
func sameIncident(a, b connectors.IncidentRef) bool {
	return a.Key != "" && strings.EqualFold(a.Key, b.Key)
}

// forIncident resolves the service an incident reference is about (incidentref.Resolve), or
// says which service it names that no catalog knows, with the names nearest to it.
func forIncident(d *directory.Directory, r *fetch.Round, input string, inc *connectors.IncidentRef) (*directory.Entity, *answer.ResolvedFrom, error) {
	if ent, from := incidentref.Resolve(d, input, inc); ent != nil {
		return ent, from, nil
	}
	name := inc.ID
	if len(inc.Services) > 0 {
		name = inc.Services[0]
	}
	var sugg []string
	for _, c := range d.Lookup(name) {
		sugg = append(sugg, c.Entity.Name)
	}
	return nil, nil, &LookupError{Query: name, What: "service", Sources: r.Asked(), Suggestions: sugg}
}
