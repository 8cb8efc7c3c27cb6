package demo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/engine"
)

func TestBackstageInTheJoinedAnswer(t *testing.T) {
	t0 := time.Now().UTC().Truncate(time.Second)
	env, e := snStartDemo(t, t0)
	if len(env.Config.Sources.Backstage) == 0 || env.Config.Sources.Backstage[0].Token.Value() == "" {
		t.Fatal("demo config has no authenticated Backstage source")
	}
	a, err := e.IncidentContext(context.Background(), engine.Query{Service: "checkout"})
	if err != nil {
		t.Fatal(err)
	}
	snSourceOK(t, a, "backstage")
	if !slices.ContainsFunc(a.Owners, func(o answer.Owner) bool { return o.Team == "team-checkout" && from(o.Source, "backstage") }) {
		t.Errorf("owners %+v lack team-checkout from backstage", a.Owners)
	}
	if a.Service.OwnerTeam != "team-checkout" {
		t.Errorf("owner_team = %q, want the catalog's team-checkout", a.Service.OwnerTeam)
	}

	tests := []struct {
		query, want string
		sources     []string // sources whose records resolved to the candidate
	}{
		{"checkout", demo.Checkout, []string{"catalogfile", "backstage", "servicenow"}},
		{demo.SNCheckout, demo.Checkout, []string{"servicenow", "backstage"}},
		{demo.SNOrdersDB, demo.OrdersDB, []string{"servicenow", "backstage"}},
		{"payments-api", "payments-api", []string{"backstage"}},
	}
	for _, tt := range tests {
		res, err := e.FindService(context.Background(), engine.Service(tt.query))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Candidates) == 0 || res.Candidates[0].Name != tt.want {
			t.Errorf("find_service %q = %+v, want %s", tt.query, res.Candidates, tt.want)
			continue
		}
		for _, src := range tt.sources {
			if !slices.ContainsFunc(res.Candidates[0].Records, func(m directory.Match) bool { return m.Source == src }) {
				t.Errorf("find_service %q: records %+v lack %s", tt.query, res.Candidates[0].Records, src)
			}
		}
	}
}
