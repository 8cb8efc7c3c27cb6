package model

import (
	"testing"
	"time"
)

func TestMatcherMatches(t *testing.T) {
	labels := map[string]string{"alertname": "CartLatencyHigh", "service": "cart", "severity": "warning"}
	cases := []struct {
		m    Matcher
		want bool
	}{
		{Matcher{Name: "service", Value: "cart"}, true},
		{Matcher{Name: "service", Value: "car"}, false},
		{Matcher{Name: "service", Value: "car", Regex: true}, false}, // anchored, as Alertmanager's
		{Matcher{Name: "service", Value: "ca.t|orders", Regex: true}, true},
		{Matcher{Name: "service", Value: "cart", Negative: true}, false},
		{Matcher{Name: "team", Value: ""}, true}, // a missing label is empty
		{Matcher{Name: "team", Value: ".+", Regex: true, Negative: true}, true},
		{Matcher{Name: "service", Value: "(", Regex: true}, false}, // invalid regex matches nothing
	}
	for _, c := range cases {
		if got := c.m.Matches(labels); got != c.want {
			t.Errorf("%s%s%q: %v, want %v", c.m.Name, c.m.Op(), c.m.Value, got, c.want)
		}
	}
	m := Mute{Matchers: []Matcher{{Name: "service", Value: "cart"}, {Name: "severity", Value: "critical"}}}
	if m.Covers(labels) || (Mute{}).Covers(labels) {
		t.Error("a silence covers an alert only when every matcher matches")
	}
}

func TestActiveAtAndCoversAt(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m := Mute{StartsAt: t0, EndsAt: t0.Add(time.Hour)}
	o := OnCall{Start: t0, Until: t0.Add(time.Hour)}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{t0.Add(-time.Second), false}, {t0, true}, {t0.Add(59 * time.Minute), true}, {t0.Add(time.Hour), false}} {
		if m.ActiveAt(c.at) != c.want || o.CoversAt(c.at) != c.want {
			t.Errorf("at %s: mute %v shift %v, want %v", c.at, m.ActiveAt(c.at), o.CoversAt(c.at), c.want)
		}
	}
	if !(Mute{StartsAt: t0}).ActiveAt(t0.Add(1000*time.Hour)) || !(OnCall{}).CoversAt(t0) {
		t.Error("a zero end never ends; a zero start began before anyone asked")
	}
}
