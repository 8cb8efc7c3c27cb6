package shifts

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func h(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }

func TestTimeline(t *testing.T) {
	tl := Timeline{Start: h(-12), End: h(36), Periods: []Period{
		{Start: h(-12), End: h(0.5), Who: "sam"},
		{Start: h(-12), End: h(36), Who: "mei"}, // cut by the window: end unknown
		{Start: h(0.5), End: h(2), Who: "lena", Override: true},
		{Start: h(2), End: h(36), Who: "kofi"},
		{Start: h(20), End: h(30), Who: "sam"},
	}}
	for who, want := range map[string]time.Time{"sam": h(0.5), "mei": {}, "kofi": {}} {
		if got := tl.Until(who, t0); !got.Equal(want) {
			t.Errorf("%s until %s, want %s", who, got, want)
		}
	}
	up := tl.Upcoming(t0, h(12))
	if len(up) != 2 || up[0].Who != "lena" || !up[0].Override || !up[0].End.Equal(h(2)) || up[1].Who != "kofi" || !up[1].End.IsZero() {
		t.Errorf("upcoming within 12 h: %+v", up)
	}
	if up := tl.Upcoming(t0, h(0.25)); len(up) != 0 {
		t.Errorf("upcoming within 15 min: %+v", up)
	}
	if !tl.Reaches(h(12)) || tl.Reaches(h(40)) || (Timeline{}).Reaches(h(1)) {
		t.Error("reaches")
	}
	for _, c := range []struct {
		ahead time.Time
		days  int
	}{{h(0), MinDays}, {h(36), MinDays}, {h(24 * 20), 21}, {h(24*20 + 12), 22}} {
		if got := Days(t0, c.ahead); got != c.days {
			t.Errorf("days to %s: %d, want %d", c.ahead, got, c.days)
		}
	}
}
