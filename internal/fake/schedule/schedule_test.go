package schedule

import (
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC) // a Wednesday

func h(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

func TestFinalCutsOverridesIn(t *testing.T) {
	shifts := []Shift{
		{Rotation: "primary", Start: h(-8), End: h(4), Who: "sam"},
		{Rotation: "primary", Start: h(4), End: h(16), Who: "kofi"},
		{Rotation: "primary", Start: h(2), End: h(6), Who: "lena", Override: true},
		{Rotation: "secondary", Start: h(-8), End: h(16), Who: "mei"},
	}
	var got []string
	for _, s := range Final(shifts) {
		got = append(got, s.Rotation+" "+s.Who+" "+s.Start.Sub(t0).String()+".."+s.End.Sub(t0).String())
	}
	want := []string{"primary sam -8h0m0s..2h0m0s", "secondary mei -8h0m0s..16h0m0s", "primary lena 2h0m0s..6h0m0s", "primary kofi 6h0m0s..16h0m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("final %q, want %q", got, want)
	}
	for _, c := range []struct {
		at  time.Time
		who []string
	}{{h(0), []string{"sam", "mei"}}, {h(3), []string{"mei", "lena"}}, {h(7), []string{"mei", "kofi"}}, {h(20), nil}} {
		if got := At(shifts, c.at); !slices.Equal(got, c.who) {
			t.Errorf("at %s: %v, want %v", c.at, got, c.who)
		}
	}
}

func TestWindowAndClip(t *testing.T) {
	for _, c := range []struct {
		n        int
		unit     string
		from, to string
	}{
		{2, "days", "2026-03-04", "2026-03-06"},
		{1, "weeks", "2026-03-02", "2026-03-09"},
		{1, "", "2026-03-02", "2026-03-09"},
		{1, "months", "2026-03-01", "2026-04-01"},
	} {
		from, to, err := Window(t0, c.n, c.unit)
		if err != nil || from.Format(time.DateOnly) != c.from || to.Format(time.DateOnly) != c.to {
			t.Errorf("%d %s: %s..%s %v", c.n, c.unit, from, to, err)
		}
	}
	if _, _, err := Window(t0, 1, "hours"); err == nil {
		t.Error("hours: want an error")
	}
	got := Clip([]Shift{{Start: h(-30), End: h(1)}, {Start: h(20), End: h(40)}, {Start: h(50), End: h(60)}}, h(-12), h(36))
	if len(got) != 2 || !got[0].Start.Equal(h(-12)) || !got[0].End.Equal(h(1)) || !got[1].End.Equal(h(36)) {
		t.Errorf("clip %+v", got)
	}
}
