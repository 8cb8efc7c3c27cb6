package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/blast"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/directory/hosts"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// hostMatch is one service a host reference leads to, with how.
type hostMatch struct {
	ent    *directory.Entity
	via    string // "runs on host db-prod-01 (servicenow Runs on::Runs)"
	source string // the source that placed it there
}

// hostMatches resolves a host reference to the services that run there: a host name, FQDN
// or address, a host record's id (a CI sys_id, a Dynatrace HOST-… id) through the directory's
// host index and runs-on edges, or a Kubernetes workload ("namespace/id" or "id") through the
// catalogs' backstage.io/kubernetes-id annotations and Dynatrace namespaces. named are the
// hosts it named (for the error when nothing runs there).
func hostMatches(d *directory.Directory, input string) (ms []hostMatch, named []*hosts.Host) {
	add := func(e *directory.Entity, via, source string) {
		if e == nil || slices.ContainsFunc(ms, func(m hostMatch) bool { return m.ent == e }) {
			return
		}
		ms = append(ms, hostMatch{ent: e, via: via, source: source})
	}
	// namespace/workload: one slash, no scheme or port (a URL is a host's).
	ns, workload, isWorkload := strings.Cut(input, "/")
	isWorkload = isWorkload && ns != "" && workload != "" && !strings.ContainsAny(input, ":@") && !strings.Contains(workload, "/")
	if !isWorkload {
		named = d.LookupHost(input)
		for _, h := range named {
			for _, name := range d.RunsHere(h) {
				via, src := placement(d, name, h)
				add(d.Entity(name), via, src)
			}
		}
	}
	for _, w := range d.LookupWorkload(input) {
		via := "annotation backstage.io/kubernetes-id " + w.ID
		if w.Namespace != "" {
			via += " in namespace " + w.Namespace
		}
		add(w.Entity, via+" ("+w.Source+")", w.Source)
	}
	if isWorkload && len(ms) == 0 {
		// A Dynatrace namespace: the services running in it whose name is the workload's.
		for _, h := range d.LookupHost(ns) {
			if h.Kind != model.HostKindNamespace {
				continue
			}
			for _, name := range d.RunsHere(h) {
				if e := d.Entity(name); e != nil && entityCalled(e, workload) {
					via, src := placement(d, name, h)
					add(e, via, src)
				}
			}
		}
	}
	return ms, named
}

// placement says how the service runs on h ("runs on host db-prod-01 (servicenow Runs
// on::Runs)", or through a node of a cluster) and the source that states it.
func placement(d *directory.Directory, service string, h *hosts.Host) (string, string) {
	for _, p := range d.RunsOn(service) {
		if p.Host != h {
			continue
		}
		via := strings.Join(p.Sources, ", ") + " " + strings.Join(p.Via, ", ")
		if p.Through != "" {
			return fmt.Sprintf("runs on %s %s through %s (%s)", h.Kind, h.Name, p.Through, via), p.Sources[0]
		}
		return fmt.Sprintf("runs on %s %s (%s)", h.Kind, h.Name, via), p.Sources[0]
	}
	return fmt.Sprintf("runs on %s %s", h.Kind, h.Name), h.Records[0].Source
}

// entityCalled reports whether one of e's records is called name (its name or id).
func entityCalled(e *directory.Entity, name string) bool {
	if strings.EqualFold(e.Name, name) {
		return true
	}
	return slices.ContainsFunc(e.Records, func(r model.Service) bool {
		return strings.EqualFold(r.Name, name) || strings.EqualFold(r.ID, name)
	})
}

// forHost resolves a host reference to one service: the only one running there, else the
// one in trouble (judged from what is open on each, read in one round trip), listing the others with their
// owners and health; when none or several are in trouble, it picks none and lists them.
func (e *Engine) forHost(q *question, input string) (*directory.Entity, *answer.ResolvedFrom, error) {
	ms, named := hostMatches(q.d, input)
	if len(ms) == 0 { // no catalog knows it: what the open alerts' labels say runs there
		ms = alertedHere(q.d, q.r.Gather(q.ctx, model.Target{Until: e.o.Now()}, fetch.Window{}, fetch.Alerts).Alerts, input)
	}
	if len(ms) == 0 {
		hint := "No source places a service on this host and no open alert names it in a label: give a host name, FQDN, IP address, Dynatrace HOST-… id or Kubernetes namespace/workload a CMDB, Dynatrace, a catalog's backstage.io/kubernetes-id or an alert's labels know, or the service name."
		if len(named) > 0 {
			var names []string
			for _, h := range named {
				names = append(names, fmt.Sprintf("%s %s (%s)", h.Kind, h.Name, strings.Join(hostSources(h), ", ")))
			}
			hint = fmt.Sprintf("It is %s, but no source states a service running on it. Give the service name.", strings.Join(names, "; "))
		}
		return nil, nil, &LookupError{Query: input, What: "host", Sources: q.r.Asked(), Hint: hint, Unconfigured: unconfigured(q.r)}
	}
	from := &answer.ResolvedFrom{Input: input, Kind: answer.FromHost}
	pick := 0
	if len(ms) > 1 {
		var names []string
		for _, m := range ms {
			names = append(names, m.ent.Name)
		}
		health := blast.HealthOf(q.d, q.r.Gather(q.ctx, candidates(ms, e.o.Now()), fetch.Window{}, open...), names)
		pick = inTrouble(ms, health)
		if pick < 0 {
			var cands []Candidate
			for _, m := range ms {
				cands = append(cands, Candidate{Name: m.ent.Name, OwnerTeam: m.ent.Owner(), Health: string(health[m.ent.Name]), Evidence: m.via})
			}
			return nil, nil, &LookupError{Query: input, What: "host", Candidates: cands, Sources: q.r.Statuses(),
				Hint: "None of them is in trouble alone (health from the open problems, alerts and incidents)."}
		}
		for i, m := range ms {
			if i != pick {
				from.Others = append(from.Others, answer.Other{Service: m.ent.Name, Role: "also runs here", OwnerTeam: m.ent.Owner(), Health: health[m.ent.Name]})
			}
		}
		ms[pick].via += fmt.Sprintf("; the one in trouble (%s) of the %d services there", health[ms[pick].ent.Name], len(ms))
	}
	m := ms[pick]
	from.Via, from.Matched = sanitize.Short(m.via), sanitize.Short(recordText(m.ent, m.source, m.ent.Name))
	return m.ent, from, nil
}

// candidates is one target for every service on the host (the first, the others related),
// so that what is open on each is read in one round trip, filtered by the sources.
func candidates(ms []hostMatch, now time.Time) model.Target {
	t := model.Target{Name: ms[0].ent.Name, Records: ms[0].ent.Records, Until: now}
	for _, m := range ms[1:] {
		t.Related = append(t.Related, model.Target{Name: m.ent.Name, Records: m.ent.Records, Until: now})
	}
	return t
}

// inTrouble is the index of the one match whose health is worst when that is failing or
// degraded and no other match shares it; -1 otherwise.
func inTrouble(ms []hostMatch, health map[string]answer.Health) int {
	rank := map[answer.Health]int{answer.HealthFailing: 2, answer.HealthDegraded: 1}
	best, at, tied := 0, -1, false
	for i, m := range ms {
		switch r := rank[health[m.ent.Name]]; {
		case r > best:
			best, at, tied = r, i, false
		case r == best && r > 0:
			tied = true
		}
	}
	if tied {
		return -1
	}
	return at
}

// hostSources names the sources that know h.
func hostSources(h *hosts.Host) []string {
	var out []string
	for _, r := range h.Records {
		if !slices.Contains(out, r.Source) {
			out = append(out, r.Source)
		}
	}
	return out
}
