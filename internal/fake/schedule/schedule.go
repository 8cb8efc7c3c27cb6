// Package schedule is the on-call arithmetic the Opsgenie and JSM Operations fakes share, as
// those APIs document it: a schedule's rotations hand shifts from person to person, overrides
// win over the rotation for their period, the final timeline is the rotations with the
// overrides cut in, and a timeline request covers whole days, weeks (from Monday) or months
// from the date it names.
package schedule

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Shift is one period of a rotation: Who (a user id or name) is on call from Start to End.
// An override wins over the rotation's shifts for its period.
type Shift struct {
	Rotation   string
	Start, End time.Time
	Who        string
	Override   bool
}

// Holds reports whether the shift holds t.
func (s Shift) Holds(t time.Time) bool { return !t.Before(s.Start) && t.Before(s.End) }

// Final is the final timeline: the rotations' shifts with every override's period cut out of
// the shifts of its rotation, plus the overrides, ordered by start.
func Final(shifts []Shift) []Shift {
	var overrides, out []Shift
	for _, s := range shifts {
		if s.Override {
			overrides = append(overrides, s)
		}
	}
	for _, s := range shifts {
		if s.Override {
			out = append(out, s)
			continue
		}
		parts := []Shift{s}
		for _, o := range overrides {
			if o.Rotation != s.Rotation {
				continue
			}
			var next []Shift
			for _, p := range parts {
				if !o.Start.Before(p.End) || !o.End.After(p.Start) {
					next = append(next, p)
					continue
				}
				if p.Start.Before(o.Start) {
					q := p
					q.End = o.Start
					next = append(next, q)
				}
				if o.End.Before(p.End) {
					q := p
					q.Start = o.End
					next = append(next, q)
				}
			}
			parts = next
		}
		out = append(out, parts...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// At returns who is on call at t in the final timeline, once each, in timeline order.
func At(shifts []Shift, t time.Time) []string {
	var out []string
	for _, s := range Final(shifts) {
		if s.Holds(t) && !slices.Contains(out, s.Who) {
			out = append(out, s.Who)
		}
	}
	return out
}

// Window is the period a timeline request covers: n days from the start of at's day, n weeks
// from the Monday of at's week, or n months from the first of at's month (UTC).
func Window(at time.Time, n int, unit string) (from, to time.Time, err error) {
	at = at.UTC()
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	switch unit {
	case "days":
		return day, day.AddDate(0, 0, n), nil
	case "", "weeks":
		from = day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		return from, from.AddDate(0, 0, 7*n), nil
	case "months":
		from = time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(0, n, 0), nil
	}
	return time.Time{}, time.Time{}, fmt.Errorf("intervalUnit must be one of: days, weeks, months")
}

// Clip keeps the parts of shifts inside [from, to).
func Clip(shifts []Shift, from, to time.Time) []Shift {
	var out []Shift
	for _, s := range shifts {
		if !s.End.After(from) || !s.Start.Before(to) {
			continue
		}
		if s.Start.Before(from) {
			s.Start = from
		}
		if s.End.After(to) {
			s.End = to
		}
		out = append(out, s)
	}
	return out
}
