package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/timeutil"
)

// snStartDemo starts the demo at t0 and builds the production engine on it.
func snStartDemo(t *testing.T, t0 time.Time) (*demo.Env, *engine.Engine) {
	t.Helper()
	env, err := demo.StartAt(context.Background(), t0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	return env, app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Now: func() time.Time { return t0 }})
}

// from reports whether an entry's source list ("servicenow" or "servicenow, pagerduty")
// names src: the join may merge identical entries from several sources.
func from(sources, src string) bool {
	for s := range strings.SplitSeq(sources, ",") {
		if strings.TrimSpace(s) == src {
			return true
		}
	}
	return false
}

func snSourceOK(t *testing.T, a *answer.IncidentContext, name string) {
	t.Helper()
	for _, s := range a.Sources {
		if s.Name == name {
			if s.Status != model.StateOK {
				t.Errorf("%s status = %s (%s), want ok", name, s.Status, s.Error)
			}
			return
		}
	}
	t.Errorf("source %s missing from %+v", name, a.Sources)
}

func TestServiceNowInTheJoinedAnswer(t *testing.T) {
	t0 := time.Now().UTC().Truncate(time.Second)
	sc := demo.Scenario{T0: t0}
	_, e := snStartDemo(t, t0)
	for _, q := range []engine.Query{{Service: "checkout"}, {Service: demo.SNCheckout}, {Incident: demo.SNIncident}} {
		t.Run(q.Service+q.Incident, func(t *testing.T) {
			a, err := e.IncidentContext(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			snSourceOK(t, a, "servicenow")
			if a.Service.Name != demo.Checkout {
				t.Fatalf("service = %q, want checkout", a.Service.Name)
			}
			if q.Incident != "" && a.Incident != demo.SNIncident {
				t.Errorf("incident = %q", a.Incident)
			}
			if !slices.ContainsFunc(a.Owners, func(o answer.Owner) bool { return o.Team == demo.SNSupportGrp && from(o.Source, "servicenow") }) {
				t.Errorf("owners %+v lack %q from servicenow", a.Owners, demo.SNSupportGrp)
			}
			i := slices.IndexFunc(a.Changes, func(c answer.ChangeEntry) bool { return c.ID == demo.SNChange })
			if i < 0 {
				t.Fatalf("changes %+v lack %s", a.Changes, demo.SNChange)
			}
			c := a.Changes[i]
			if !from(c.Source, "servicenow") || c.Service != demo.OrdersDB || c.Author != demo.Priya || c.Kind != "change_request" ||
				timeutil.RFC3339(c.At) != sc.At(demo.ChangeAt).Format(time.RFC3339) || !strings.Contains(c.Reason, "root-cause entity orders-db") {
				t.Errorf("change = %+v", c)
			}
			if slices.ContainsFunc(a.Changes, func(c answer.ChangeEntry) bool { return c.ID == "CHG0029950" }) {
				t.Errorf("3-day-old change CHG0029950 is outside the window: %+v", a.Changes)
			}
			if !slices.ContainsFunc(a.Incidents, func(i answer.IncidentEntry) bool {
				return i.Number == demo.SNIncident && from(i.Source, "servicenow") && i.Priority == "P2" &&
					timeutil.RFC3339(i.StartedAt) == sc.At(demo.SNIncidentAt).Format(time.RFC3339) && i.Team == demo.SNSupportGrp
			}) {
				t.Errorf("incidents %+v lack the open %s from servicenow", a.Incidents, demo.SNIncident)
			}
			if !slices.ContainsFunc(a.OnCall, func(o answer.OnCallEntry) bool {
				return o.Name == demo.Sam && from(o.Source, "servicenow") && o.Level == 1
			}) {
				t.Errorf("on-call %+v lacks Sam Okafor from servicenow", a.OnCall)
			}
			if !slices.ContainsFunc(a.Dependencies.Upstream, func(d answer.DependencyEntry) bool {
				return d.Service == demo.OrdersDB && slices.Contains(d.Via, "servicenow")
			}) {
				t.Errorf("upstream %+v lacks orders-db via servicenow", a.Dependencies.Upstream)
			}
		})
	}
}

func TestServiceNowOnCallUnavailable(t *testing.T) {
	t0 := time.Now().UTC().Truncate(time.Second)
	env, e := snStartDemo(t, t0)
	env.Servers["servicenow"].AddFault(fake.Fault{PathPrefix: "/api/now/on_call_rota/", Status: 404,
		Body: `{"error":{"message":"Not Found","detail":null},"status":"failure"}`})
	a, err := e.IncidentContext(context.Background(), engine.Query{Service: "checkout"})
	if err != nil {
		t.Fatal(err)
	}
	snSourceOK(t, a, "servicenow")
	if slices.ContainsFunc(a.OnCall, func(o answer.OnCallEntry) bool { return from(o.Source, "servicenow") }) {
		t.Errorf("on-call from servicenow despite the 404: %+v", a.OnCall)
	}
	if !slices.ContainsFunc(a.Notes, func(n string) bool { return strings.HasPrefix(n, "servicenow: on-call unavailable from ServiceNow") }) {
		t.Errorf("notes %q lack the on-call note", a.Notes)
	}
	if !slices.ContainsFunc(a.Incidents, func(i answer.IncidentEntry) bool { return i.Number == demo.SNIncident }) {
		t.Errorf("the rest of ServiceNow must still answer: incidents %+v", a.Incidents)
	}
}
