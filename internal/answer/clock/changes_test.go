package clock_test

import (
	"strings"
	"testing"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/clock"
)

// TestBackoutDoubt: a doubt is raised only when the plan names the value the change set as
// a word of its own and never the value it replaced; it quotes both texts.
func TestBackoutDoubt(t *testing.T) {
	timeout := []answer.ChangeValues{{Source: "dynatrace", Event: "e1", Setting: "statement_timeout", Before: "5s", After: "30s"}}
	cases := []struct {
		name string
		plan string
		vs   []answer.ChangeValues
		want bool
	}{
		{"names the new value only", "ALTER SYSTEM SET statement_timeout = '30s'; SELECT pg_reload_conf();", timeout, true},
		{"case-insensitive", "set STATEMENT_TIMEOUT to 30S", timeout, true},
		{"names the old value", "ALTER SYSTEM SET statement_timeout = '5s';", timeout, false},
		{"names both", "revert from 30s back to 5s", timeout, false},
		{"part of a longer word is not the value", "set statement_timeout = 130s", timeout, false},
		{"a digit before is not the value", "timeout 230s", timeout, false},
		{"no plan", "", timeout, false},
		{"no values", "set 30s", nil, false},
		{"no old value", "set 30s", []answer.ChangeValues{{Source: "dynatrace", After: "30s"}}, false},
		{"same before and after", "set 30s", []answer.ChangeValues{{Source: "dynatrace", Before: "30s", After: "30s"}}, false},
		{"the second event raises it", "roll back to v2.14.0", []answer.ChangeValues{
			{Source: "pagerduty", Before: "a", After: "b"}, {Source: "dynatrace", Setting: "version", Before: "v2.13.4", After: "v2.14.0"}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := clock.BackoutDoubt(c.plan, c.vs)
			if (d != nil) != c.want {
				t.Fatalf("doubt %+v, want %v", d, c.want)
			}
			if d == nil {
				return
			}
			v := c.vs[len(c.vs)-1]
			if d.New != v.After || d.Old != v.Before || !strings.Contains(d.Text, "may restore the new value") ||
				!strings.Contains(d.Text, c.plan) || !strings.Contains(d.Text, v.Source+"'s event says "+v.Text()) {
				t.Errorf("doubt %+v", d)
			}
		})
	}
}
