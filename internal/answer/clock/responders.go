package clock

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/prepare"
	"github.com/opsctx/opsctx/internal/escalation"
	"github.com/opsctx/opsctx/internal/model"
)

// Responding is who responds to the service: on call now with each level's handover, the
// escalation path timed from the service's own pages, and what of that lies ahead.
type Responding struct {
	OnCall     []answer.OnCallEntry
	Escalation []answer.EscalationEntry
	// Next are the handovers, escalations and acknowledgement timeouts within the horizon.
	Next []answer.NextEntry
}

// Responders flattens on-call and escalation from every source. The same person on call at
// the same level in several sources is one entry naming every source; its handover is the
// first source's that knows one. Each source's escalation is timed from that source's own
// earliest open page on the service (an incident, or an alert for alert-driven tools like
// Opsgenie), never from a neighbour's: without one its levels carry no time. A level is
// staffed by whoever is on call when it fires, and does not fire once the page is
// acknowledged (unless its rule goes on until the page is closed).
func (c *Clock) Responders() Responding {
	var r Responding
	r.OnCall = c.onCall()
	for _, o := range r.OnCall {
		if h := o.Handover; h != nil {
			n := answer.NextEntry{At: h.At, Kind: answer.NextHandover, Subject: fmt.Sprintf("L%d %s to %s", o.Level, o.Name, h.To),
				What: fmt.Sprintf("L%d %s hands over to %s", o.Level, o.Name, h.To), Service: c.ent.Name, Source: h.Source}
			if h.To == "" {
				n.Subject, n.What = fmt.Sprintf("L%d %s off", o.Level, o.Name), fmt.Sprintf("L%d %s's shift ends; no one is scheduled after it", o.Level, o.Name)
			} else if h.Override {
				n.What += " (override)"
			}
			c.next(&r.Next, n)
		}
	}
	r.Escalation = []answer.EscalationEntry{}
	for _, src := range c.f.Responders {
		pg, ok := c.pages[src.Source]
		p := escalation.Policy{Steps: src.Value.Escalation, Loops: src.Value.Loops, CycleMinutes: src.Value.CycleMinutes}
		var levels []escalation.Level
		if !ok { // no page: one pass describes the policy, staffed by who is on call now
			p.Loops = 0
			levels = escalation.Staff(escalation.Timeline(p, time.Time{}, c.now), src.Value.OnCall)
		} else {
			known := c.now
			if src.Value.LooksAhead {
				known = c.ahead
			}
			levels = escalation.StaffAt(escalation.Timeline(p, pg.start, c.now),
				append(append([]model.OnCall(nil), src.Value.OnCall...), src.Value.Upcoming...), c.now, known)
		}
		for _, l := range levels {
			e := answer.EscalationEntry{Level: l.Level, AfterMinutes: l.AfterMinutes, Source: src.Source, Targets: []string{}}
			for _, t := range l.Who() {
				e.Targets = append(e.Targets, t)
			}
			if ok {
				e.State, e.FiresAt, e.TimedFrom = c.escalationState(l, pg), l.FiresAt.UTC(), pg.what
				e.Confirmed = e.State == answer.EscalationPaged && assigned(pg, e.Targets)
				switch e.State {
				case answer.EscalationHeld:
					e.FiresAt = time.Time{} // it will not fire: no time to state
				case answer.EscalationDue:
					who := fmt.Sprintf("L%d %s", e.Level, strings.Join(e.Targets, ", "))
					c.next(&r.Next, answer.NextEntry{At: e.FiresAt, Kind: answer.NextEscalation, Subject: who, Service: c.ent.Name, Source: src.Source,
						What: fmt.Sprintf("%s is paged unless %s is acknowledged", who, pg.what)})
				}
			}
			r.Escalation = append(r.Escalation, e)
		}
	}
	for _, src := range slices.Sorted(maps.Keys(c.pages)) {
		pg := c.pages[src]
		for _, a := range pg.scheduled {
			if a.Kind == model.ActionUnacknowledge {
				c.next(&r.Next, answer.NextEntry{At: a.At, Kind: answer.NextAckExpires, Subject: pg.what, Service: c.ent.Name, Source: pg.source,
					What: fmt.Sprintf("the acknowledgement of %s times out: it re-triggers and pages again", pg.what)})
			}
		}
	}
	return r
}

// assigned reports whether the source shows page pg assigned to one of targets: a level
// it paged, not only one the policy's timing says it paged.
func assigned(pg page, targets []string) bool {
	for _, a := range pg.assignees {
		if slices.ContainsFunc(targets, func(t string) bool { return prepare.PersonKey(t) == prepare.PersonKey(a) }) {
			return true
		}
	}
	return false
}

// escalationState is where level l stands for page pg: paged once it fired; held when an
// acknowledgement came before it would fire and its rule stops on acknowledgement; else due.
func (c *Clock) escalationState(l escalation.Level, pg page) answer.EscalationState {
	switch {
	case l.Fired:
		return answer.EscalationPaged
	case pg.acked() && l.Condition == model.IfNotAcked:
		return answer.EscalationHeld
	}
	return answer.EscalationDue
}

// onCall merges the shifts that hold now across sources, lowest level first, each with its
// handover when that falls within the horizon.
func (c *Clock) onCall() []answer.OnCallEntry {
	oncall := []answer.OnCallEntry{}
	idx := map[string]int{}
	for _, r := range c.f.Responders {
		for _, o := range r.Value.OnCall {
			key := prepare.PersonKey(o.Name) + "|" + strconv.Itoa(o.Level) // names are the people directory's (see prepare.Facts)
			if i, ok := idx[key]; ok {
				e := &oncall[i]
				e.Sources = answer.AppendUnique(e.Sources, r.Source)
				e.Email = cmp.Or(e.Email, o.Email)
				e.Schedule = cmp.Or(e.Schedule, o.Schedule)
				if e.Until.IsZero() {
					e.Until = o.Until.UTC()
				}
				takeHandover(e, c.handover(o, r))
				continue
			}
			idx[key] = len(oncall)
			e := answer.OnCallEntry{Name: o.Name, Email: o.Email, Level: o.Level, Until: o.Until.UTC(),
				Schedule: o.Schedule, Source: r.Source, Sources: []string{r.Source}}
			takeHandover(&e, c.handover(o, r))
			oncall = append(oncall, e)
		}
	}
	sort.SliceStable(oncall, func(i, j int) bool { return oncall[i].Level < oncall[j].Level })
	return oncall
}

// takeHandover gives e the handover h of one of its sources: the first source's that knows
// one, unless it names no successor and h does (a source whose schedule has a gap says no one
// is scheduled; another that pages the same level may have someone). The person's
// back-to-back shifts are one, so e is on call until the handover.
func takeHandover(e *answer.OnCallEntry, h *answer.Handover) {
	if h == nil || e.Handover != nil && (e.Handover.To != "" || h.To == "") {
		return
	}
	e.Handover, e.Until = h, h.At
}

// handover is who takes over shift o's level when it ends, if that is within the horizon:
// the source's upcoming shift at the level that holds the moment o ends (the person's own
// next shift continues theirs). When the source read shifts to the horizon and none follows,
// no one is scheduled; when it did not, the successor is unknown (nil).
func (c *Clock) handover(o model.OnCall, r model.Sourced[model.Responders]) *answer.Handover {
	end := o.Until
	for range 10 { // back-to-back shifts of the same person
		if end.IsZero() || end.After(c.ahead) {
			return nil
		}
		var next *model.OnCall
		for i, u := range r.Value.Upcoming {
			if u.Level == o.Level && u.CoversAt(end) && (next == nil || u.Override && !next.Override) {
				next = &r.Value.Upcoming[i]
			}
		}
		switch {
		case next == nil && !r.Value.LooksAhead:
			return nil
		case next == nil:
			return &answer.Handover{At: end.UTC(), Source: r.Source}
		case prepare.PersonKey(next.Name) != prepare.PersonKey(o.Name):
			return &answer.Handover{To: next.Name, Email: next.Email, At: end.UTC(), Until: next.Until.UTC(), Override: next.Override, Source: r.Source}
		}
		end = next.Until
	}
	return nil
}
