// Package shifts reads a schedule's final timeline as on-call tools state it (Opsgenie and
// JSM Operations): who is on call now until when, and who takes over within a horizon.
package shifts

import (
	"sort"
	"time"
)

// Period is one shift of a final timeline: Who (the vendor's user id or username) is on call
// from Start to End; Override marks a schedule override.
type Period struct {
	Start, End time.Time
	Who        string
	Override   bool
}

// Timeline is a schedule's final timeline as read: its periods, which the vendor clips to the
// window [Start, End) the request asked for.
type Timeline struct {
	Start, End time.Time
	Periods    []Period
}

// Until is when who's shift holding now ends: the latest end among the periods that hold now
// and name them. A period that ends where the window ends may go on past it, so its end is
// not known (zero), nor is one the timeline does not show.
func (t Timeline) Until(who string, now time.Time) time.Time {
	var end time.Time
	for _, p := range t.Periods {
		if p.Who == who && !p.Start.After(now) && p.End.After(now) && p.End.After(end) {
			end = p.End
		}
	}
	if !end.IsZero() && !end.Before(t.End) {
		return time.Time{}
	}
	return end
}

// Upcoming are the periods that begin after now and not after ahead, soonest first, their
// end zero when the window cuts it.
func (t Timeline) Upcoming(now, ahead time.Time) []Period {
	var out []Period
	for _, p := range t.Periods {
		if p.Start.After(now) && !p.Start.After(ahead) {
			if !p.End.Before(t.End) {
				p.End = time.Time{}
			}
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// Reaches reports whether the timeline shows everything up to ahead.
func (t Timeline) Reaches(ahead time.Time) bool { return !t.End.IsZero() && !t.End.Before(ahead) }

// MinDays is the least a timeline request covers: two weeks show when most shifts holding
// now end, horizon or not.
const MinDays = 14

// Days is how many whole days a timeline request from the start of now's day (UTC) covers:
// enough to reach ahead, and at least MinDays.
func Days(now, ahead time.Time) int {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	n := int(ahead.Sub(day)/(24*time.Hour)) + 1
	return max(n, MinDays)
}
