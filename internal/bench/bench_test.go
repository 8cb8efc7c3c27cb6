package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"
	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/render"
	"github.com/opsctx/opsctx/internal/version"
	"github.com/opsctx/opsctx/tools"
)

// These tests assert counts only (upstream requests, errors, tokens, goroutines); timings are
// reported by the benchmarks below and by `go run ./cmd/opsctx-bench`, never judged here.

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func startDemo(tb testing.TB) *demo.Env {
	tb.Helper()
	env, err := StartDemo(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(env.Close)
	TrackEngines(env)
	tb.Cleanup(func() { CloseEngines(env) }) // first: no background warm outlives the fakes
	return env
}

// TestCacheHitMakesNoUpstreamRequests: the same question inside the TTL is answered from the
// cache without a single upstream request.
func TestCacheHitMakesNoUpstreamRequests(t *testing.T) {
	env := startDemo(t)
	ec, err := MeasureEconomy(context.Background(), env, DemoService)
	if err != nil {
		t.Fatal(err)
	}
	if total(ec.Cold) == 0 {
		t.Fatal("the cold answer made no upstream request: the demo fakes are not wired")
	}
	for _, s := range ec.Sources() {
		if ec.Repeat[s] != 0 {
			t.Errorf("%s: %d upstream requests for a repeated question inside the TTL, want 0", s, ec.Repeat[s])
		}
	}
	w, err := MeasureWarm(context.Background(), env, DemoService, 20)
	if err != nil {
		t.Fatal(err)
	}
	if w.Requests != 0 {
		t.Errorf("%d upstream requests during warm calls, want 0", w.Requests)
	}
}

// duplicateBudget bounds requests identical to an earlier one of the same answer (default 0).
var duplicateBudget = map[string]int{}

// TestUpstreamEconomy: every demo source is asked, and none more than its budget
// (RequestBudget).
func TestUpstreamEconomy(t *testing.T) {
	env := startDemo(t)
	ec, err := MeasureEconomy(context.Background(), env, DemoService)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range SourceNames(env) {
		n, budget := ec.Cold[s], RequestBudget(s)
		switch {
		case n == 0:
			t.Errorf("%s: no request for a cold incident_context; is the source wired?", s)
		case n > budget:
			t.Errorf("%s: %d requests for one cold incident_context, budget %d (N+1?):\n  %s", s, n, budget, strings.Join(ec.Paths[s], "\n  "))
		}
		if d := ec.Duplicates[s]; d > duplicateBudget[s] {
			t.Errorf("%s: %d requests identical to earlier ones of the same answer, budget %d:\n  %s", s, d, duplicateBudget[s], strings.Join(ec.Paths[s], "\n  "))
		}
	}
}

// TestBriefAnswerTokenBudget is an acceptance check of issue 6: on the demo, the brief
// incident_context answer (its markdown text) fits in BriefTokenBudget tokens (Tokens).
func TestBriefAnswerTokenBudget(t *testing.T) {
	env := startDemo(t)
	ans, err := DemoEngine(env, nil).IncidentContext(context.Background(), engine.Query{Service: DemoService, Detail: answer.DetailBrief})
	if err != nil {
		t.Fatal(err)
	}
	md := render.IncidentContext(ans)
	if got := Tokens(len(md)); got > BriefTokenBudget {
		t.Errorf("brief answer on the demo: %d tokens (%s), budget %d; per section:\n%s", got, TokenEstimator, BriefTokenBudget, sectionTokens(md))
	}
}

// sectionTokens lists the estimated tokens of each "## " section of a markdown answer.
func sectionTokens(md string) string {
	var b strings.Builder
	for i, part := range strings.Split(md, "\n## ") {
		name, _, _ := strings.Cut(part, "\n")
		if i == 0 {
			name = "title and headline"
		}
		if j := strings.LastIndex(part, "\nSources:"); j >= 0 {
			fmt.Fprintf(&b, "  %-32s %5d\n", name, Tokens(j))
			name, part = "sources line", part[j:]
		}
		fmt.Fprintf(&b, "  %-32s %5d\n", name, Tokens(len(part)))
	}
	return b.String()
}

// TestHTTPClients: concurrent MCP clients over streamable HTTP on loopback, against the
// production server on the demo: no protocol error and no tool error.
func TestHTTPClients(t *testing.T) {
	env := startDemo(t)
	srv, err := StartServer(DemoEngine(env, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Close(); err != nil {
			t.Errorf("server: %v", err)
		}
	}()
	ctx := context.Background()
	cs, err := DialAll(ctx, srv.URL, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer CloseAll(cs)
	r := Drive(ctx, cs, DriveOptions{Calls: 400})
	if r.Calls != 400 || r.ProtocolErrors != 0 || r.ToolErrors != 0 {
		t.Errorf("8 clients x 50 calls: %d calls, %d protocol errors, %d tool errors; want 400, 0, 0; first errors: %v",
			r.Calls, r.ProtocolErrors, r.ToolErrors, r.Errors)
	}
}

// TestFanoutRuns checks the fan-out machinery with a small latency: every answer complete,
// a baseline call per capability, a depth per source. (The figures are the command's job.)
func TestFanoutRuns(t *testing.T) {
	env := startDemo(t)
	r, err := Fanout(context.Background(), env, FanoutOptions{Latency: 20 * time.Millisecond, Reps: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) > 0 {
		t.Errorf("sources not ok during the fan-out: %v", r.Problems)
	}
	srcs := map[string]bool{}
	for _, c := range r.Baseline {
		srcs[c.Source] = true
	}
	for _, s := range SourceNames(env) {
		if !srcs[s] {
			t.Errorf("the sequential baseline never called %s", s)
		}
	}
	if len(r.SignIn) != 1 || len(r.CatalogPhaseUnsigned) != 1 || !srcs["servicenow"] || r.Baseline[0].Call != "sign-in" {
		t.Errorf("sign-in not measured: %v, %v; baseline starts with %+v", r.SignIn, r.CatalogPhaseUnsigned, r.Baseline[0])
	}
	if len(r.Depth) < len(env.Servers) {
		t.Errorf("depth for %d sources, want at least %d: %s", len(r.Depth), len(env.Servers), r.DepthSummary())
	}
}

// TestSignInSparesTheCatalogPhase: after Engine.SignIn (what `serve` does as it starts) the
// catalog phase asks ServiceNow for no token; without it, its first request waits for one.
func TestSignInSparesTheCatalogPhase(t *testing.T) {
	env := startDemo(t)
	sn := env.Servers["servicenow"]
	const tokenPath = "/oauth_token.do"
	ctx := context.Background()
	for _, signIn := range []bool{true, false} {
		e := DemoEngine(env, nil)
		ResetRequests(env)
		if signIn {
			for _, st := range e.SignIn(ctx) {
				if st.Status != "ok" {
					t.Fatalf("sign-in: %+v", st)
				}
			}
			if n := sn.Count(tokenPath); n != 1 {
				t.Fatalf("sign-in sent %d token requests, want 1", n)
			}
			sn.Reset()
		}
		if _, st := e.Directory(ctx); len(st) == 0 {
			t.Fatal("no catalog statuses")
		}
		want := 0
		if !signIn {
			want = 1
		}
		if n, all := sn.Count(tokenPath), sn.Count(""); n != want || all <= n {
			t.Errorf("signed in %v: %d token requests of %d in the catalog phase, want %d and table reads", signIn, n, all, want)
		}
	}
}

// BenchmarkIncidentContextWarm is the join alone for a cached demo answer.
func BenchmarkIncidentContextWarm(b *testing.B) {
	env := startDemo(b)
	now := time.Now()
	e := DemoEngine(env, func() time.Time { return now })
	ctx := context.Background()
	q := engine.Query{Service: DemoService}
	if _, err := e.IncidentContext(ctx, q); err != nil {
		b.Fatal(err)
	}
	ResetRequests(env)
	for b.Loop() {
		if _, err := e.IncidentContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(total(Requests(env)))/float64(b.N), "upstream-req/op")
}

// BenchmarkToolCallWarm is the whole server-side tools/call (HandleMessage plus the JSON
// encoding of the response) for a cached demo answer, on the production server and on one
// with mcp-go's run-time output-schema validation.
func BenchmarkToolCallWarm(b *testing.B) {
	env := startDemo(b)
	now := time.Now()
	e := DemoEngine(env, func() time.Time { return now })
	msg := toolCallMessage("incident_context", map[string]any{"service": DemoService})
	for _, bc := range []struct {
		name string
		s    *server.MCPServer
	}{{"production", tools.NewServer(tools.Deps{Engine: e}, version.Version)}, {"validated", ValidatingServer(e)}} {
		b.Run(bc.name, func(b *testing.B) {
			if err := callInProcess(context.Background(), bc.s, msg); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := callInProcess(context.Background(), bc.s, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFanout measures cold and catalog-warm answers with every demo fake answering
// after 200 ms, against the sequential baseline, and reports them as metrics (one
// repetition per iteration; use -benchtime=3x).
func BenchmarkFanout(b *testing.B) {
	env := startDemo(b)
	var cold, warm, seq Durations
	for b.Loop() {
		r, err := Fanout(context.Background(), env, FanoutOptions{Reps: 1})
		if err != nil {
			b.Fatal(err)
		}
		cold, warm = append(cold, r.Cold...), append(warm, r.WarmCatalog...)
		seq = append(seq, r.SeqCold())
	}
	b.ReportMetric(float64(cold.Median().Milliseconds()), "cold-ms")
	b.ReportMetric(float64(warm.Median().Milliseconds()), "warm-catalog-ms")
	b.ReportMetric(float64(seq.Median().Milliseconds()), "sequential-ms")
	b.ReportMetric(float64(seq.Median())/float64(cold.Median()), "speedup-x")
}

// BenchmarkHTTP drives b.N calls from 64 MCP clients over streamable HTTP on loopback.
func BenchmarkHTTP(b *testing.B) {
	env := startDemo(b)
	srv, err := StartServer(DemoEngine(env, nil))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	cs, err := DialAll(context.Background(), srv.URL, 64)
	if err != nil {
		b.Fatal(err)
	}
	defer CloseAll(cs)
	b.ResetTimer()
	r := Drive(context.Background(), cs, DriveOptions{Calls: b.N})
	b.StopTimer()
	if r.ProtocolErrors > 0 {
		b.Fatalf("%d protocol errors: %v", r.ProtocolErrors, r.Errors)
	}
	reportDurations(b, "call", r.Latency)
}

func reportDurations(b *testing.B, name string, d Durations) {
	b.ReportMetric(float64(d.Median().Microseconds()), name+"-p50-µs")
	b.ReportMetric(float64(d.Percentile(99).Microseconds()), name+"-p99-µs")
}
