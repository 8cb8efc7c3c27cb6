package fetch

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// gated is an alerts and SLO source whose calls wait for the test to let them go, counting
// the instances of its kind in flight.
type gated struct {
	name    string
	flight  *flight
	entered chan<- string
	gate    <-chan struct{}
}

// flight counts calls and distinct instances in flight, keeping the maxima.
type flight struct {
	mu                  sync.Mutex
	calls, maxCalls     int
	perInstance         map[string]int
	instances, maxInsts int
}

func (f *flight) enter(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.maxCalls = max(f.maxCalls, f.calls)
	if f.perInstance[name]++; f.perInstance[name] == 1 {
		f.instances++
		f.maxInsts = max(f.maxInsts, f.instances)
	}
}

func (f *flight) leave(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls--
	if f.perInstance[name]--; f.perInstance[name] == 0 {
		f.instances--
	}
}

func (g *gated) Name() string                { return g.name }
func (g *gated) Check(context.Context) error { return nil }
func (g *gated) call(what string) error {
	g.flight.enter(g.name)
	defer g.flight.leave(g.name)
	g.entered <- g.name + " " + what
	<-g.gate
	return nil
}
func (g *gated) Alerts(context.Context, model.Target) ([]model.Alert, error) {
	return []model.Alert{{ID: g.name}}, g.call("alerts")
}
func (g *gated) SLOs(context.Context, model.Target) ([]model.SLO, error) { return nil, g.call("slos") }

// TestInstancesPerKindAreBounded: a round talks to at most PerKind instances of a kind at
// once (an instance's several calls share its slot), and every instance is still asked.
func TestInstancesPerKindAreBounded(t *testing.T) {
	const clusters, perKind = 30, 4
	fl := &flight{perInstance: map[string]int{}}
	entered := make(chan string)
	gate := make(chan struct{})
	var srcs []connectors.Source
	for i := range clusters {
		srcs = append(srcs, &gated{name: fmt.Sprintf("prometheus/c%02d", i), flight: fl, entered: entered, gate: gate})
	}
	f := New(Options{Sources: srcs, PerKind: perKind, Cache: cache.New(cache.Options{})})
	done := make(chan model.Facts)
	go func() {
		done <- f.Begin().Gather(context.Background(), model.Target{}, Window{}, Alerts, SLOs)
	}()
	for range perKind {
		<-entered // the first instances are in flight
	}
	close(gate) // let every call through as it comes
	var calls int
	for calls = perKind; calls < 2*clusters; calls++ {
		<-entered
	}
	facts := <-done
	if len(facts.Alerts) != clusters {
		t.Errorf("%d instances answered, want %d", len(facts.Alerts), clusters)
	}
	if fl.maxInsts > perKind {
		t.Errorf("%d instances of one kind in flight at once, want at most %d", fl.maxInsts, perKind)
	}
}

// TestTwelveClustersOneWave: with the default bound, every call of twelve instances of a kind
// (alerts and SLOs of each) is in flight at once before any returns: twelve clusters are one
// round trip, not two.
func TestTwelveClustersOneWave(t *testing.T) {
	const clusters = 12
	fl := &flight{perInstance: map[string]int{}}
	entered := make(chan string)
	gate := make(chan struct{})
	var srcs []connectors.Source
	for i := range clusters {
		srcs = append(srcs, &gated{name: fmt.Sprintf("alertmanager/c%02d", i), flight: fl, entered: entered, gate: gate})
	}
	f := New(Options{Sources: srcs, Cache: cache.New(cache.Options{})})
	done := make(chan model.Facts)
	go func() {
		done <- f.Begin().Gather(context.Background(), model.Target{}, Window{}, Alerts, SLOs)
	}()
	for i := range 2 * clusters {
		select {
		case <-entered:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d calls of %d in flight: the others wait for a slot (a second round trip)", i, 2*clusters)
		}
	}
	close(gate)
	if facts := <-done; len(facts.Alerts) != clusters || fl.maxInsts != clusters {
		t.Errorf("%d instances answered, %d in flight at once; want %d", len(facts.Alerts), fl.maxInsts, clusters)
	}
}

// TestAnInstanceCallsInItsSlot: with one slot per kind, an instance's alerts and SLO calls
// are in flight together (they share its slot) while its sibling waits.
func TestAnInstanceCallsInItsSlot(t *testing.T) {
	fl := &flight{perInstance: map[string]int{}}
	entered := make(chan string)
	gate := make(chan struct{})
	a := &gated{name: "prometheus/a", flight: fl, entered: entered, gate: gate}
	b := &gated{name: "prometheus/b", flight: fl, entered: entered, gate: gate}
	f := New(Options{Sources: []connectors.Source{a, b}, PerKind: 1, Cache: cache.New(cache.Options{})})
	done := make(chan struct{})
	go func() {
		f.Begin().Gather(context.Background(), model.Target{}, Window{}, Alerts, SLOs)
		close(done)
	}()
	first := map[string]int{}
	for range 2 {
		select {
		case e := <-entered:
			first[strings.Fields(e)[0]]++
		case <-time.After(10 * time.Second):
			t.Fatal("an instance's second call waited for a slot its first call holds")
		}
	}
	if len(first) != 1 {
		t.Errorf("two instances of one kind in flight with one slot: %v", first)
	}
	close(gate)
	for range 2 {
		<-entered
	}
	<-done
}

// TestItemsCarryTheirInstance: whatever a connector writes in Source, every item of a
// gather names the instance it came from, and the connector's own data is not modified.
func TestItemsCarryTheirInstance(t *testing.T) {
	alerts := []model.Alert{{ID: "a", Source: "alertmanager"}}
	eu := &fake.Memory{SourceName: "alertmanager/eu", AlertList: alerts,
		Resp:  model.Responders{OnCall: []model.OnCall{{Name: "Sam", Source: "pagerduty"}}, Escalation: []model.EscalationStep{{Level: 1}}},
		Cat:   model.Catalog{Services: []model.Service{{ID: "s", Source: "x"}}, Teams: []model.Team{{ID: "t"}}, Dependencies: []model.Dependency{{From: "s", To: "s2"}}},
		Found: &connectors.IncidentRef{ID: "INC1", Source: "alertmanager"}}
	f := New(Options{Sources: []connectors.Source{eu}, Cache: cache.New(cache.Options{})})
	r := f.Begin()
	facts := r.Gather(context.Background(), model.Target{Name: "checkout"}, Window{}, Alerts, OnCall)
	if facts.Alerts[0].Source != "alertmanager/eu" || alerts[0].Source != "alertmanager" {
		t.Errorf("alert source %q (connector's copy %q)", facts.Alerts[0].Source, alerts[0].Source)
	}
	resp := facts.Responders[0].Value
	if resp.OnCall[0].Source != "alertmanager/eu" || resp.Escalation[0].Source != "alertmanager/eu" {
		t.Errorf("responders %+v", resp)
	}
	cat := r.Catalogs(context.Background())[0].Value
	if cat.Services[0].Source != "alertmanager/eu" || cat.Teams[0].Source != "alertmanager/eu" || cat.Dependencies[0].Source != "alertmanager/eu" {
		t.Errorf("catalog %+v", cat)
	}
	if refs := r.FindIncident(context.Background(), "INC1"); len(refs) != 1 || refs[0].Source != "alertmanager/eu" || eu.Found.Source != "alertmanager" {
		t.Errorf("incident refs %+v", refs)
	}
}

// TestStampKeepsANamedListing: a listing whose connector named the instance already is passed
// on as it is — a 50k-service catalog is neither copied nor allocated per row on every refresh
// (that cost 70-100 ms per answer right after one) — and one naming another source is copied.
func TestStampKeepsANamedListing(t *testing.T) {
	deps := make([]model.Dependency, 1000)
	for i := range deps {
		deps[i] = model.Dependency{From: fmt.Sprint("s", i), To: "db", Source: "backstage/eu"}
	}
	name := func(d *model.Dependency) *string { return &d.Source }
	if allocs := testing.AllocsPerRun(10, func() { _ = stamp(deps, "backstage/eu", name) }); allocs != 0 {
		t.Errorf("stamping a listing named already: %v allocations, want 0", allocs)
	}
	if got := stamp(deps, "backstage/eu", name); &got[0] != &deps[0] {
		t.Error("a listing named already was copied")
	}
	deps[500].Source = "backstage"
	got := stamp(deps, "backstage/eu", name)
	if &got[0] == &deps[0] || got[500].Source != "backstage/eu" || deps[500].Source != "backstage" {
		t.Errorf("a row naming another source: stamped %q, connector's copy %q", got[500].Source, deps[500].Source)
	}
}

// TestInstancesAreAskedAboutTheirOwnView: an instance the target's records pin elsewhere,
// or whose sibling holds the target's record, is not asked (and not in the statuses);
// the others are, each under its own cache entry.
func TestInstancesAreAskedAboutTheirOwnView(t *testing.T) {
	mk := func(name string) *fake.Memory {
		return &fake.Memory{SourceName: name, AlertList: []model.Alert{{ID: name}}}
	}
	amEU, amUS, dtProd, dtPre := mk("alertmanager/eu"), mk("alertmanager/us"), mk("dynatrace/prod"), mk("dynatrace/preprod")
	f := New(Options{Sources: []connectors.Source{amEU, amUS, dtProd, dtPre}, Cache: cache.New(cache.Options{})})
	target := model.Target{Name: "checkout", Records: []model.Service{
		{ID: "component:default/checkout", Source: "catalogfile", Annotations: map[string]string{model.InstancesAnnotation: "alertmanager/eu"}},
		{ID: "SERVICE-1", Source: "dynatrace/prod"}}}
	r := f.Begin()
	facts := r.Gather(context.Background(), target, Window{}, Alerts)
	var got []string
	for _, a := range facts.Alerts {
		got = append(got, a.ID)
	}
	if fmt.Sprint(got) != "[alertmanager/eu dynatrace/prod]" || amUS.Calls()+dtPre.Calls() != 0 {
		t.Errorf("asked %v (us %d, preprod %d calls)", got, amUS.Calls(), dtPre.Calls())
	}
	var names []string
	for _, s := range r.Statuses() {
		names = append(names, s.Name)
	}
	if fmt.Sprint(names) != "[alertmanager/eu dynatrace/prod]" {
		t.Errorf("statuses %v", names)
	}
	r.Gather(context.Background(), model.Target{}, Window{}, Alerts) // everything open: every instance
	if amUS.Calls() != 1 || dtPre.Calls() != 1 {
		t.Errorf("a zero target skipped an instance")
	}
}
