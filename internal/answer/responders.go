package answer

import (
	"cmp"
	"sort"
	"strconv"
	"time"

	"github.com/opsctx/opsctx/internal/escalation"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// responderEntries flattens on-call and escalation from every source. The same person on
// call at the same level in several sources is one entry naming every source. Escalation
// levels are timed from the start of the source's own open incident on the service when it
// has one (an incident, or an alert for alert-driven tools like Opsgenie), else from start
// (the trouble's start); with neither, they carry no time.
func responderEntries(rs []model.Sourced[model.Responders], f model.Facts, start, now time.Time) ([]OnCallEntry, []EscalationEntry) {
	oncall := []OnCallEntry{}
	idx := map[string]int{}
	for _, r := range rs {
		for _, o := range r.Value.OnCall {
			key := personKey(o.Name) + "|" + strconv.Itoa(o.Level) // names are the people directory's (see Prepare)
			if i, ok := idx[key]; ok {
				e := &oncall[i]
				e.Sources = appendUnique(e.Sources, r.Source)
				e.Email = cmp.Or(e.Email, o.Email)
				e.Schedule = cmp.Or(e.Schedule, sanitize.Short(o.Schedule))
				if e.Until.IsZero() {
					e.Until = o.Until.UTC()
				}
				continue
			}
			idx[key] = len(oncall)
			oncall = append(oncall, OnCallEntry{Name: sanitize.Short(o.Name), Email: o.Email, Level: o.Level,
				Until: o.Until.UTC(), Schedule: sanitize.Short(o.Schedule), Source: r.Source, Sources: []string{r.Source}})
		}
	}
	sort.SliceStable(oncall, func(i, j int) bool { return oncall[i].Level < oncall[j].Level })

	esc := []EscalationEntry{}
	for _, r := range rs {
		from := sourceStart(r.Source, f, start)
		p := escalation.Policy{Steps: r.Value.Escalation, Loops: r.Value.Loops, CycleMinutes: r.Value.CycleMinutes}
		if from.IsZero() {
			p.Loops = 0 // without an incident, one pass describes the policy
		}
		for _, l := range escalation.Staff(escalation.Timeline(p, from, now), r.Value.OnCall) {
			e := EscalationEntry{Level: l.Level, AfterMinutes: l.AfterMinutes, Source: r.Source, Targets: []string{}}
			for _, t := range l.Who() {
				e.Targets = append(e.Targets, sanitize.Short(t))
			}
			if !from.IsZero() {
				e.FiresAt = l.FiresAt.UTC()
			}
			esc = append(esc, e)
		}
	}
	return oncall, esc
}

// sourceStart is when the source's own earliest open incident began (or, without incidents,
// its earliest open alert), else the fallback.
func sourceStart(source string, f model.Facts, fallback time.Time) time.Time {
	var t time.Time
	earliest := func(s string, at time.Time) {
		if s == source && !at.IsZero() && (t.IsZero() || at.Before(t)) {
			t = at
		}
	}
	for _, i := range f.Incidents {
		if i.Status != model.IncidentResolved {
			earliest(i.Source, i.StartedAt)
		}
	}
	if t.IsZero() {
		for _, a := range f.Alerts {
			earliest(a.Source, a.StartedAt)
		}
	}
	if t.IsZero() {
		return fallback
	}
	return t
}
