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
	"github.com/opsctx/opsctx/internal/engine/hostref"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// forHost resolves a host reference to one service: the only one running there, else the
// one in trouble (judged from what is open on each, read in one round trip), listing the others with their
// owners and health; when none or several are in trouble, it picks none and lists them.
func (e *Engine) forHost(q *question, input string) (*directory.Entity, *answer.ResolvedFrom, error) {
	ms, named := hostref.Lookup(q.d, input)
	if len(ms) == 0 { // no catalog knows it: what the open alerts' labels say runs there
		ms = hostref.Alerted(q.d, q.r.Gather(q.ctx, model.Target{Until: e.o.Now()}, fetch.Window{}, fetch.Alerts).Alerts, input)
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
			names = append(names, m.Entity.Name)
		}
		health := blast.HealthOf(q.d, q.r.Gather(q.ctx, candidates(ms, e.o.Now()), fetch.Window{}, open...), names)
		pick = inTrouble(ms, health)
		if pick < 0 {
			var cands []Candidate
			for _, m := range ms {
				cands = append(cands, Candidate{Name: m.Entity.Name, OwnerTeam: m.Entity.Owner(), Health: string(health[m.Entity.Name]), Evidence: m.Via})
			}
			return nil, nil, &LookupError{Query: input, What: "host", Candidates: cands, Sources: q.r.Statuses(),
				Hint: "None of them is in trouble alone (health from the open problems, alerts and incidents)."}
		}
		for i, m := range ms {
			if i != pick {
				from.Others = append(from.Others, answer.Other{Service: m.Entity.Name, Role: "also runs here", OwnerTeam: m.Entity.Owner(), Health: health[m.Entity.Name]})
			}
		}
		ms[pick].Via += fmt.Sprintf("; the one in trouble (%s) of the %d services there", health[ms[pick].Entity.Name], len(ms))
	}
	m := ms[pick]
	from.Via, from.Matched = sanitize.Short(m.Via), sanitize.Short(m.Entity.RecordText(m.Source, m.Entity.Name))
	return m.Entity, from, nil
}

// candidates is one target for every service on the host (the first, the others related),
// so that what is open on each is read in one round trip, filtered by the sources.
func candidates(ms []hostref.Match, now time.Time) model.Target {
	t := model.Target{Name: ms[0].Entity.Name, Records: ms[0].Entity.Records, Until: now}
	for _, m := range ms[1:] {
		t.Related = append(t.Related, model.Target{Name: m.Entity.Name, Records: m.Entity.Records, Until: now})
	}
	return t
}

// inTrouble is the index of the one match whose health is worst when that is failing or
// degraded and no other match shares it; -1 otherwise.
func inTrouble(ms []hostref.Match, health map[string]answer.Health) int {
	rank := map[answer.Health]int{answer.HealthFailing: 2, answer.HealthDegraded: 1}
	best, at, tied := 0, -1, false
	for i, m := range ms {
		switch r := rank[health[m.Entity.Name]]; {
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
