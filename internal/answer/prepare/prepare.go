// Package prepare is the one normalisation step every answer starts from: each fact put on
// the canonical service it is about, and every person named one way across sources (the
// people directory). It is pure and knows no result type.
package prepare

import (
	"cmp"
	"slices"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// Facts is the one normalisation step every answer starts from: it puts each fact on the
// canonical service it is about, so that the rules after it compare like with like. self is
// the service the question is about ("" for questions about everything).
func Facts(d *directory.Directory, f model.Facts, self string) model.Facts {
	f.Alerts = attributeAlerts(d, f, self)
	ppl := NewPeople(d, f.Responders)
	for i, a := range f.Alerts {
		f.Alerts[i].Acks = namedAcks(a.Acks, ppl)
	}
	incs := make([]model.Incident, len(f.Incidents))
	for i, x := range f.Incidents {
		x.Service = d.Canonical(x.Source, x.Service)
		x.Assignees = Mapped(x.Assignees, ppl.Name)
		x.Acks = namedAcks(x.Acks, ppl)
		incs[i] = x
	}
	f.Incidents = incs
	chgs := make([]model.Change, len(f.Changes))
	for i, c := range f.Changes {
		c.Author = ppl.Name(c.Author)
		chgs[i] = c
	}
	f.Changes = chgs
	f.Responders = peopleOnCall(f.Responders, ppl)
	return f
}

// peopleOnCall names everyone on call and every escalation target the people directory's
// way, so one person is one entry and one name across sources.
func peopleOnCall(rs []model.Sourced[model.Responders], ppl People) []model.Sourced[model.Responders] {
	out := make([]model.Sourced[model.Responders], len(rs))
	for i, r := range rs {
		v := r.Value
		oc := make([]model.OnCall, len(v.OnCall))
		for j, o := range v.OnCall {
			o.Name = ppl.Name(cmp.Or(o.Name, o.Email))
			oc[j] = o
		}
		up := make([]model.OnCall, len(v.Upcoming))
		for j, o := range v.Upcoming {
			o.Name = ppl.Name(cmp.Or(o.Name, o.Email))
			up[j] = o
		}
		esc := make([]model.EscalationStep, len(v.Escalation))
		for j, e := range v.Escalation {
			e.Targets = Mapped(e.Targets, ppl.Name)
			esc[j] = e
		}
		v.OnCall, v.Upcoming, v.Escalation = oc, up, esc
		r.Value = v
		out[i] = r
	}
	return out
}

// namedAcks names who acknowledged the people directory's way, in a new slice.
func namedAcks(as []model.Ack, ppl People) []model.Ack {
	if as == nil {
		return nil
	}
	out := make([]model.Ack, len(as))
	for i, a := range as {
		out[i] = model.Ack{By: ppl.Name(a.By), At: a.At}
	}
	return out
}

// Mapped applies f to each of xs, in a new slice.
func Mapped(xs []string, f func(string) string) []string {
	if xs == nil {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// Own keeps the alerts and incidents of prepared facts that are about self (an incident
// that names no service was found for self), for what is timed from the service's own
// trouble: a neighbour's incident must not start this service's escalation clock.
func Own(f model.Facts, self string) model.Facts {
	f.Alerts = slices.DeleteFunc(slices.Clone(f.Alerts), func(a model.Alert) bool { return directory.Fold(a.Service) != directory.Fold(self) })
	f.Incidents = slices.DeleteFunc(slices.Clone(f.Incidents), func(i model.Incident) bool {
		return i.Service != "" && directory.Fold(i.Service) != directory.Fold(self)
	})
	return f
}

// attributeAlerts puts each open alert on its canonical service. An alert whose host label
// names a host self runs on, and that names no known service, is the host's (a node
// exporter's alert; see the ground rule). An alert that names no service is attributed
// through the SLO it belongs to (SLO tools label their alerts with the SLO, not the
// service); one that names neither belongs to self, the service whose query found it, and
// is left out when the question is about everything.
func attributeAlerts(d *directory.Directory, f model.Facts, self string) []model.Alert {
	sloService := map[string]string{}
	for _, s := range f.SLOs {
		for _, x := range s.Value {
			sloService[directory.Fold(x.Name)] = d.Canonical(s.Source, x.Service)
		}
	}
	out := make([]model.Alert, 0, len(f.Alerts))
	for _, a := range f.Alerts {
		if !a.Status.Open() {
			continue
		}
		switch h := groundHost(d, self, a); {
		case h != "" && (a.Service == "" || d.EntityForRecord(a.Source, a.Service) == nil):
			a.Service = h
		case a.Service != "":
			a.Service = d.Canonical(a.Source, a.Service)
		case a.SLO != "":
			// An SLO tool's alert is about its SLO's service; without that SLO in the
			// facts, nothing says which service it is about.
			a.Service = sloService[directory.Fold(a.SLO)]
		default:
			a.Service = self
		}
		if a.Service == "" {
			continue
		}
		out = append(out, a)
	}
	return slices.Clip(out)
}
