package escalation

import (
	"reflect"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func mins(n int) time.Duration { return time.Duration(n) * time.Minute }

// checkout is the demo policy: Sam (30 min) → Lena (30 min) → Checkout managers (30 min).
var checkout = []Rule{
	{Targets: []string{"Sam Okafor"}, DelayMinutes: 30},
	{Targets: []string{"Lena Fischer"}, DelayMinutes: 30},
	{Targets: []string{"Checkout managers"}, DelayMinutes: 30},
}

func TestFromRules(t *testing.T) {
	tests := []struct {
		name      string
		rules     []Rule
		loops     int
		wantAfter []int
		wantCycle int
		wantLoops int
	}{
		{"per-rule delays become cumulative", checkout, 0, []int{0, 30, 60}, 90, 0},
		{"zero delays", []Rule{{DelayMinutes: 0}, {DelayMinutes: 0}, {DelayMinutes: 5}}, 1, []int{0, 0, 0}, 5, 1},
		{"negative delay counts as zero", []Rule{{DelayMinutes: -3}, {DelayMinutes: 10}}, 0, []int{0, 0}, 10, 0},
		{"negative loops", []Rule{{DelayMinutes: 10}}, -2, []int{0}, 10, 0},
		{"no rules", nil, 3, nil, 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := FromRules(tt.rules, tt.loops, "pagerduty")
			var after []int
			for i, s := range p.Steps {
				after = append(after, s.AfterMinutes)
				if s.Level != i+1 || s.Source != "pagerduty" {
					t.Errorf("step %d = %+v, want level %d from pagerduty", i, s, i+1)
				}
			}
			if !reflect.DeepEqual(after, tt.wantAfter) || p.CycleMinutes != tt.wantCycle || p.Loops != tt.wantLoops {
				t.Errorf("after %v cycle %d loops %d, want %v %d %d", after, p.CycleMinutes, p.Loops, tt.wantAfter, tt.wantCycle, tt.wantLoops)
			}
		})
	}
}

func TestTimeline(t *testing.T) {
	type want struct {
		level, loop, after int
		fired              bool
	}
	tests := []struct {
		name   string
		policy Policy
		now    time.Time
		want   []want
		active string // String() of the active level ("" = none)
		next   string // String() of the next level ("" = none)
		nextIn time.Duration
	}{
		{
			name:   "demo: 20 min in, L2 in 10 min",
			policy: FromRules(checkout, 0, "pagerduty"),
			now:    t0.Add(mins(20)),
			want:   []want{{1, 0, 0, true}, {2, 0, 30, false}, {3, 0, 60, false}},
			active: "at start → level 1: Sam Okafor",
			next:   "30 min unresolved → level 2: Lena Fischer",
			nextIn: mins(10),
		},
		{
			name:   "level fires exactly now",
			policy: FromRules(checkout, 0, "pagerduty"),
			now:    t0.Add(mins(30)),
			want:   []want{{1, 0, 0, true}, {2, 0, 30, true}, {3, 0, 60, false}},
			active: "30 min unresolved → level 2: Lena Fischer",
			next:   "60 min unresolved → level 3: Checkout managers",
			nextIn: mins(30),
		},
		{
			name:   "before the start nothing has fired",
			policy: FromRules(checkout[:1], 0, "pagerduty"),
			now:    t0.Add(-mins(1)),
			want:   []want{{1, 0, 0, false}},
			next:   "at start → level 1: Sam Okafor",
			nextIn: mins(1),
		},
		{
			name:   "policy exhausted: no next level",
			policy: FromRules(checkout, 0, "pagerduty"),
			now:    t0.Add(mins(200)),
			want:   []want{{1, 0, 0, true}, {2, 0, 30, true}, {3, 0, 60, true}},
			active: "60 min unresolved → level 3: Checkout managers",
		},
		{
			name:   "num_loops repeats the policy after a full cycle",
			policy: FromRules(checkout[:2], 2, "pagerduty"),
			now:    t0.Add(mins(70)),
			want:   []want{{1, 0, 0, true}, {2, 0, 30, true}, {1, 1, 60, true}, {2, 1, 90, false}, {1, 2, 120, false}, {2, 2, 150, false}},
			active: "60 min unresolved → level 1 (repeat 1): Sam Okafor",
			next:   "90 min unresolved → level 2 (repeat 1): Lena Fischer",
			nextIn: mins(20),
		},
		{
			name:   "zero delays: every level fires at the start, loops collapse",
			policy: FromRules([]Rule{{Targets: []string{"a"}}, {Targets: []string{"b"}}}, 3, "opsgenie"),
			now:    t0,
			want:   []want{{1, 0, 0, true}, {2, 0, 0, true}},
			active: "at start → level 2: b",
		},
		{
			name: "unsorted cumulative steps (Opsgenie delays) are ordered by time, then level",
			policy: Policy{Steps: []model.EscalationStep{
				{Level: 2, AfterMinutes: 30, Targets: []string{"lena"}},
				{Level: 1, AfterMinutes: 0, Targets: []string{"checkout_schedule"}},
				{Level: 3, AfterMinutes: 30, Targets: []string{"managers"}},
			}, Loops: 1, CycleMinutes: 40},
			now:    t0.Add(mins(35)),
			want:   []want{{1, 0, 0, true}, {2, 0, 30, true}, {3, 0, 30, true}, {1, 1, 40, false}, {2, 1, 70, false}, {3, 1, 70, false}},
			active: "30 min unresolved → level 3: managers",
			next:   "40 min unresolved → level 1 (repeat 1): checkout_schedule",
			nextIn: mins(5),
		},
		{
			name:   "empty policy",
			policy: Policy{Loops: 2, CycleMinutes: 30},
			now:    t0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			levels := Timeline(tt.policy, t0, tt.now)
			var got []want
			for _, l := range levels {
				got = append(got, want{l.Level, l.Loop, l.AfterMinutes, l.Fired})
				if !l.FiresAt.Equal(t0.Add(mins(l.AfterMinutes))) {
					t.Errorf("level %d fires at %s, want start + %d min", l.Level, l.FiresAt, l.AfterMinutes)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("timeline\n got %v\nwant %v", got, tt.want)
			}
			a, ok := Active(levels)
			if (tt.active != "") != ok || ok && a.String() != tt.active {
				t.Errorf("Active = %q, %v; want %q", a.String(), ok, tt.active)
			}
			n, ok := Next(levels)
			if (tt.next != "") != ok || ok && (n.String() != tt.next || n.In(tt.now) != tt.nextIn) {
				t.Errorf("Next = %q in %s, %v; want %q in %s", n.String(), n.In(tt.now), ok, tt.next, tt.nextIn)
			}
		})
	}
}

func TestTimelineIsBounded(t *testing.T) {
	p := FromRules([]Rule{{DelayMinutes: 1}, {DelayMinutes: 1}, {DelayMinutes: 1}}, 1000, "x")
	if n := len(Timeline(p, t0, t0)); n != MaxLevels {
		t.Fatalf("%d levels, want %d", n, MaxLevels)
	}
}

func TestStaff(t *testing.T) {
	levels := Timeline(FromRules(checkout, 0, "pagerduty"), t0, t0.Add(mins(20)))
	tests := []struct {
		name   string
		oncall []model.OnCall
		want   []string // String() per level
	}{
		{
			name: "schedule with no one on call",
			oncall: []model.OnCall{
				{Name: "Sam Okafor", Level: 1}, {Name: "Lena Fischer", Level: 2}, {Name: "Sam Okafor", Level: 1},
			},
			want: []string{
				"at start → level 1: Sam Okafor",
				"30 min unresolved → level 2: Lena Fischer",
				"60 min unresolved → level 3: Checkout managers (no one on call)",
			},
		},
		{
			name:   "schedule resolved to the person on call",
			oncall: []model.OnCall{{Name: "Sam Okafor", Level: 1}, {Name: "Lena Fischer", Level: 2}, {Name: "Marco Rossi", Level: 3}},
			want: []string{
				"at start → level 1: Sam Okafor",
				"30 min unresolved → level 2: Lena Fischer",
				"60 min unresolved → level 3: Marco Rossi",
			},
		},
		{
			name: "no on-call data keeps the targets",
			want: []string{
				"at start → level 1: Sam Okafor",
				"30 min unresolved → level 2: Lena Fischer",
				"60 min unresolved → level 3: Checkout managers",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			staffed := Staff(levels, tt.oncall)
			var got []string
			for _, l := range staffed {
				got = append(got, l.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
			if levels[2].Unstaffed || levels[2].Paged != nil {
				t.Error("Staff modified its input")
			}
		})
	}
}

func TestMinutes(t *testing.T) {
	tests := []struct {
		amount int
		unit   string
		want   int
	}{{5, "", 5}, {5, "minutes", 5}, {2, "hours", 120}, {1, "days", 1440}, {150, "seconds", 2}, {9000, "miliseconds", 0}}
	for _, tt := range tests {
		if got := Minutes(tt.amount, tt.unit); got != tt.want {
			t.Errorf("Minutes(%d, %q) = %d, want %d", tt.amount, tt.unit, got, tt.want)
		}
	}
}

func TestStaffAt(t *testing.T) {
	sam := model.OnCall{Name: "Sam", Level: 1, Until: t0.Add(20 * time.Minute)}
	lena := model.OnCall{Name: "Lena", Level: 1, Start: t0.Add(20 * time.Minute), Until: t0.Add(8 * time.Hour)}
	mei := model.OnCall{Name: "Mei", Level: 2} // without end
	p := Policy{Steps: []model.EscalationStep{
		{Level: 1, AfterMinutes: 0, Targets: []string{"primary"}},
		{Level: 2, AfterMinutes: 10, Targets: []string{"secondary"}},
		{Level: 1, AfterMinutes: 30, Targets: []string{"primary"}},
		{Level: 3, AfterMinutes: 40, Targets: []string{"managers"}},
	}}
	cases := []struct {
		name      string
		shifts    []model.OnCall
		to        time.Time
		who       [][]string
		unstaffed []bool
	}{
		{"across a handover", []model.OnCall{sam, lena, mei}, t0.Add(12 * time.Hour),
			[][]string{{"Sam"}, {"Mei"}, {"Lena"}, {"managers"}}, []bool{false, false, false, true}},
		{"beyond what the shifts describe", []model.OnCall{sam, mei}, t0,
			[][]string{{"Sam"}, {"Mei"}, {"primary"}, {"managers"}}, []bool{false, false, false, false}},
		{"no shifts", nil, t0.Add(12 * time.Hour),
			[][]string{{"primary"}, {"secondary"}, {"primary"}, {"managers"}}, []bool{false, false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := StaffAt(Timeline(p, t0, t0), c.shifts, t0, c.to)
			for i, l := range got {
				if !reflect.DeepEqual(l.Who(), c.who[i]) || l.Unstaffed != c.unstaffed[i] {
					t.Errorf("level %d at +%d min: %v unstaffed=%v, want %v %v", l.Level, l.AfterMinutes, l.Who(), l.Unstaffed, c.who[i], c.unstaffed[i])
				}
			}
		})
	}
}
