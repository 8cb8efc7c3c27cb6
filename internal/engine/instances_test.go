package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// TestIncidentNumberInTwoAccounts: an incident number both accounts use is ambiguous (not
// the first account's by chance); the environment settles it; a name that matches no
// instance is an error that lists them.
func TestIncidentNumberInTwoAccounts(t *testing.T) {
	started := time.Now().Add(-20 * time.Minute)
	account := func(name, svc, title string) *fake.Memory {
		return &fake.Memory{SourceName: name, Cat: model.Catalog{Services: []model.Service{{ID: svc, Name: "Checkout API"}}},
			Found: &connectors.IncidentRef{ID: "4711", Title: title, StartedAt: started, Services: []string{svc}}}
	}
	cat := shopCatalog()
	cat.Services[0].Annotations = map[string]string{model.InstancesAnnotation: "pagerduty/us"}
	e := newEngine(time.Second, &fake.Memory{SourceName: "catalogfile", Cat: cat},
		account("pagerduty/eu", "PEU1", "Payments slow"), account("pagerduty/us", "PCHK", "Checkout down"))
	_, err := e.IncidentContext(context.Background(), engine.Query{Incident: "4711"})
	var le *engine.LookupError
	if !errors.As(err, &le) || !le.Ambiguous || !strings.Contains(err.Error(), `pagerduty/eu:4711 (pagerduty/eu incident "Payments slow"`) ||
		!strings.Contains(err.Error(), `pagerduty/us:4711 (team-checkout; pagerduty/us incident "Checkout down" on checkout)`) ||
		!strings.Contains(err.Error(), "environment") {
		t.Fatalf("err = %v, want an ambiguity naming both accounts", err)
	}
	ctx, err := e.Narrow(context.Background(), []string{"us"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.IncidentContext(ctx, engine.Query{Incident: "4711"})
	if err != nil || a.Service.Name != "checkout" {
		t.Fatalf("with environment us: %v %+v", err, a)
	}
	if _, err := e.Narrow(context.Background(), []string{"emea"}); err == nil || !strings.Contains(err.Error(), `unknown environment "emea"`) ||
		!strings.Contains(err.Error(), `"eu"`) {
		t.Errorf("unknown environment: %v", err)
	}
}
