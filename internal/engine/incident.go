package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
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

// forIncident resolves the service an incident reference is about: the first of its
// services the catalogs know (the impacted one, not the root cause), with the others it
// touches and its root cause listed; the root cause itself only when none of its services
// is known, and then said so.
func forIncident(d *directory.Directory, r *fetch.Round, input string, inc *connectors.IncidentRef) (*directory.Entity, *answer.ResolvedFrom, error) {
	what := fmt.Sprintf("%s %s %s", inc.Source, cmp.Or(inc.Kind, "incident"), inc.ID)
	from := &answer.ResolvedFrom{Input: input, Kind: refKind(inc.Kind)}
	var ent *directory.Entity
	var unknown []string
	for _, s := range inc.Services {
		e := d.EntityForRecord(inc.Source, s)
		switch {
		case e == nil:
			unknown = append(unknown, s)
		case ent == nil:
			ent = e
			from.Via = what + ": its " + cmp.Or(inc.Roles[s], "service")
			from.Matched = recordText(e, inc.Source, s)
		case e != ent && !hasOther(from, e.Name):
			from.Others = append(from.Others, answer.Other{Service: e.Name, Role: cmp.Or(inc.Roles[s], "also concerned"), OwnerTeam: e.Owner()})
		}
	}
	var root *directory.Entity
	for _, s := range inc.RootCause {
		if root = d.EntityForRecord(inc.Source, s); root != nil {
			break
		}
	}
	switch {
	case ent == nil && root != nil:
		ent = root
		from.Via = what + ": its root cause"
		if len(unknown) > 0 {
			from.Via += fmt.Sprintf(" (what it impacts, %s, is in no catalog)", sanitize.Short(strings.Join(unknown, ", ")))
		}
		from.Matched = recordText(root, inc.Source, inc.RootCause[0])
	case ent == nil:
		name := cmp.Or(first(inc.Services), inc.ID)
		var sugg []string
		for _, c := range d.Lookup(name) {
			sugg = append(sugg, c.Entity.Name)
		}
		return nil, nil, &LookupError{Query: name, What: "service", Sources: r.Asked(), Suggestions: sugg}
	case root != nil && root != ent:
		from.Others = append([]answer.Other{{Service: root.Name, Role: "root cause", OwnerTeam: root.Owner()}},
			removeOther(from.Others, root.Name)...)
	}
	from.Matched = sanitize.Short(from.Matched)
	return ent, from, nil
}

// refKind is the entry kind of a reference of kind k (connectors.Kind*): an incident
// unless the source says it is a problem, an alert or a change.
func refKind(k string) answer.EntryKind {
	switch k {
	case connectors.KindProblem:
		return answer.FromProblem
	case connectors.KindAlert:
		return answer.FromAlert
	case connectors.KindChange:
		return answer.FromChange
	}
	return answer.FromIncident
}

// recordText names e's record from source for resolved_from.matched: its name and id, or
// what the source called it when the entity has no record there (it matched by reference).
func recordText(e *directory.Entity, source, called string) string {
	for _, r := range e.Records {
		if r.Source == source {
			if r.ID != "" && r.ID != r.Name {
				return source + " " + r.Name + " (" + r.ID + ")"
			}
			return source + " " + r.Name
		}
	}
	return source + " " + called
}

func hasOther(r *answer.ResolvedFrom, name string) bool {
	return slices.ContainsFunc(r.Others, func(o answer.Other) bool { return o.Service == name })
}

func removeOther(os []answer.Other, name string) []answer.Other {
	var out []answer.Other
	for _, o := range os {
		if o.Service != name {
			out = append(out, o)
		}
	}
	return out
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}
