// Package escalation computes escalation timing from a policy and an incident's start:
// who is paged at each level, when each level fires, which level is active now and when
// the next escalation happens. Everything here is a pure function of its arguments.
package escalation

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// MaxLevels bounds a timeline, whatever the number of loops.
const MaxLevels = 100

// Rule is one escalation rule as a vendor states it: its targets and the minutes before an
// unresolved incident escalates away from it (PagerDuty escalation_delay_in_minutes).
type Rule struct {
	Targets      []string
	DelayMinutes int
}

// Policy is an escalation policy in cumulative terms.
type Policy struct {
	// Steps are the levels; AfterMinutes is cumulative from the incident start.
	Steps []model.EscalationStep
	// Loops is how many times the policy repeats after its last level (PagerDuty num_loops).
	Loops int
	// CycleMinutes is the length of one pass: the minutes from the start until the first
	// repeat begins. Loops are ignored when it is not positive.
	CycleMinutes int
}

// FromRules converts per-rule delays into cumulative steps: level 1 fires at the start and
// level n after the delays of rules 1..n-1. One pass lasts the sum of every rule's delay.
// Negative delays count as zero.
func FromRules(rules []Rule, loops int, source string) Policy {
	p := Policy{Loops: max(loops, 0)}
	at := 0
	for i, r := range rules {
		p.Steps = append(p.Steps, model.EscalationStep{Level: i + 1, AfterMinutes: at,
			Targets: append([]string(nil), r.Targets...), Source: source})
		at += max(r.DelayMinutes, 0)
	}
	p.CycleMinutes = at
	return p
}

// Level is one firing of an escalation level for an incident.
type Level struct {
	Level int
	// Loop is 0 on the first pass through the policy and n on its n-th repeat.
	Loop int
	// AfterMinutes is cumulative from the incident start.
	AfterMinutes int
	FiresAt      time.Time
	Targets      []string
	// Paged are the people on call at this level, when Staff knew them.
	Paged []string
	// Unstaffed is set by Staff when on-call data is known but no one is on call at this level.
	Unstaffed bool
	// Fired reports whether FiresAt is not after the time given to Timeline.
	Fired bool
	// Condition is what keeps the level's rule going (see model.Condition).
	Condition model.Condition
	Source    string
}

// Timeline lists every firing of the policy's levels for an incident that started at start,
// in firing order (ties by level), repeating the policy Loops times, at most MaxLevels.
// Fired is set on levels that fire at or before now.
func Timeline(p Policy, start, now time.Time) []Level {
	steps := append([]model.EscalationStep(nil), p.Steps...)
	sort.SliceStable(steps, func(i, j int) bool {
		if steps[i].AfterMinutes != steps[j].AfterMinutes {
			return steps[i].AfterMinutes < steps[j].AfterMinutes
		}
		return steps[i].Level < steps[j].Level
	})
	loops := p.Loops
	if p.CycleMinutes <= 0 || loops < 0 {
		loops = 0
	}
	var out []Level
	for loop := 0; loop <= loops; loop++ {
		for _, s := range steps {
			if len(out) == MaxLevels {
				return out
			}
			after := max(s.AfterMinutes, 0) + loop*p.CycleMinutes
			at := start.Add(time.Duration(after) * time.Minute)
			out = append(out, Level{Level: s.Level, Loop: loop, AfterMinutes: after, FiresAt: at,
				Targets: append([]string(nil), s.Targets...), Fired: !at.After(now), Condition: s.Condition, Source: s.Source})
		}
	}
	return out
}

// Active returns the level paged most recently: the last fired level of the timeline.
func Active(levels []Level) (Level, bool) {
	for i := len(levels) - 1; i >= 0; i-- {
		if levels[i].Fired {
			return levels[i], true
		}
	}
	return Level{}, false
}

// Next returns the next level to fire: the first level of the timeline that has not fired.
func Next(levels []Level) (Level, bool) {
	for _, l := range levels {
		if !l.Fired {
			return l, true
		}
	}
	return Level{}, false
}

// In returns how long until l fires, from now (negative once it has fired).
func (l Level) In(now time.Time) time.Duration { return l.FiresAt.Sub(now) }

// Staff fills in who is paged at each level from the on-call entries (matched by level).
// With no on-call data at all, levels are left as they are; otherwise a level with nobody
// on call is marked Unstaffed.
func Staff(levels []Level, oncall []model.OnCall) []Level {
	out := make([]Level, len(levels))
	copy(out, levels)
	if len(oncall) == 0 {
		return out
	}
	for i := range out {
		var names []string
		for _, o := range oncall {
			if o.Level == out[i].Level && o.Name != "" && !contains(names, o.Name) {
				names = append(names, o.Name)
			}
		}
		out[i].Paged = names
		out[i].Unstaffed = len(names) == 0
	}
	return out
}

// StaffAt fills in who is paged at each level from the shifts at that level that hold when
// it fires. Shifts describe [from, to]: a level firing in that period that no shift holds is
// marked Unstaffed; one firing outside it that no shift holds is left as it is (unknown).
// With no shifts at all, levels are left as they are.
func StaffAt(levels []Level, shifts []model.OnCall, from, to time.Time) []Level {
	out := make([]Level, len(levels))
	copy(out, levels)
	if len(shifts) == 0 {
		return out
	}
	for i := range out {
		var names []string
		for _, s := range shifts {
			if s.Level == out[i].Level && s.Name != "" && s.CoversAt(out[i].FiresAt) && !contains(names, s.Name) {
				names = append(names, s.Name)
			}
		}
		out[i].Paged = names
		out[i].Unstaffed = len(names) == 0 && !out[i].FiresAt.Before(from) && !out[i].FiresAt.After(to)
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Who returns the people paged at the level when known, else its targets.
func (l Level) Who() []string {
	if len(l.Paged) > 0 {
		return l.Paged
	}
	return l.Targets
}

// String describes the level, e.g. "30 min unresolved → level 2: Lena Fischer".
func (l Level) String() string {
	var b strings.Builder
	if l.AfterMinutes == 0 {
		b.WriteString("at start")
	} else {
		fmt.Fprintf(&b, "%d min unresolved", l.AfterMinutes)
	}
	fmt.Fprintf(&b, " → level %d", l.Level)
	if l.Loop > 0 {
		fmt.Fprintf(&b, " (repeat %d)", l.Loop)
	}
	if who := l.Who(); len(who) > 0 {
		b.WriteString(": " + strings.Join(who, ", "))
	}
	if l.Unstaffed {
		b.WriteString(" (no one on call)")
	}
	return b.String()
}
