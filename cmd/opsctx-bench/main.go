// Command opsctx-bench runs the measurements of issue 7 and prints them as markdown: one
// table of measurements with their targets, the growth of the join with the catalog size,
// and the answer size per detail level.
//
//	go run ./cmd/opsctx-bench                       # everything, about 2 minutes on 2 cores
//	go run ./cmd/opsctx-bench -sections fanout,cache -reps 5
//	go run ./cmd/opsctx-bench -sections scale -growth 1000,10000,100000
//
// Sections: fanout (slow HTTP sources vs a sequential baseline), instances (12 Prometheus, 12
// Alertmanager and 3 Dynatrace instances vs one of each), replicas (two replicas sharing a
// real redis-server vs one, a shared 429, Redis killed mid-run), runson (a service on 3 hosts vs
// one on none), cache (repeat and warm calls),
// economy (upstream requests per source), tokens (answer sizes on the demo), http (concurrent
// MCP clients over streamable HTTP), load (bounded load with a failing source), hostile
// (unknown-service lookups with huge names on a 5,000-service catalog), scale
// (synthetic catalogs: join time, memory, growth). Progress goes to stderr, the tables to stdout.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/bench/instances"
	"github.com/opsctx/opsctx/internal/bench/load"
	"github.com/opsctx/opsctx/internal/bench/replicas"
	"github.com/opsctx/opsctx/internal/bench/runson"
	"github.com/opsctx/opsctx/internal/bench/scale"
	"github.com/opsctx/opsctx/internal/transport"
)

var allSections = []string{"fanout", "instances", "replicas", "runson", "cache", "economy", "tokens", "http", "load", "hostile", "entry", "scale", "cmdb"}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	sections    []string
	latency     time.Duration
	reps        int
	warmCalls   int
	httpClients int
	httpCalls   int
	loadFor     time.Duration
	scale       int
	growth      []int
	scaleCalls  int
	activeMax   int
	memLimit    int
}

// report collects what the sections measured.
type report struct {
	rows   []row
	growth []*scale.Result
	peak   map[int]uint64
	sizes  []bench.AnswerSize
	notes  []string
	// loadBefore is the 1-minute load average when the run started.
	loadBefore string
}

type row struct{ measurement, value, target, met string }

func (r *report) add(measurement, value, target string, met any) {
	m := "—"
	switch v := met.(type) {
	case bool:
		m = map[bool]string{true: "yes", false: "**no**"}[v]
	case string:
		m = v
	}
	if target == "" {
		target = "—"
	}
	r.rows = append(r.rows, row{measurement, value, target, m})
}

// list notes what, followed by items, when there are any (the sources that were not ok, the
// first errors).
func (r *report) list(what string, items []string) {
	if len(items) > 0 {
		r.notes = append(r.notes, what+": "+strings.Join(items, "; "))
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("opsctx-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sections := fs.String("sections", "all", "comma-separated sections: "+strings.Join(allSections, ",")+", or all")
	o := options{}
	fs.DurationVar(&o.latency, "latency", 200*time.Millisecond, "fanout: latency L of every HTTP fake")
	fs.IntVar(&o.reps, "reps", 3, "fanout: fresh engines measured (medians reported)")
	fs.IntVar(&o.warmCalls, "warm-calls", 1000, "cache: warm calls timed per variant")
	fs.IntVar(&o.httpClients, "http-clients", 64, "http, load: concurrent MCP clients")
	fs.IntVar(&o.httpCalls, "http-calls", 10000, "http: total calls")
	loadDefault := 12 * time.Second
	if s := os.Getenv("OPSCTX_LOAD_SECONDS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			loadDefault = time.Duration(n) * time.Second
		}
	}
	fs.DurationVar(&o.loadFor, "load-duration", loadDefault, "load: how long the clients call (default from OPSCTX_LOAD_SECONDS, else 12s)")
	fs.IntVar(&o.scale, "scale", 50000, "scale: services of the reference organisation (relations 4x, alerts /5, changes /25)")
	growth := fs.String("growth", "1000,5000,10000,50000", "scale: services per row of the growth table")
	fs.IntVar(&o.scaleCalls, "scale-calls", 200, "scale: cached incident_context calls timed per size")
	fs.IntVar(&o.activeMax, "active-issues-max", 10000, "scale: largest size at which unfiltered active_issues is timed (0 = never)")
	fs.IntVar(&o.memLimit, "memlimit-mib", 256, "scale: also measure the reference size under this soft memory limit (debug.SetMemoryLimit, like GOMEMLIMIT); 0 = skip")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *sections == "all" {
		o.sections = allSections
	} else {
		for _, s := range strings.Split(*sections, ",") {
			s = strings.TrimSpace(s)
			if !slices.Contains(allSections, s) {
				fmt.Fprintf(stderr, "opsctx-bench: unknown section %q (valid: %s)\n", s, strings.Join(allSections, ", "))
				return 2
			}
			o.sections = append(o.sections, s)
		}
	}
	for _, s := range strings.Split(*growth, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 10 {
			fmt.Fprintf(stderr, "opsctx-bench: -growth: %q is not a service count (>= 10)\n", s)
			return 2
		}
		o.growth = append(o.growth, n)
	}
	if !slices.Contains(o.growth, o.scale) {
		o.growth = append(o.growth, o.scale)
	}
	slices.Sort(o.growth)

	start := time.Now()
	r := &report{peak: map[int]uint64{}, loadBefore: bench.LoadAverage()}
	steps := map[string]func(context.Context, options, *report, io.Writer) error{
		"fanout": fanout, "instances": instancesSection, "replicas": replicasSection, "runson": runsOn, "cache": cacheSection, "economy": economy, "tokens": tokens,
		"http": httpSection, "load": loadSection, "hostile": hostile, "entry": entrySection, "scale": scaleSection, "cmdb": cmdbSection,
	}
	for _, s := range allSections { // fixed order: timing-sensitive first, memory-heavy last
		if !slices.Contains(o.sections, s) {
			continue
		}
		t0 := time.Now()
		fmt.Fprintf(stderr, "opsctx-bench: %s ...\n", s)
		if err := steps[s](ctx, o, r, stderr); err != nil {
			fmt.Fprintf(stderr, "opsctx-bench: %s: %v\n", s, err)
			return 1
		}
		fmt.Fprintf(stderr, "opsctx-bench: %s done in %s\n", s, time.Since(t0).Round(100*time.Millisecond))
	}
	writeReport(stdout, r, time.Since(start))
	return 0
}

// The peak RSS target of issue 7: 300 MB (decimal), i.e. 286 MiB.
const (
	rssLimit  = 300_000_000
	rssTarget = "≤ 300 MB (286 MiB)"
)

func ms(d time.Duration) string { return bench.FormatDuration(d) }

func inL(d, l time.Duration) string { return fmt.Sprintf("%.1f L", float64(d)/float64(l)) }

func fanout(ctx context.Context, o options, r *report, _ io.Writer) error {
	env, err := bench.StartDemo(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	f, err := bench.Fanout(ctx, env, bench.FanoutOptions{Latency: o.latency, Reps: o.reps})
	if err != nil {
		return err
	}
	l, tgt := f.Latency, f.Target()
	what := fmt.Sprintf("%d HTTP sources (+ local catalog files) at L = %s, median of %d fresh engines", f.HTTPSources, ms(l), o.reps)
	tt := fmt.Sprintf("≤ 1.1 L + 10 ms = %s", ms(tgt))
	r.add("Fan-out: catalog-warm incident_context (catalogs cached, per-service data cold), "+what,
		fmt.Sprintf("%s (%s)", ms(f.WarmCatalog.Median()), inL(f.WarmCatalog.Median(), l)), tt, f.WarmCatalog.Median() <= tgt)
	r.add("Fan-out: catalog-warm incident_context asked by host ("+bench.DemoHost+", resolved through ServiceNow Runs on::Runs), "+what,
		fmt.Sprintf("%s (%s)", ms(f.WarmHost.Median()), inL(f.WarmHost.Median(), l)), tt, f.WarmHost.Median() <= tgt)
	r.add("Fan-out: cold incident_context (fresh engine, empty cache, not signed in), "+what,
		fmt.Sprintf("%s (%s)", ms(f.Cold.Median()), inL(f.Cold.Median(), l)), tt+" (≥ 2 L by design: catalogs, then per-service; + 1 L sign-in)", f.Cold.Median() <= tgt)
	r.add("Snapshot: first incident_context of a fresh one-shot process (`opsctx context`) with a snapshot on disk, "+what,
		fmt.Sprintf("%s (%s); round trips per source: %s", ms(f.FromSnapshot.Median()), inL(f.FromSnapshot.Median(), l), bench.DepthSummary(f.SnapshotDepth)),
		tt+" (cold: 2 L and more)", f.FromSnapshot.Median() <= tgt)
	r.add("Fan-out: sign-in alone (Engine.SignIn on a fresh engine: the OAuth token, once per process as `serve` starts, then renewed in the background while in use)",
		fmt.Sprintf("%s (%s)", ms(f.SignIn.Median()), inL(f.SignIn.Median(), l)), "1 L", f.SignIn.Median() <= tgt)
	r.add("Fan-out: catalog phase alone (Engine.Directory on a fresh engine, signed in)",
		fmt.Sprintf("%s (%s)", ms(f.CatalogPhase.Median()), inL(f.CatalogPhase.Median(), l)), ms(tgt), f.CatalogPhase.Median() <= tgt)
	r.add("Fan-out: catalog phase on a fresh engine not signed in (the first request waits for the token)",
		fmt.Sprintf("%s (%s)", ms(f.CatalogPhaseUnsigned.Median()), inL(f.CatalogPhaseUnsigned.Median(), l)), "sign-in + catalog phase", nil)
	r.add("Fan-out: round trips in sequence per source at L (catalog + per-service; from each source's latency in the answer)",
		f.DepthSummary(), "1+1", maxDepth(f.Depth) <= 1)
	r.add("Sequential baseline, cold: every connector call one after another (same connectors)",
		fmt.Sprintf("%s (%s, %d calls)", ms(f.SeqCold()), inL(f.SeqCold(), l), len(f.Baseline)), "", nil)
	r.add("Sequential baseline, catalog-warm (its per-service calls only)",
		fmt.Sprintf("%s (%s)", ms(f.SeqWarmCatalog()), inL(f.SeqWarmCatalog(), l)), "", nil)
	r.add("Fan-out speed-up vs sequential: cold / catalog-warm",
		fmt.Sprintf("%.1f× / %.1f×", ratio(f.SeqCold(), f.Cold.Median()), ratio(f.SeqWarmCatalog(), f.WarmCatalog.Median())), "", nil)
	r.list("fan-out: sources not ok during the measurement (figures suspect)", f.Problems)
	return nil
}

func instancesSection(ctx context.Context, o options, r *report, _ io.Writer) error {
	res, err := instances.Measure(ctx, instances.Options{Latency: o.latency, Reps: o.reps})
	if err != nil {
		return err
	}
	l, tgt, b, m := res.Options.Latency, res.Target(), res.Base, res.Multi
	what := fmt.Sprintf("%d Prometheus + %d Alertmanager + %d Dynatrace instances (with the demo's other sources: %d HTTP instances) at L = %s, median of %d fresh engines",
		res.Options.Prometheus, res.Options.Alertmanager, res.Options.Dynatrace, m.HTTPSources, ms(l), res.Options.Reps)
	r.add("Instances: catalog-warm incident_context, "+what,
		fmt.Sprintf("%s (%s)", ms(m.WarmCatalog.Median()), inL(m.WarmCatalog.Median(), l)), fmt.Sprintf("≤ 1.1 L + 10 ms = %s", ms(tgt)), m.WarmCatalog.Median() <= tgt)
	r.add(fmt.Sprintf("Instances: baseline in the same run, one instance of each (%d HTTP instances)", b.HTTPSources),
		fmt.Sprintf("%s (%s); many / one = %.2f×", ms(b.WarmCatalog.Median()), inL(b.WarmCatalog.Median(), l), ratio(m.WarmCatalog.Median(), b.WarmCatalog.Median())), "", nil)
	r.add("Instances: the next answer on the same engine (another service: its data cold, the connections kept, as for serve's later questions), one instance of each → many; upstream requests",
		fmt.Sprintf("%s → %s (%s); %d → %d requests", ms(b.Next.Median()), ms(m.Next.Median()), inL(m.Next.Median(), l), b.NextRequests, m.NextRequests),
		fmt.Sprintf("≤ %s", ms(tgt)), m.Next.Median() <= tgt)
	r.add("Instances: CPU per catalog-warm answer (the process's user + system time, the fakes' serving included), one instance of each → many",
		fmt.Sprintf("%s → %s", ms(b.CPU.Median()), ms(m.CPU.Median())), "", nil)
	r.add("Instances: upstream requests per catalog-warm answer, one instance of each → many",
		fmt.Sprintf("%d → %d (%.1f×)", b.Requests, m.Requests, float64(m.Requests)/float64(max(b.Requests, 1))), "", nil)
	r.add("Instances: peak RSS while answering, one instance of each → many (the fakes run in the same process)",
		fmt.Sprintf("%s → %s (%.2f×)", bench.FormatBytes(b.PeakRSS), bench.FormatBytes(m.PeakRSS), float64(m.PeakRSS)/float64(max(b.PeakRSS, 1))), "", nil)
	r.list("instances: sources not ok during the measurement (figures suspect)", res.Problems)
	return nil
}

func replicasSection(ctx context.Context, o options, r *report, _ io.Writer) error {
	env, err := bench.StartDemo(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	redis, err := replicas.StartRedis(ctx)
	if err != nil {
		return err
	}
	defer redis.Kill()
	res, err := replicas.Measure(ctx, env, redis, replicas.Options{Clients: o.httpClients})
	if err != nil {
		return err
	}
	ro := res.Options
	what := fmt.Sprintf("%d clients × %d incident_context over the demo's %d services at L = %s, within one TTL", ro.Clients, ro.Calls, len(res.Services), ms(ro.Latency))
	one, shared := res.One-res.OneSignIns, res.Shared-res.SharedSignIns
	r.add("Replicas: upstream requests, one replica / two sharing Redis / two without it; "+what+
		"; sign-ins (OAuth token requests, one per replica and source by design: tokens are not shared) counted apart",
		fmt.Sprintf("%d / %d / %d (shared %.2f×, apart %.2f× one replica's); sign-ins %d / %d", res.One, res.Shared, res.Apart,
			float64(res.Shared)/float64(max(res.One, 1)), float64(res.Apart)/float64(max(res.One, 1)), res.OneSignIns, res.SharedSignIns),
		"two sharing = one, sign-ins apart", shared <= one)
	var per []string
	for _, n := range slices.Sorted(maps.Keys(res.PerSource)) {
		if v := res.PerSource[n]; v[0] != v[1] {
			per = append(per, fmt.Sprintf("%s %d → %d", n, v[0], v[1]))
		}
	}
	if len(per) == 0 {
		per = []string{"none"}
	}
	r.add("Replicas: sources whose requests differ, sign-ins apart, one replica → two sharing Redis (answers that read a source without Redis: a command over its budget)",
		fmt.Sprintf("%s (%d)", strings.Join(per, ", "), res.SharedDirect), "", nil)
	r.add("Replicas: a 429 (Retry-After 60 s) one replica met holds the other: PagerDuty requests of the first / of the other during the cool-down",
		fmt.Sprintf("%d / %d", res.CooldownFirst, res.CooldownOther), "other: 0", res.CooldownHeld)
	r.add("Replicas: Redis killed while two replicas answer (every kind fresh for 100 ms): failed answers; answers that say a source was read without the shared cache",
		fmt.Sprintf("%d of %d; %d", res.KilledFailed, res.KilledCalls, res.KilledDirect), "0 failed", res.KilledFailed == 0)
	return nil
}

// cmdbSection loads a 50,000-CI ServiceNow CMDB in pages of 1,000 at L, one page after another,
// 4 and 16 at once, and three times at the default concurrency (ServiceNow announces the
// total with the first page); the target is met by the median of the default's loads.
func cmdbSection(ctx context.Context, o options, r *report, _ io.Writer) error {
	def := config.DefaultServiceNowParallel
	loads, err := bench.LoadCMDB(ctx, 50000, o.latency, 1, 4, def, def, def, 16)
	if err != nil {
		return err
	}
	var parts, runs []string
	var defaults []bench.CMDBLoad
	for _, l := range loads {
		if l.Parallel == def {
			defaults = append(defaults, l)
			runs = append(runs, ms(l.Took))
			continue
		}
		label := fmt.Sprint(l.Parallel, " at once")
		if l.Parallel == 1 {
			label = "one after another"
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s, CPU %s)", label, ms(l.Took), inL(l.Took, o.latency), ms(l.CPU)))
	}
	slices.SortFunc(defaults, func(a, b bench.CMDBLoad) int { return cmp.Compare(a.Took, b.Took) })
	m := defaults[len(defaults)/2]
	median := m.Took
	parts = append(parts, fmt.Sprintf("**%d at once (default) %s** (median of %s; %s, CPU %s)", def, ms(median), strings.Join(runs, " / "),
		inL(median, o.latency), ms(m.CPU)))
	r.add(fmt.Sprintf("ServiceNow catalog load: %d CIs indexed, in pages of 1,000 at L = %s (%d requests each, every page read), by page concurrency (SERVICENOW_PARALLEL); CPU is the process's: opsctx decoding and indexing plus the in-process fake encoding",
		loads[0].Services, ms(o.latency), loads[0].Requests),
		strings.Join(parts, "; "), "≤ 2 s at the default", median <= 2*time.Second)
	return nil
}

func runsOn(ctx context.Context, o options, r *report, _ io.Writer) error {
	res, err := runson.Measure(ctx, runson.Options{Latency: o.latency, Reps: o.reps})
	if err != nil {
		return err
	}
	l, tgt := res.Options.Latency, res.Target()
	r.add(fmt.Sprintf("Runs on: catalog-warm incident_context for a service on %d hosts (runs_on read with the catalogs; changes, alerts and problems on the hosts in the service's requests; the hosts' owner's on-call beside them) at L = %s, median of %d fresh engines",
		res.RunsOn, ms(l), res.Options.Reps),
		fmt.Sprintf("%s (%s); vs checkout (no hosts) in the same run %s, %.2f×", ms(res.Ground.Median()), inL(res.Ground.Median(), l), ms(res.Base.Median()),
			ratio(res.Ground.Median(), res.Base.Median())), fmt.Sprintf("≤ 1.1 L + 10 ms = %s", ms(tgt)), res.Ground.Median() <= tgt)
	perService := 0
	for _, d := range res.Depth {
		perService = max(perService, d.PerService)
	}
	r.add("Runs on: round trips in sequence per source (catalog + per-service) for that answer; the hosts add none to the per-service phase",
		bench.DepthSummary(res.Depth), "per-service 1", perService <= 1)
	r.list("runs on: sources not ok during the measurement (figures suspect)", res.Problems)
	return nil
}

func maxDepth(ds []bench.SourceDepth) int {
	m := 0
	for _, d := range ds {
		m = max(m, d.Catalog, d.PerService)
	}
	return m
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func cacheSection(ctx context.Context, o options, r *report, _ io.Writer) error {
	env, err := bench.StartDemo(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	ec, err := bench.MeasureEconomy(ctx, env, bench.DemoService)
	if err != nil {
		return err
	}
	rep := 0
	for _, n := range ec.Repeat {
		rep += n
	}
	r.add("Cache: upstream requests for the same incident_context repeated inside the TTL (all fakes)", strconv.Itoa(rep), "0", rep == 0)
	w, err := bench.MeasureWarm(ctx, env, bench.DemoService, o.warmCalls)
	if err != nil {
		return err
	}
	r.add(fmt.Sprintf("Cache: warm incident_context server-side, whole tools/call in process (args, join, render, JSON), p50 / p99 of %d", len(w.Tool)),
		ms(w.Tool.Median())+" / "+ms(w.Tool.Percentile(99)), "p50 ≤ 1 ms", w.Tool.Median() <= time.Millisecond)
	r.add("Cache: the same call with mcp-go's run-time output-schema validation (opsctx validates in tests), p50 / p99",
		ms(w.ToolValidated.Median())+" / "+ms(w.ToolValidated.Percentile(99)), "—", nil)
	r.add("Cache: warm join alone (Engine.IncidentContext), p50 / p99",
		ms(w.Join.Median())+" / "+ms(w.Join.Percentile(99)), "p50 ≤ 1 ms", w.Join.Median() <= time.Millisecond)
	r.add("Cache: upstream requests during the warm calls", strconv.Itoa(w.Requests), "0", w.Requests == 0)
	return nil
}

func economy(ctx context.Context, _ options, r *report, _ io.Writer) error {
	env, err := bench.StartDemo(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	ec, err := bench.MeasureEconomy(ctx, env, bench.DemoService)
	if err != nil {
		return err
	}
	sum, dup := 0, 0
	for _, s := range ec.Sources() {
		n, d := ec.Cold[s], ec.Duplicates[s]
		sum, dup = sum+n, dup+d
		v := strconv.Itoa(n)
		if d > 0 {
			v += fmt.Sprintf(" (%d identical to an earlier one)", d)
		}
		r.add("Upstream requests per cold incident_context on the demo: "+s, v,
			fmt.Sprintf("≤ %d, no duplicates", bench.RequestBudget(s)), n <= bench.RequestBudget(s) && d == 0)
	}
	r.add("Upstream requests per cold incident_context on the demo: all sources", fmt.Sprintf("%d (%d duplicates)", sum, dup), "", nil)
	return nil
}

func tokens(ctx context.Context, _ options, r *report, _ io.Writer) error {
	env, err := bench.StartDemo(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	sizes, err := bench.AnswerSizes(ctx, bench.DemoEngine(env, nil), "demo", bench.DemoService)
	if err != nil {
		return err
	}
	r.sizes = append(r.sizes, sizes...)
	for _, s := range sizes {
		if s.Detail == "brief" {
			r.add(fmt.Sprintf("Answer size: brief incident_context on the demo, markdown text (%s)", bench.TokenEstimator),
				fmt.Sprintf("%d tokens (%d bytes; structuredContent %d more)", s.MarkdownTokens(), s.MarkdownBytes, s.JSONTokens()),
				fmt.Sprintf("≤ %d", bench.BriefTokenBudget), s.MarkdownTokens() <= bench.BriefTokenBudget)
		}
	}
	return nil
}

func httpSection(ctx context.Context, o options, r *report, _ io.Writer) error {
	h, err := bench.HTTPRun(ctx, bench.HTTPOptions{Clients: o.httpClients, Calls: o.httpCalls})
	if err != nil {
		return err
	}
	what := fmt.Sprintf("HTTP: %d MCP clients over streamable HTTP on 127.0.0.1, %d calls (incident_context 3/4, find_service 1/4)", h.Clients, h.Calls)
	r.add(what+": protocol errors / tool errors", fmt.Sprintf("%d / %d", h.ProtocolErrors, h.ToolErrors), "0 / 0", h.ProtocolErrors == 0 && h.ToolErrors == 0)
	r.add("HTTP: client-observed latency p50 / p99 (server and clients share the CPUs)",
		ms(h.Latency.Median())+" / "+ms(h.Latency.Percentile(99)), "", nil)
	r.add("HTTP: throughput", fmt.Sprintf("%.0f calls/s (%s)", h.Throughput(), ms(h.Elapsed)), "", nil)
	r.list("http: first protocol errors", h.Errors)
	r.list("http: first tool errors", h.ToolErrorTexts)
	return nil
}

func loadSection(ctx context.Context, o options, r *report, _ io.Writer) error {
	l, err := load.Measure(ctx, load.Options{Clients: o.httpClients, Duration: o.loadFor})
	if err != nil {
		return err
	}
	lo := l.Options
	what := fmt.Sprintf("Load: %d clients for %s, %s answering 503 for %s every %s, cache TTL %s",
		lo.Clients, lo.Duration, lo.FaultSource, lo.FaultFor, lo.FaultEvery, lo.CacheTTL)
	r.add(what+": protocol errors", fmt.Sprintf("%d of %d calls (%d tool errors)", l.ProtocolErrors, l.Calls, l.ToolErrors), "0", l.ProtocolErrors == 0)
	bad := l.Watched["error"] + l.Watched["stale"]
	r.add(fmt.Sprintf("Load: answers that report the failing %s (stale or error), over %d fault windows", lo.FaultSource, l.FaultWindows),
		fmt.Sprintf("%d stale + %d error of %d", l.Watched["stale"], l.Watched["error"], l.Watched["ok"]+bad), "> 0", bad > 0)
	r.add("Load: latency p50 / p99", ms(l.Latency.Median())+" / "+ms(l.Latency.Percentile(99)), "", nil)
	r.add("Load: goroutines at baseline → after (clients closed, fetches ended)",
		fmt.Sprintf("%d → %d", l.GoroutinesBefore, l.GoroutinesAfter), fmt.Sprintf("≤ +%d", load.GoroutineSlack), l.GoroutinesFlat())
	r.add("Load: heap in use after GC, baseline → after",
		bench.FormatBytes(l.HeapBefore)+" → "+bench.FormatBytes(l.HeapAfter), fmt.Sprintf("≤ +25 %% + %s", bench.FormatBytes(load.HeapSlack)), l.HeapFlat())
	r.list("load: first protocol errors", l.Errors)
	r.list("load: first tool errors", l.ToolErrorTexts)
	return nil
}

func hostile(ctx context.Context, _ options, r *report, _ io.Writer) error {
	const services, calls = 5000, 20
	h, err := scale.MeasureHostile(ctx, services, calls)
	if err != nil {
		return err
	}
	for _, t := range []struct {
		name string
		l    scale.Lookups
	}{{"the stdio transport over pipes", h.Stdio}, {"streamable HTTP on loopback", h.HTTP}} {
		l := t.l
		what := fmt.Sprintf("Hostile: unknown service on a %d-service catalog, whole tools/call through %s (who_owns), p50 of %d: ", services, t.name, calls)
		r.add(what+"a near miss (\"did you mean\" suggestions), the everyday baseline", ms(l.Typo.Median()), "", nil)
		r.add(what+"the longest allowed name (256 characters)", fmt.Sprintf("%s (%.2f× the near miss)", ms(l.AtLimit.Median()),
			ratio(l.AtLimit.Median(), l.Typo.Median())), "", nil)
		for _, size := range scale.LongSizes {
			d, how := l.Long[size], "decoded by mcp-go, refused by the argument limit"
			if size > transport.MaxMessageBytes {
				how = fmt.Sprintf("past the %s message cap: answered by the transport's guard from a token scan", bench.FormatBytes(transport.MaxMessageBytes))
			}
			r.add(what+bench.FormatBytes(uint64(size))+" name ("+how+")",
				fmt.Sprintf("%s (%.2f× the near miss); error %d bytes", ms(d.Median()), ratio(d.Median(), l.Typo.Median()), l.Echo),
				"tool error ≤ 10 ms", d.Median() <= 10*time.Millisecond)
		}
	}
	r.add("Hostile: process CPU in the second after a stdio client hung up with 8 lookups of the longest allowed name in flight (idle second before)",
		fmt.Sprintf("%s (idle %s)", ms(h.CPUAfterCancel), ms(h.CPUIdle)), "no CPU after cancellation (≤ idle + 10 ms)",
		h.CPUAfterCancel <= h.CPUIdle+10*time.Millisecond)
	return nil
}

func scaleSection(ctx context.Context, o options, r *report, stderr io.Writer) error {
	for _, n := range o.growth {
		if err := bench.ResetPeakRSS(); err != nil {
			r.notes = append(r.notes, "peak RSS not reset per size: "+err.Error())
		}
		ai := 0
		if n <= o.activeMax {
			ai = 1
		}
		t0 := time.Now()
		res, err := scale.Measure(ctx, scale.SpecFor(n), scale.Options{Calls: o.scaleCalls, ActiveIssues: ai, Sizes: n == o.scale, RefreshCallers: 8})
		if err != nil {
			return fmt.Errorf("%d services: %w", n, err)
		}
		if p, err := bench.PeakRSS(); err == nil {
			r.peak[n] = p
		}
		fmt.Fprintf(stderr, "opsctx-bench:   %d services in %s\n", n, time.Since(t0).Round(100*time.Millisecond))
		r.growth = append(r.growth, res)
		if n == o.scale {
			r.sizes = append(r.sizes, res.Sizes...)
			sp := res.Spec
			what := fmt.Sprintf("Scale %d services / %d relations / %d teams / %d open alerts / %d changes (fake.Memory sources)",
				sp.Services, sp.Relations, sp.Teams, sp.Alerts, sp.Changes)
			r.add(what+": join p50 / p99, incident_context with data cached",
				ms(res.Join.Median())+" / "+ms(res.Join.Percentile(99)), "p50 ≤ 50 ms", res.Join.Median() <= 50*time.Millisecond)
			if p, ok := r.peak[n]; ok {
				r.add(fmt.Sprintf("Scale %d: peak RSS of the process while generating, answering and rebuilding after a catalog refresh (VmHWM, reset before the size; default GOGC)", n),
					bench.FormatBytes(p), rssTarget, p <= rssLimit)
			}
			r.add(fmt.Sprintf("Scale %d: heap in use after GC: total / the sources' data alone / opsctx (directory, cache)", n),
				fmt.Sprintf("%s / %s / %s", bench.FormatBytes(res.HeapInuse), bench.FormatBytes(res.HeapData), bench.FormatBytes(res.HeapInuse-min(res.HeapInuse, res.HeapData))), "", nil)
			r.add(fmt.Sprintf("Scale %d: first answer, cold (fetch from memory + directory build)", n), ms(res.Cold), "", nil)
			r.add(fmt.Sprintf("Scale %d: directory build alone (directory.Build; on every catalog refresh)", n), ms(res.Build), "", nil)
			r.add(fmt.Sprintf("Scale %d: 8 concurrent incident_context (different services) right after the catalogs expire, fastest / slowest", n),
				ms(res.AfterRefresh.Percentile(1))+" / "+ms(res.AfterRefresh.Max()), "p50 ≤ 50 ms", res.AfterRefresh.Median() <= 50*time.Millisecond)
		}
	}
	if o.memLimit > 0 {
		limit := int64(o.memLimit) << 20
		prev := debug.SetMemoryLimit(limit)
		_ = bench.ResetPeakRSS()
		res, err := scale.Measure(ctx, scale.SpecFor(o.scale), scale.Options{Calls: o.scaleCalls, RefreshCallers: 8})
		debug.SetMemoryLimit(prev)
		if err != nil {
			return fmt.Errorf("%d services with a memory limit: %w", o.scale, err)
		}
		if p, err := bench.PeakRSS(); err == nil {
			r.add(fmt.Sprintf("Scale %d, same run under a soft memory limit of %d MiB (debug.SetMemoryLimit = GOMEMLIMIT): peak RSS / join p50 / first answer (cold) / slowest after catalog refresh", o.scale, o.memLimit),
				fmt.Sprintf("%s / %s / %s / %s", bench.FormatBytes(p), ms(res.Join.Median()), ms(res.Cold), ms(res.AfterRefresh.Max())), rssTarget, p <= rssLimit)
		}
	}
	var last *scale.Result
	for _, g := range r.growth {
		if len(g.ActiveIssues) > 0 {
			last = g
		}
	}
	if last != nil {
		r.add(fmt.Sprintf("Scale %d: active_issues without filter (%d open alerts, %d problems through the join), cached", last.Spec.Services, last.Spec.Alerts+5, last.Spec.Problems+1),
			ms(last.ActiveIssues.Median()), "", nil)
	}
	return nil
}

func writeReport(w io.Writer, r *report, took time.Duration) {
	fmt.Fprintf(w, "# opsctx-bench\n\n%s %s/%s, %d CPUs, %s; run took %s; 1-min load average %s before, %s after (above 0.5 before means other processes shared the CPUs).\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), time.Now().UTC().Format(time.RFC3339), took.Round(time.Second),
		or(r.loadBefore, "?"), or(bench.LoadAverage(), "?"))
	if len(r.rows) > 0 {
		fmt.Fprintln(w, "| measurement | value | target | met |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, x := range r.rows {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", cell(x.measurement), cell(x.value), cell(x.target), x.met)
		}
		fmt.Fprintln(w)
	}
	if len(r.growth) > 0 {
		fmt.Fprintln(w, "## Growth with the catalog size (relations 4×, alerts ÷5, changes ÷25, teams ÷100 of the services)")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| services | relations | open alerts | changes | directory build | first answer (cold) | join p50 | join p99 | after catalog refresh, slowest of 8 | active_issues, all open | heap in use | peak RSS |")
		fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, g := range r.growth {
			ai := "not run"
			if len(g.ActiveIssues) > 0 {
				ai = ms(g.ActiveIssues.Median())
			}
			peak := "n/a"
			if p, ok := r.peak[g.Spec.Services]; ok {
				peak = bench.FormatBytes(p)
			}
			fmt.Fprintf(w, "| %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", g.Spec.Services, g.Spec.Relations, g.Spec.Alerts+5,
				g.Spec.Changes+3, ms(g.Build), ms(g.Cold), ms(g.Join.Median()), ms(g.Join.Percentile(99)), ms(g.AfterRefresh.Max()), ai,
				bench.FormatBytes(g.HeapInuse), peak)
		}
		fmt.Fprintln(w)
	}
	if len(r.sizes) > 0 {
		fmt.Fprintf(w, "## Answer size of incident_context per detail level (%s; both the text and the structuredContent are sent)\n\n", bench.TokenEstimator)
		fmt.Fprintln(w, "| dataset | service | detail | markdown bytes | markdown tokens | structuredContent bytes | structuredContent tokens | total tokens |")
		fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---:|---:|")
		for _, s := range r.sizes {
			fmt.Fprintf(w, "| %s | %s | %s | %d | %d | %d | %d | %d |\n", s.Dataset, s.Service, s.Detail, s.MarkdownBytes, s.MarkdownTokens(),
				s.JSONBytes, s.JSONTokens(), s.MarkdownTokens()+s.JSONTokens())
		}
		fmt.Fprintln(w)
	}
	for _, n := range r.notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// entrySection times resolving each entry point to its service on the scale organisation
// (warm engine), against the name lookup in the same run.
func entrySection(ctx context.Context, o options, r *report, _ io.Writer) error {
	res, err := scale.MeasureEntry(ctx, scale.SpecFor(o.scale), o.scaleCalls)
	if err != nil {
		return err
	}
	base := res.Name.Median()
	r.add(fmt.Sprintf("Entry points on %d services: resolving a service name (Engine.Resolve, warm), p50 / p99", o.scale),
		ms(base)+" / "+ms(res.Name.Percentile(99)), "the baseline", nil)
	for _, x := range []struct {
		what string
		d    bench.Durations
	}{
		{"a repository (git@github.com:Corp/svc.git)", res.Repo},
		{"a monorepo URL into a folder (…/blob/main/services/svc/cmd/main.go)", res.Monorepo},
		{"a local checkout path (workspace walk + origin remote + monorepo folder)", res.Path},
		{"a host running one service (FQDN)", res.Host},
		{"a host running two (with port; the one in trouble, from what is open on each, cached)", res.SharedHost},
		{"a Kubernetes namespace/workload", res.Workload},
	} {
		if len(x.d) == 0 {
			continue
		}
		extra := x.d.Median() - base
		r.add(fmt.Sprintf("Entry points on %d services: resolving %s, p50 / p99 (p50 beyond the name lookup)", o.scale, x.what),
			fmt.Sprintf("%s / %s (%+.2f ms)", ms(x.d.Median()), ms(x.d.Percentile(99)), float64(extra)/float64(time.Millisecond)),
			"≤ 1 ms beyond the name lookup", extra <= time.Millisecond)
	}
	return nil
}
