package fetch

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// TestEnvironmentSelects: a kind with an instance the environment names is asked only
// there; a kind it names none of is asked as usual.
func TestEnvironmentSelects(t *testing.T) {
	all := []string{"catalogfile", "pagerduty", "alertmanager/eu-west-1", "alertmanager/us-east-1", "prometheus/eu-west-1",
		"prometheus/us-east-1", "dynatrace/prod", "dynatrace/preprod"}
	tests := []struct {
		env  Environment
		want []string
	}{
		{nil, all},
		{Environment{"eu-west-1"}, []string{"catalogfile", "pagerduty", "alertmanager/eu-west-1", "prometheus/eu-west-1", "dynatrace/prod", "dynatrace/preprod"}},
		{Environment{"alertmanager/us-east-1"}, []string{"catalogfile", "pagerduty", "alertmanager/us-east-1", "prometheus/eu-west-1", "prometheus/us-east-1", "dynatrace/prod", "dynatrace/preprod"}},
		{ParseEnvironment("prod, us-east-1"), []string{"catalogfile", "pagerduty", "alertmanager/us-east-1", "prometheus/us-east-1", "dynatrace/prod"}},
		{Environment{"pagerduty"}, all},
	}
	for _, tc := range tests {
		var got []string
		for _, s := range all {
			if tc.env.Selects(s, all) {
				got = append(got, s)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v selects %v, want %v", tc.env, got, tc.want)
		}
	}
	if u := (Environment{"eu-west-1", "eu-west-9", "dynatrace/test"}).Unknown(all); !slices.Equal(u, []string{"eu-west-9", "dynatrace/test"}) {
		t.Errorf("unknown %v", u)
	}
}

// TestRoundWithinEnvironment: only the selected instances are asked; the others are in the
// statuses as skipped, saying why; catalogs are read from every instance.
func TestRoundWithinEnvironment(t *testing.T) {
	mk := func(name string) *fake.Memory {
		return &fake.Memory{SourceName: name, AlertList: []model.Alert{{ID: name}}, Cat: model.Catalog{Services: []model.Service{{ID: name, Name: "x"}}}}
	}
	eu, us := mk("alertmanager/eu"), mk("alertmanager/us")
	f := New(Options{Sources: []connectors.Source{eu, us}, Cache: cache.New(cache.Options{}), Grace: time.Minute})
	r := f.Begin()
	r.Within(Environment{"eu"})
	facts := r.Gather(context.Background(), model.Target{}, Window{}, Alerts)
	if len(facts.Alerts) != 1 || facts.Alerts[0].ID != "alertmanager/eu" {
		t.Errorf("alerts %+v", facts.Alerts)
	}
	var got []string
	for _, s := range r.Statuses() {
		got = append(got, fmt.Sprintf("%s %s %s", s.Name, s.Status, s.Error))
	}
	if want := []string{"alertmanager/eu ok ", "alertmanager/us skipped not in environment eu"}; !slices.Equal(got, want) {
		t.Errorf("statuses\n got %s\nwant %s", got, want)
	}
	if cats := r.Catalogs(context.Background()); len(cats) != 2 {
		t.Errorf("catalogs narrowed: %d", len(cats))
	}
}
