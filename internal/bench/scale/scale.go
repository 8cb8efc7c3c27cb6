// Package scale measures opsctx on synthetic organisations (up to 50k services, 200k
// relations, 10k open alerts) held by in-process fake.Memory sources: directory build,
// cold and cached answers, answers right after a catalog refresh, memory.
package scale

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/issues"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// Spec sizes a synthetic organisation.
type Spec struct {
	Services, Relations, Teams, Alerts, Changes, Problems int
	Seed                                                  uint64
}

// SpecFor scales the 50k reference (50k services, 200k relations, 500 teams, 10k open
// alerts, 2k changes, 50 open problems) to services.
func SpecFor(services int) Spec {
	return Spec{
		Services:  services,
		Relations: 4 * services,
		Teams:     max(5, services/100),
		Alerts:    services / 5,
		Changes:   services / 25,
		Problems:  max(1, services/1000),
		Seed:      7,
	}
}

// Target is the service the scale scenarios ask about; it carries a few alerts, changes
// and an open problem of its own on top of the random ones.
const Target = "svc-00042"

// scaleT0 is the synthetic organisation's "now".
var scaleT0 = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)

// Data is a generated organisation served by in-process fake.Memory sources.
type Data struct {
	Spec Spec
	// Names are the service names, "svc-00000" on.
	Names []string
	// Target is the service with extra alerts, changes and a problem: Target when the
	// organisation has more than 42 services.
	Target string
	// Catalog, Alerts, Changes and Problems are the fake.Memory sources holding everything
	// (catalogfile, alertmanager, pagerduty + servicenow, dynatrace).
	Catalog, Alerts, Deploys, Records, Problems *fake.Memory

	advanced atomic.Int64 // nanoseconds the clock was moved on by Advance
}

// Now is the organisation's clock: it stands still unless Advance moves it.
func (d *Data) Now() time.Time { return scaleT0.Add(time.Duration(d.advanced.Load())) }

// Advance moves the organisation's clock on by dt (to expire cache entries).
func (d *Data) Advance(dt time.Duration) { d.advanced.Add(int64(dt)) }

var (
	alertTitles = []string{"HighErrorRate", "HighLatencyP99", "PodCrashLooping", "KubeDeploymentReplicasMismatch",
		"CPUThrottlingHigh", "DiskWillFillIn4Hours", "TargetDown", "HTTP5xxRatioHigh", "QueueBacklogGrowing", "CertificateExpiresSoon"}
	severities = []string{"critical", "warning", "warning", "warning", "info"}
	firstNames = []string{"Ada", "Ben", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jana", "Kofi", "Lea", "Mina", "Nils", "Omar", "Pia"}
	lastNames  = []string{"Meyer", "Okafor", "Rossi", "Nair", "Kim", "Silva", "Novak", "Haddad", "Berg", "Ito", "Walsh", "Costa"}
)

// Generate builds the organisation for spec; it is deterministic for a given spec.
func Generate(spec Spec) *Data {
	r := rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15))
	d := &Data{Spec: spec, Names: make([]string, spec.Services)}
	person := func() string { return firstNames[r.IntN(len(firstNames))] + " " + lastNames[r.IntN(len(lastNames))] }
	teamOf := make([]string, spec.Services)

	cat := model.Catalog{Services: make([]model.Service, 0, spec.Services), Teams: make([]model.Team, 0, spec.Teams)}
	for i := range spec.Teams {
		n := fmt.Sprintf("team-%03d", i)
		cat.Teams = append(cat.Teams, model.Team{ID: "group:default/" + n, Name: n, DisplayName: fmt.Sprintf("Team %03d", i),
			Email: n + "@corp.example", Channel: "#" + n, Source: "catalogfile"})
	}
	for i := range spec.Services {
		n := fmt.Sprintf("svc-%05d", i)
		d.Names[i] = n
		teamOf[i] = fmt.Sprintf("team-%03d", r.IntN(spec.Teams))
		cat.Services = append(cat.Services, model.Service{
			ID: "component:default/" + n, Name: n, Kind: "Component", Type: "service", Lifecycle: "production",
			Description: "Synthetic service " + n + " of the scale benchmark.", Owner: teamOf[i],
			System: fmt.Sprintf("system-%03d", i%max(1, spec.Services/100)),
			Links:  []model.Link{{Title: "Runbook", URL: "https://runbooks.corp.example/" + n, Type: "runbook"}},
			Refs:   []model.Ref{{In: "pagerduty", ID: fmt.Sprintf("PSV%05d", i), Via: "annotation pagerduty.com/service-id"}},
			Source: "catalogfile",
		})
	}
	// Relations: distinct random edges, no self-loops; the target gets a few fixed ones.
	type edge struct{ from, to int }
	seen := make(map[edge]bool, spec.Relations)
	cat.Dependencies = make([]model.Dependency, 0, spec.Relations)
	add := func(from, to int) {
		e := edge{from, to}
		if from == to || seen[e] || len(cat.Dependencies) >= spec.Relations {
			return
		}
		seen[e] = true
		cat.Dependencies = append(cat.Dependencies, model.Dependency{From: cat.Services[from].ID, To: cat.Services[to].ID,
			Kind: "depends_on", Source: "catalogfile"})
	}
	tgt := min(42, spec.Services-1)
	d.Target = d.Names[tgt]
	deps := []int{(tgt + 1) % spec.Services, (tgt + 7) % spec.Services, (tgt + 99) % spec.Services}
	for _, x := range deps {
		add(tgt, x)
	}
	for len(cat.Dependencies) < spec.Relations && len(seen) < spec.Services*(spec.Services-1) {
		add(r.IntN(spec.Services), r.IntN(spec.Services))
	}
	d.Catalog = &fake.Memory{SourceName: "catalogfile", Cat: cat}

	// Open alerts, spread uniformly, plus five on the target (two of them one fire seen twice).
	alert := func(i, svc int, title string, ago time.Duration, key string) model.Alert {
		sev := severities[r.IntN(len(severities))]
		if key == "" {
			key = fmt.Sprintf("%016x", r.Uint64())
		}
		return model.Alert{ID: fmt.Sprintf("%016x", r.Uint64()), Title: title, Service: d.Names[svc], Severity: sev, Status: "firing",
			DedupKey: key, StartedAt: scaleT0.Add(-ago), Source: "alertmanager",
			Labels:     map[string]string{"alertname": title, "service": d.Names[svc], "severity": sev, "team": teamOf[svc]},
			RunbookURL: "https://runbooks.corp.example/alerts/" + strings.ToLower(title),
			URL:        "https://alertmanager.corp.example/#/alerts?receiver=" + teamOf[svc] + "&fp=" + key}
	}
	al := make([]model.Alert, 0, spec.Alerts+5)
	for i := range spec.Alerts {
		al = append(al, alert(i, r.IntN(spec.Services), alertTitles[r.IntN(len(alertTitles))], time.Duration(r.Int64N(int64(6*time.Hour))), ""))
	}
	al = append(al,
		alert(0, tgt, "HTTP5xxRatioHigh", 12*time.Minute, "tgt-5xx"),
		alert(0, tgt, "HTTP5xxRatioHigh", 11*time.Minute, "tgt-5xx"),
		alert(0, tgt, "HighLatencyP99", 14*time.Minute, ""),
		alert(0, tgt, "PodCrashLooping", 9*time.Minute, ""),
		alert(0, deps[0], "QueueBacklogGrowing", 16*time.Minute, ""))
	d.Alerts = &fake.Memory{SourceName: "alertmanager", AlertList: al}

	// Changes: 80 % deploy/config events (pagerduty), 20 % change records (servicenow).
	var events, records []model.Change
	for i := range spec.Changes {
		svc := r.IntN(spec.Services)
		at := scaleT0.Add(-time.Duration(r.Int64N(int64(6 * time.Hour))))
		if i%5 == 0 {
			records = append(records, model.Change{ID: fmt.Sprintf("CHG%07d", i), Title: "Planned maintenance on " + d.Names[svc],
				Kind: "change_request", At: at, EndAt: at.Add(30 * time.Minute), Author: person(), Service: d.Names[svc],
				State: "implement", Source: "servicenow", URL: fmt.Sprintf("https://corp.service-now.example/change_request.do?sys_id=%032x", i)})
			continue
		}
		kind, title := "deploy", fmt.Sprintf("Deploy %s v1.%d.%d", d.Names[svc], r.IntN(40), r.IntN(10))
		if r.IntN(10) < 3 {
			kind, title = "config", "Config change on "+d.Names[svc]+": feature flag rollout"
		}
		events = append(events, model.Change{ID: fmt.Sprintf("evt-%06d", i), Title: title, Kind: kind, At: at, Author: person(),
			Service: d.Names[svc], Source: "pagerduty", URL: fmt.Sprintf("https://corp.pagerduty.example/change_events/E%06d", i)})
	}
	records = append(records, model.Change{ID: "CHG9000042", Title: "Raise connection pool of " + d.Names[tgt], Kind: "change_request",
		At: scaleT0.Add(-40 * time.Minute), EndAt: scaleT0.Add(-20 * time.Minute), Author: "Priya Nair", Service: d.Names[tgt],
		State: "review", Source: "servicenow"})
	events = append(events,
		model.Change{ID: "evt-tgt-1", Title: "Deploy " + d.Names[tgt] + " v2.14.0", Kind: "deploy", At: scaleT0.Add(-35 * time.Minute),
			Author: "Priya Nair", Service: d.Names[tgt], Source: "pagerduty"},
		model.Change{ID: "evt-tgt-2", Title: "Config change on " + d.Names[deps[0]] + ": timeout 2s→5s", Kind: "config",
			At: scaleT0.Add(-25 * time.Minute), Author: "Sam Okafor", Service: d.Names[deps[0]], Source: "pagerduty"})
	resp := model.Responders{Policy: "Default escalation",
		OnCall: []model.OnCall{{Name: "Sam Okafor", Email: "sam.okafor@corp.example", Level: 1, Until: scaleT0.Add(4 * time.Hour), Source: "pagerduty"},
			{Name: "Lena Fischer", Email: "lena.fischer@corp.example", Level: 2, Until: scaleT0.Add(4 * time.Hour), Source: "pagerduty"}},
		Escalation: []model.EscalationStep{{Level: 1, AfterMinutes: 0, Targets: []string{"Sam Okafor"}, Source: "pagerduty"},
			{Level: 2, AfterMinutes: 30, Targets: []string{"Lena Fischer"}, Source: "pagerduty"}}}
	d.Deploys = &fake.Memory{SourceName: "pagerduty", Chgs: events, Resp: resp}
	d.Records = &fake.Memory{SourceName: "servicenow", Chgs: records}

	// Problems: a few open ones, one on the target with a dependency as root cause.
	var ps []model.Problem
	for i := range spec.Problems {
		svc, rc := r.IntN(spec.Services), r.IntN(spec.Services)
		ps = append(ps, model.Problem{ID: fmt.Sprintf("-%d_V2", 1000+i), DisplayID: fmt.Sprintf("P-%d", 1000+i), Title: "Response time degradation",
			Severity: "performance", Status: "open", StartedAt: scaleT0.Add(-time.Duration(r.Int64N(int64(3 * time.Hour)))),
			RootCause: d.Names[rc], Impacted: []string{d.Names[svc]}, Source: "dynatrace"})
	}
	ps = append(ps, model.Problem{ID: "-42_V2", DisplayID: "P-4242", Title: "Failure rate increase", Severity: "error", Impact: "12% of users",
		Status: "open", StartedAt: scaleT0.Add(-15 * time.Minute), RootCause: d.Names[deps[0]], Impacted: []string{d.Names[tgt]}, Source: "dynatrace"})
	d.Problems = &fake.Memory{SourceName: "dynatrace", Probs: ps}
	return d
}

// Sources returns the organisation's sources. Filtered sources answer like real connectors
// (only what concerns the target and its neighbours, in its time window) from an index built
// here; unfiltered ones are the bare fake.Memory values, which hand every alert, change and
// problem to the join on every question (a worst case no real connector reaches).
func (d *Data) Sources(filtered bool) []connectors.Source {
	mems := []*fake.Memory{d.Catalog, d.Alerts, d.Deploys, d.Records, d.Problems}
	out := make([]connectors.Source, 0, len(mems))
	for _, m := range mems {
		if filtered {
			out = append(out, newFiltered(m))
		} else {
			out = append(out, m)
		}
	}
	return out
}

// Engine returns a fresh engine (own cache, default TTLs) over the organisation; the engine
// and its cache run on the organisation's clock.
func (d *Data) Engine(filtered bool) *engine.Engine {
	return engine.New(engine.Options{Sources: d.Sources(filtered), Cache: cache.New(cache.Options{Now: d.Now}), Now: d.Now, Logger: slog.New(slog.DiscardHandler)})
}

// filtered wraps a fake.Memory: every call still goes through it (call count, delay, errors)
// but only the target's share of its data comes back, looked up in an index.
type filtered struct {
	*fake.Memory
	alerts   map[string][]model.Alert
	changes  map[string][]model.Change
	problems map[string][]model.Problem
}

func newFiltered(m *fake.Memory) *filtered {
	f := &filtered{Memory: m, alerts: map[string][]model.Alert{}, changes: map[string][]model.Change{}, problems: map[string][]model.Problem{}}
	for _, a := range m.AlertList {
		f.alerts[a.Service] = append(f.alerts[a.Service], a)
	}
	for _, c := range m.Chgs {
		f.changes[c.Service] = append(f.changes[c.Service], c)
	}
	for _, p := range m.Probs {
		for _, n := range append([]string{p.RootCause}, p.Impacted...) {
			f.problems[n] = append(f.problems[n], p)
		}
	}
	return f
}

// names are the target's and its neighbours' names.
func names(t model.Target) []string {
	out := []string{t.Name}
	for _, r := range t.Related {
		out = append(out, r.Name)
	}
	return out
}

func (f *filtered) Alerts(ctx context.Context, t model.Target) ([]model.Alert, error) {
	all, err := f.Memory.Alerts(ctx, t)
	if err != nil || t.Name == "" {
		return all, err
	}
	var out []model.Alert
	for _, n := range names(t) {
		out = append(out, f.alerts[n]...)
	}
	return out, nil
}

func (f *filtered) Changes(ctx context.Context, t model.Target) ([]model.Change, error) {
	all, err := f.Memory.Changes(ctx, t)
	if err != nil || t.Name == "" {
		return all, err
	}
	var out []model.Change
	for _, n := range names(t) {
		for _, c := range f.changes[n] {
			if !c.At.Before(t.Since) && !c.At.After(t.Until) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

func (f *filtered) Problems(ctx context.Context, t model.Target) ([]model.Problem, error) {
	all, err := f.Memory.Problems(ctx, t)
	if err != nil || t.Name == "" {
		return all, err
	}
	var out []model.Problem
	seen := map[string]bool{}
	for _, n := range names(t) {
		for _, p := range f.problems[n] {
			if !seen[p.ID] {
				seen[p.ID] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Result are the figures of one organisation size.
type Result struct {
	Spec Spec
	// Generate is the time to build the synthetic data (not opsctx work).
	Generate time.Duration
	// Build is directory.Build of the catalog alone: the directory (identity resolution, indexes,
	// edges) that every answer reuses until a catalog changes.
	Build time.Duration
	// Cold is the first incident_context: fetch every (instant) source and build the directory.
	Cold time.Duration
	// Join are cached incident_context calls over a rotation of services.
	Join bench.Durations
	// AfterRefresh are the latencies of RefreshCallers concurrent incident_context calls
	// (different services) right after every cache entry, catalogs included, expired: the
	// sources are asked again (instantly) and the directory is rebuilt.
	AfterRefresh bench.Durations
	// ActiveIssues are cached active_issues calls without a filter (every open alert and
	// problem of the organisation goes through the join), if measured.
	ActiveIssues bench.Durations
	// HeapData is the heap in use after a GC with only the synthetic data (what the sources
	// hold) alive; HeapInuse adds the engine: directory, cache and answers.
	HeapData, HeapInuse uint64
	// Answer is the standard answer for the organisation's target.
	Answer *answer.IncidentContext
	// Sizes are the answer sizes per detail level for the target, if measured.
	Sizes []bench.AnswerSize
}

// Options configure Measure.
type Options struct {
	// Calls is how many cached incident_context calls are timed (default 200).
	Calls int
	// ActiveIssues is how many cached, unfiltered active_issues calls are timed (0 = none).
	ActiveIssues int
	// Sizes also measures the answer sizes per detail level.
	Sizes bool
	// RefreshCallers is how many concurrent calls are timed right after the catalogs expire
	// (0 = none).
	RefreshCallers int
}

// afterRefresh moves the clock past the catalog TTL (10 min) and times n concurrent
// questions about different services, then waits until the refreshed directory is in use
// (large ones are rebuilt in the background), so that its cost is part of the measurement.
func afterRefresh(ctx context.Context, d *Data, e *engine.Engine, qs []engine.Query, n int) (bench.Durations, error) {
	old, _ := e.Directory(ctx)
	d.Advance(11 * time.Minute)
	out := make(bench.Durations, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			start := time.Now()
			_, errs[i] = e.IncidentContext(ctx, qs[i%len(qs)])
			out[i] = time.Since(start)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if cur, _ := e.Directory(ctx); cur != old {
			return out, nil
		}
		if time.Now().After(deadline) {
			return nil, errors.New("the directory was not rebuilt within a minute of the catalog refresh")
		}
	}
}

// Measure generates the organisation for spec and measures opsctx on it.
func Measure(ctx context.Context, spec Spec, o Options) (*Result, error) {
	if o.Calls <= 0 {
		o.Calls = 200
	}
	start := time.Now()
	d := Generate(spec)
	res := &Result{Spec: spec, Generate: time.Since(start)}
	res.HeapData = heapAfterGC() // also drops the generator's garbage before opsctx runs

	start = time.Now()
	_ = directory.Build([]directory.SourceCatalog{{Source: d.Catalog.SourceName, Catalog: d.Catalog.Cat}}, nil)
	res.Build = time.Since(start)
	runtime.GC() // the timing's directory is garbage now

	e := d.Engine(true)
	start = time.Now()
	ans, err := e.IncidentContext(ctx, engine.Query{Service: d.Target})
	if err != nil {
		return nil, err
	}
	res.Cold, res.Answer = time.Since(start), ans
	qs := rotation(d)
	for _, q := range qs { // prime every service of the rotation
		if _, err := e.IncidentContext(ctx, q); err != nil {
			return nil, err
		}
	}
	res.Join = make(bench.Durations, 0, o.Calls)
	for i := range o.Calls {
		start := time.Now()
		if _, err := e.IncidentContext(ctx, qs[i%len(qs)]); err != nil {
			return nil, err
		}
		res.Join = append(res.Join, time.Since(start))
	}
	if o.RefreshCallers > 0 {
		if res.AfterRefresh, err = afterRefresh(ctx, d, e, qs, o.RefreshCallers); err != nil {
			return nil, err
		}
	}
	if o.Sizes {
		if res.Sizes, err = bench.AnswerSizes(ctx, e, fmt.Sprintf("synthetic %d services", spec.Services), d.Target); err != nil {
			return nil, err
		}
	}
	res.HeapInuse = heapAfterGC()
	if o.ActiveIssues > 0 {
		if _, err := e.ActiveIssues(ctx, issues.Filter{}); err != nil { // primes the open-facts cache
			return nil, err
		}
		for range o.ActiveIssues {
			start := time.Now()
			if _, err := e.ActiveIssues(ctx, issues.Filter{}); err != nil {
				return nil, err
			}
			res.ActiveIssues = append(res.ActiveIssues, time.Since(start))
		}
	}
	runtime.KeepAlive(e)
	return res, nil
}

// rotation is the organisation's target plus nine other services spread over the catalog.
func rotation(d *Data) []engine.Query {
	qs := []engine.Query{{Service: d.Target}}
	for i := 1; i < 10 && i < len(d.Names); i++ {
		qs = append(qs, engine.Query{Service: d.Names[(i*7919)%len(d.Names)]})
	}
	return qs
}

func heapAfterGC() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
