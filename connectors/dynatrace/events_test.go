package dynatrace_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/dynatrace"
	"github.com/opsctx/opsctx/internal/fake"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

func props(kv ...string) []fakedt.Property {
	var out []fakedt.Property
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, fakedt.Property{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func end(before time.Duration) *int64 { v := msAt(before); return &v }

func changeEvents() []fakedt.Event {
	return []fakedt.Event{
		{EventID: "e-deploy", EventType: "CUSTOM_DEPLOYMENT", Title: "Deploy checkout v2.14.0", StartTime: msAt(90 * time.Minute),
			EndTime: end(89 * time.Minute), Status: "CLOSED", EntityID: stub(svcCheckout, "checkout-service"),
			Properties: props("dt.event.deployment.version", "v2.14.0", "dt.event.deployment.project", "shop/checkout",
				"dt.event.deployment.ci_back_link", "https://ci.example/p/8812", "Author", "Lena Fischer", "previous_version", "v2.13.4")},
		{EventID: "e-config", EventType: "CUSTOM_CONFIGURATION", Title: "statement_timeout 5s -> 30s", StartTime: msAt(31 * time.Minute),
			Status: "OPEN", EntityID: stub(svcDB, "orders-db"),
			Properties: props("approver", "Priya Nair", "dt.event.is_rootcause_relevant", "true", "configuration", "statement_timeout",
				"original", "5s", "changed", "30s", "Change-Request", "CHG0030017")},
		{EventID: "e-untitled", EventType: "CUSTOM_DEPLOYMENT", StartTime: msAt(10 * time.Minute), Status: "OPEN",
			EntityID: stub(svcCart, "cart"), Properties: props("dt.event.deployment.name", "cart", "dt.event.deployment.version", "1.2")},
		{EventID: "e-other", EventType: "CUSTOM_DEPLOYMENT", StartTime: msAt(10 * time.Minute), Status: "OPEN",
			EntityID: stub("SERVICE-FFFFFFFFFFFFFFFF", "elsewhere")},
		{EventID: "e-old", EventType: "CUSTOM_DEPLOYMENT", StartTime: msAt(5 * time.Hour), Status: "CLOSED",
			EndTime: end(5 * time.Hour), EntityID: stub(svcCheckout, "checkout-service")},
	}
}

func TestChanges(t *testing.T) {
	src, srv := start(t, fakedt.Data{Events: changeEvents()}, dynatrace.Options{}, fakedt.Options{})
	got, err := src.Changes(context.Background(), target("checkout", svcCheckout, annotated("orders-db", svcDB), annotated("cart", svcCart)))
	if err != nil {
		t.Fatal(err)
	}
	want := []model.Change{
		{ID: "e-untitled", Title: "cart 1.2", Kind: "deploy", At: t0.Add(-10 * time.Minute), Service: svcCart, State: "open", Version: "1.2", Source: "dynatrace"},
		{ID: "e-config", Title: "statement_timeout 5s -> 30s", Kind: "config", At: t0.Add(-31 * time.Minute), Author: "Priya Nair",
			Service: svcDB, Risk: []string{"root-cause relevant per Dynatrace"}, State: "open", Setting: "statement_timeout", Before: "5s", After: "30s",
			RecordRef: "CHG0030017", Source: "dynatrace"},
		{ID: "e-deploy", Title: "Deploy checkout v2.14.0 (project shop/checkout)", Kind: "deploy", At: t0.Add(-90 * time.Minute),
			EndAt: t0.Add(-89 * time.Minute), Author: "Lena Fischer", Service: svcCheckout, State: "closed", Version: "v2.14.0",
			Setting: "version", Before: "v2.13.4", After: "v2.14.0", Source: "dynatrace", URL: "https://ci.example/p/8812"},
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	reqs := requests(srv, "/api/v2/events")
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want one per event type", len(reqs))
	}
	ids := `entityId("` + svcCheckout + `","` + svcDB + `","` + svcCart + `")`
	sels := map[string]bool{}
	for _, r := range reqs {
		sels[r.Query.Get("eventSelector")] = true
		if r.Query.Get("from") != fmt.Sprint(t0.Add(-2*time.Hour).UnixMilli()) || r.Query.Get("to") != fmt.Sprint(t0.UnixMilli()) {
			t.Errorf("window %v", r.Query)
		}
	}
	for _, typ := range []string{"CUSTOM_DEPLOYMENT", "CUSTOM_CONFIGURATION"} {
		if s := `eventType("` + typ + `"),` + ids; !sels[s] {
			t.Errorf("missing eventSelector %s in %v", s, sels)
		}
	}
}

func TestChangesPaging(t *testing.T) {
	var evs []fakedt.Event
	for i := range 5 {
		evs = append(evs, fakedt.Event{EventID: fmt.Sprint("d", i), EventType: "CUSTOM_DEPLOYMENT", StartTime: msAt(time.Duration(i+1) * time.Minute),
			Status: "OPEN", EntityID: stub(svcCheckout, "checkout-service")})
	}
	src, srv := start(t, fakedt.Data{Events: evs}, dynatrace.Options{PageSize: 2, EventTypes: []string{"CUSTOM_DEPLOYMENT"}}, fakedt.Options{})
	t.Cleanup(func() { reqcontract.Check(t, "dynatrace", srv.Requests()) }) // every request in the API reference
	got, err := src.Changes(context.Background(), target("checkout", svcCheckout))
	if err != nil {
		t.Fatal(err)
	}
	reqs := requests(srv, "/api/v2/events")
	if len(got) != 5 || len(reqs) != 3 {
		t.Fatalf("%d changes in %d requests, want 5 in 3", len(got), len(reqs))
	}
	for _, r := range reqs[1:] {
		if len(r.Query) != 1 || r.Query.Get("nextPageKey") == "" {
			t.Errorf("follow-up sent %v, want only nextPageKey", r.Query)
		}
	}
}

func TestChangesWithoutIdentity(t *testing.T) {
	src, srv := start(t, fakedt.Data{Events: changeEvents()}, dynatrace.Options{}, fakedt.Options{})
	got, err := src.Changes(context.Background(), model.Target{Name: "search"})
	if err != nil || got != nil || len(srv.Requests()) != 0 {
		t.Errorf("got %v, %v after %d requests; want nothing and no request", got, err, len(srv.Requests()))
	}
}

// TestChangesOnProcessGroupsAndHosts: deployments and configuration changes sent to the
// process groups and hosts a service runs on (its runsOn and runsOnHost relationships, and
// the target's hosts) come with the service's: a process group's as the service's, a host's
// as the host's (the answer places it under the service); a token that may not read entities
// leaves them out and says so.
func TestChangesOnProcessGroupsAndHosts(t *testing.T) {
	const pg, host, otherPG = "PROCESS_GROUP-00000000000000A1", "HOST-00000000000000B1", "PROCESS_GROUP-00000000000000C1"
	const nodeOfTarget = "HOST-00000000000000B2" // known only as one of the target's hosts
	d := fakedt.Data{
		Entities: []fakedt.Entity{{EntityID: svcCheckout, Type: "SERVICE", DisplayName: "checkout-service", LastSeenTms: msAt(time.Minute),
			FromRelationships: map[string][]fakedt.EntityID{"runsOn": {{ID: pg, Type: "PROCESS_GROUP"}}, "runsOnHost": {{ID: host, Type: "HOST"}}}}},
		Events: []fakedt.Event{
			{EventID: "e-pg", EventType: "CUSTOM_DEPLOYMENT", Title: "Deploy checkout jar", StartTime: msAt(20 * time.Minute), Status: "OPEN",
				EntityID: stub(pg, "checkout-jvm")},
			{EventID: "e-host", EventType: "CUSTOM_CONFIGURATION", Title: "kernel parameter", StartTime: msAt(15 * time.Minute), Status: "OPEN",
				EntityID: stub(host, "web-1")},
			{EventID: "e-node", EventType: "CUSTOM_CONFIGURATION", Title: "kernel patch", StartTime: msAt(10 * time.Minute), Status: "OPEN",
				EntityID: stub(nodeOfTarget, "web-2")},
			{EventID: "e-unrelated", EventType: "CUSTOM_DEPLOYMENT", Title: "elsewhere", StartTime: msAt(15 * time.Minute), Status: "OPEN",
				EntityID: stub(otherPG, "other-jvm")},
		},
	}
	src, _ := start(t, d, dynatrace.Options{}, fakedt.Options{})
	tg := target("checkout", svcCheckout)
	tg.Hosts = []model.Target{{Name: "web-2", Records: []model.Service{{ID: nodeOfTarget, Name: "web-2", Source: "dynatrace"}}}}
	got, err := src.Changes(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID+"@"+c.Service)
	}
	if want := []string{"e-node@" + nodeOfTarget, "e-host@" + host, "e-pg@" + svcCheckout}; fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("changes %v, want %v", ids, want)
	}

	src, _ = start(t, d, dynatrace.Options{}, fakedt.Options{Scopes: []string{"events.read"}})
	got, err = src.Changes(context.Background(), target("checkout", svcCheckout))
	if !connectors.IsIncomplete(err) || len(got) != 0 || !strings.Contains(err.Error(), "process groups and hosts") {
		t.Errorf("without entities.read: %v, %v; want none and an Incomplete naming the process groups and hosts", got, err)
	}
}

// TestEveryListingIsReadToTheEndOrSaidIncomplete: problems, events, SLOs and the service listing
// with more items than a page are read to their end; cut at MaxPages they return what was read
// with an Incomplete (the catalog marks itself truncated); from an environment that hands out
// the same nextPageKey again (it replays page 1) they fail with a paging loop instead of
// listing page 1 MaxPages times.
func TestEveryListingIsReadToTheEndOrSaidIncomplete(t *testing.T) {
	const n = 5
	var d fakedt.Data
	var related []model.Target
	for i := range n {
		id := fmt.Sprintf("SERVICE-%016X", i+1)
		d.Entities = append(d.Entities, fakedt.Entity{EntityID: id, Type: "SERVICE", DisplayName: fmt.Sprint("svc", i), LastSeenTms: msAt(time.Minute)})
		d.Problems = append(d.Problems, fakedt.Problem{ProblemID: fmt.Sprintf("%d_1V2", i), DisplayID: fmt.Sprintf("P-%d", i), Title: "slow",
			Status: "OPEN", SeverityLevel: "PERFORMANCE", ImpactLevel: "SERVICES", StartTime: msAt(10 * time.Minute), EndTime: -1,
			ImpactedEntities: []fakedt.EntityStub{stub(id, fmt.Sprint("svc", i))}})
		d.Events = append(d.Events, fakedt.Event{EventID: fmt.Sprint("e", i), EventType: "CUSTOM_DEPLOYMENT", Title: "deploy",
			StartTime: msAt(10 * time.Minute), Status: "OPEN", EntityID: stub(id, fmt.Sprint("svc", i))})
		d.SLOs = append(d.SLOs, fakedt.SLO{ID: fmt.Sprintf("a0000000-0000-4000-8000-00000000000%d", i), Name: fmt.Sprint("slo", i), Enabled: true,
			Target: 99, Warning: 99.5, Timeframe: "-1d", Filter: `type("SERVICE"),entityId("` + id + `")`, MetricExpression: "x",
			EvaluatedPercentage: 99.9, Status: "SUCCESS"})
		related = append(related, annotated(fmt.Sprint("svc", i), id))
	}
	for _, typ := range []string{"PROCESS_GROUP", "HOST", "KUBERNETES_CLUSTER", "CLOUD_APPLICATION_NAMESPACE"} {
		for i := range 3 { // every listing of the catalog has a second page, whichever is replayed
			d.Entities = append(d.Entities, fakedt.Entity{EntityID: fmt.Sprintf("%s-%016X", typ, i+1), Type: typ,
				DisplayName: fmt.Sprint(typ, i), LastSeenTms: msAt(time.Minute)})
		}
	}
	zero := model.Target{Since: t0.Add(-2 * time.Hour), Until: t0}
	many := target("svc", "", related...)
	paths := map[string]string{"problems": "/api/v2/problems", "events": "/api/v2/events", "SLOs": "/api/v2/slo", "services": "/api/v2/entities"}
	calls := map[string]func(*dynatrace.Source) (int, error){
		"problems": func(s *dynatrace.Source) (int, error) {
			ps, err := s.Problems(context.Background(), many)
			return len(ps), err
		},
		"events": func(s *dynatrace.Source) (int, error) {
			cs, err := s.Changes(context.Background(), zero)
			return len(cs), err
		},
		"SLOs": func(s *dynatrace.Source) (int, error) {
			xs, err := s.SLOs(context.Background(), model.Target{})
			return len(xs), err
		},
		"services": func(s *dynatrace.Source) (int, error) {
			cat, err := s.Catalog(context.Background())
			if err == nil && cat.Truncated {
				err = &connectors.Incomplete{What: "catalog", Why: "truncated"}
			}
			return len(cat.Services), err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			src, _ := start(t, d, dynatrace.Options{PageSize: 2}, fakedt.Options{})
			if got, err := call(src); err != nil || got != n {
				t.Errorf("read to the end: %d, %v; want %d", got, err, n)
			}
			src, _ = start(t, d, dynatrace.Options{PageSize: 2, MaxPages: 2}, fakedt.Options{})
			if got, err := call(src); !connectors.IsIncomplete(err) || got != 4 {
				t.Errorf("cut at 2 pages: %d, %v; want 4 and an Incomplete", got, err)
			}
			src, srv := start(t, d, dynatrace.Options{PageSize: 2, EventTypes: []string{"CUSTOM_DEPLOYMENT"}}, fakedt.Options{}) // one listing per path
			srv.AddFault(fake.Fault{Path: strings.TrimPrefix(srv.EnvURL(), srv.URL) + paths[name], Replay: true})
			if got, err := call(src); !errors.Is(err, connectors.ErrPagingLoop) || got != 0 {
				t.Errorf("page 1 replayed: %d, %v; want none and a paging loop", got, err)
			}
		})
	}
}

// TestChangeValues: a configuration event's setting, old and new values and the change
// record it names arrive under the keys integrations use (Events API v1's configuration /
// original / changed, or their own words), whatever their case and separators; a deployment
// has before/after only when it names the previous version; absent keys leave them empty.
func TestChangeValues(t *testing.T) {
	cases := []struct {
		name, typ                        string
		props                            []fakedt.Property
		setting, before, after, recordID string
	}{
		{"v1 names", "CUSTOM_CONFIGURATION", props("configuration", "max_connections", "original", "100", "changed", "200"), "max_connections", "100", "200", ""},
		{"own words", "CUSTOM_CONFIGURATION", props("Setting", "pool.size", "Old Value", "8", "new_value", "16", "change_number", "CHG1"), "pool.size", "8", "16", "CHG1"},
		{"from/to", "CUSTOM_CONFIGURATION", props("parameter", "ttl", "from", "5m", "to", "1h", "changeRequest", "CHG2"), "ttl", "5m", "1h", "CHG2"},
		{"blank values", "CUSTOM_CONFIGURATION", props("old", " ", "new", ""), "", "", "", ""},
		{"deploy with previous", "CUSTOM_DEPLOYMENT", props("dt.event.deployment.version", "2.0", "PreviousVersion", "1.9"), "version", "1.9", "2.0", ""},
		{"deploy without", "CUSTOM_DEPLOYMENT", props("dt.event.deployment.version", "2.0", "old", "x"), "", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := fakedt.Event{EventID: "e", EventType: c.typ, Title: "t", StartTime: msAt(5 * time.Minute), Status: "OPEN",
				EntityID: stub(svcDB, "orders-db"), Properties: c.props}
			src, _ := start(t, fakedt.Data{Events: []fakedt.Event{ev}}, dynatrace.Options{}, fakedt.Options{})
			got, err := src.Changes(context.Background(), target("orders-db", svcDB))
			if err != nil || len(got) != 1 {
				t.Fatalf("%v %+v", err, got)
			}
			g := got[0]
			if g.Setting != c.setting || g.Before != c.before || g.After != c.after || g.RecordRef != c.recordID {
				t.Errorf("got setting %q before %q after %q record %q, want %q %q %q %q", g.Setting, g.Before, g.After, g.RecordRef,
					c.setting, c.before, c.after, c.recordID)
			}
		})
	}
}
