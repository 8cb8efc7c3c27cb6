// Package incidentref resolves an incident reference — what a source's IncidentFinder found
// for an incident, problem, alert or change id — to the service it is about, with how
// (resolved_from) and the other services it touches. It is pure: it reads the directory.
package incidentref

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// Resolve finds the service inc is about: the first of its services the catalogs know (the
// impacted one, not the root cause), with the others it touches and its root cause listed;
// the root cause itself only when none of its services is known, and then said so. The
// entity is nil when neither is known.
func Resolve(d *directory.Directory, input string, inc *connectors.IncidentRef) (*directory.Entity, *answer.ResolvedFrom) {
	what := fmt.Sprintf("%s %s %s", inc.Source, cmp.Or(inc.Kind, "incident"), inc.ID)
	from := &answer.ResolvedFrom{Input: input, Kind: Kind(inc.Kind)}
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
			from.Matched = e.RecordText(inc.Source, s)
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
		from.Matched = root.RecordText(inc.Source, inc.RootCause[0])
	case ent == nil:
		return nil, nil
	case root != nil && root != ent:
		from.Others = append([]answer.Other{{Service: root.Name, Role: "root cause", OwnerTeam: root.Owner()}},
			slices.DeleteFunc(from.Others, func(o answer.Other) bool { return o.Service == root.Name })...)
	}
	from.Matched = sanitize.Short(from.Matched)
	return ent, from
}

// Kind is the entry kind of a reference of kind k (connectors.Kind*): an incident unless the
// source says it is a problem, an alert or a change.
func Kind(k string) answer.EntryKind {
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

func hasOther(r *answer.ResolvedFrom, name string) bool {
	return slices.ContainsFunc(r.Others, func(o answer.Other) bool { return o.Service == name })
}
