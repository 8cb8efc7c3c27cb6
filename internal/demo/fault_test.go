package demo_test

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// faultDeadline is the answer deadline in the fault matrix; sources get the same timeout so
// that every fetch ends soon after the answer.
const faultDeadline = 6 * time.Second

type faultCase struct {
	name   string
	fault  fake.Fault
	refuse bool   // close the server: connection refused
	want   string // expected status of the faulty source; recovering faults may also leave a
	// catalog "still loading" when its retry outlives the catalog grace (busy machine)
	reason string // expected in its error ("a|b": either)
}

var faultCases = []faultCase{
	{name: "hang past deadline", fault: fake.Fault{Hang: true}, want: "error", reason: "deadline|still loading"},
	{name: "500", fault: fake.Fault{Status: 500, Body: `{"error":{"message":"boom"}}`}, want: "error", reason: "500"},
	{name: "502 then success", fault: fake.Fault{Status: 502, Times: 1, Body: "bad gateway"}, want: "ok|error", reason: "|still loading"},
	{name: "429 with Retry-After", fault: fake.Fault{Status: 429, Times: 1, Header: http.Header{"Retry-After": {"1"}}}, want: "ok|error", reason: "|still loading"},
	{name: "401", fault: fake.Fault{Status: 401, Body: `{"error":{"message":"Invalid credentials"}}`}, want: "error", reason: "401"},
	{name: "malformed JSON", fault: fake.Fault{Malformed: true}, want: "error", reason: "JSON"},
	{name: "truncated body", fault: fake.Fault{Truncate: true}, want: "error", reason: "EOF"},
	{name: "oversized body", fault: fake.Fault{Oversize: 33 << 20}, want: "error", reason: "limit"},
	{name: "connection refused", refuse: true, want: "error", reason: "refused"},
	{name: "slow trickle body", fault: fake.Fault{Trickle: 200 * time.Millisecond}, want: "error", reason: "deadline|still loading"},
}

// startDemo starts the demo with a short deadline and returns it with its engine.
func startDemo(t *testing.T, now func() time.Time) (*demo.Env, *engine.Engine) {
	t.Helper()
	env, err := demo.StartAt(context.Background(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	env.Config.Deadline = faultDeadline
	env.Config.SourceTimeout = faultDeadline
	return env, app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Now: now})
}

func statusOf(a *answer.IncidentContext, name string) answer.SourceEntry {
	for _, s := range a.Sources {
		if s.Name == name {
			return s
		}
	}
	return answer.SourceEntry{}
}

// TestFaultMatrix: every source × every fault — the answer arrives within the deadline,
// names the failing source and reason, and keeps every other source's data. The cases run
// concurrently (each with its own demo), then are checked one by one.
func TestFaultMatrix(t *testing.T) {
	probe, _ := startDemo(t, nil)
	if len(probe.Servers) == 0 {
		t.Skip("no vendor fakes in the demo yet")
	}
	type outcome struct {
		name, source string
		fc           faultCase
		ans          *answer.IncidentContext
		err          error
		took         time.Duration
	}
	var (
		mu       sync.Mutex
		outcomes []outcome
		wg       sync.WaitGroup
		slots    = make(chan struct{}, 4) // bounded, so healthy sources are not starved of CPU
	)
	for name := range probe.Servers {
		for _, fc := range faultCases {
			env, eng := startDemo(t, nil)
			wg.Add(1)
			go func() {
				defer wg.Done()
				slots <- struct{}{}
				defer func() { <-slots }()
				srv := env.Servers[name]
				if fc.refuse {
					srv.Refuse()
				} else {
					srv.AddFault(fc.fault)
				}
				start := time.Now()
				a, err := eng.IncidentContext(context.Background(), engine.Query{Service: demo.Checkout})
				mu.Lock()
				outcomes = append(outcomes, outcome{name + "/" + fc.name, name, fc, a, err, time.Since(start)})
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	sort.Slice(outcomes, func(i, j int) bool { return outcomes[i].name < outcomes[j].name })
	for _, o := range outcomes {
		t.Run(o.name, func(t *testing.T) {
			if o.err != nil {
				t.Fatalf("answer failed: %v", o.err)
			}
			if o.took > faultDeadline+time.Second {
				t.Errorf("answer took %v, deadline %v", o.took, faultDeadline)
			}
			st := statusOf(o.ans, o.source)
			named := false
			for _, r := range strings.Split(o.fc.reason, "|") {
				named = named || (r == "" && st.Error == "") || (r != "" && strings.Contains(strings.ToLower(st.Error), strings.ToLower(r)))
			}
			if !slices.Contains(strings.Split(o.fc.want, "|"), string(st.Status)) || !named {
				t.Errorf("%s status = %+v, want %s naming %q", o.source, st, o.fc.want, o.fc.reason)
			}
			for _, s := range o.ans.Sources {
				if s.Name != o.source && s.Status != model.StateOK && s.Status != model.StateDisabled {
					t.Errorf("healthy source %s affected: %+v", s.Name, s)
				}
			}
			if o.ans.Service.Name != demo.Checkout || len(o.ans.Owners) == 0 {
				t.Errorf("catalog data lost: %+v", o.ans.Service)
			}
		})
	}
}

// TestStaleServedOnFailure: after a good answer, a failing refresh serves the last good data
// marked stale with its as_of.
func TestStaleServedOnFailure(t *testing.T) {
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	env, eng := startDemo(t, now)
	if len(env.Servers) == 0 {
		t.Skip("no vendor fakes in the demo yet")
	}
	first, err := eng.IncidentContext(context.Background(), engine.Query{Service: demo.Checkout})
	if err != nil {
		t.Fatal(err)
	}
	for _, srv := range env.Servers {
		srv.AddFault(fake.Fault{Status: 503, Body: "down"})
	}
	offset.Store(int64(time.Hour)) // every TTL has expired
	a, err := eng.IncidentContext(context.Background(), engine.Query{Service: demo.Checkout})
	if err != nil {
		t.Fatal(err)
	}
	for name := range env.Servers {
		st, before := statusOf(a, name), statusOf(first, name)
		if before.Status != model.StateOK {
			continue // the source had nothing cached
		}
		// Stale as of the first answer's reads (the earliest of them may be a read that
		// needs no request, such as a neighbour's on-call where the source has none, and
		// so is fresh again), never as of now, an hour later.
		if st.Status != model.StateStale || st.AsOf.Before(before.AsOf) || st.AsOf.Sub(before.AsOf) > time.Minute || !strings.Contains(st.Error, "503") {
			t.Errorf("%s: status %+v, want stale as of the first answer's reads (%s)", name, st, before.AsOf)
		}
	}
	if len(a.OnCall)+len(a.Problems)+len(a.AlertGroups)+len(a.Changes) == 0 {
		t.Error("stale data not served")
	}
}

// TestRateLimitedSourceIsNotHammered: with a Retry-After longer than the deadline, each
// endpoint is asked once and the answer does not wait.
func TestRateLimitedSourceIsNotHammered(t *testing.T) {
	probe, _ := startDemo(t, nil)
	for name := range probe.Servers {
		t.Run(name, func(t *testing.T) {
			env, eng := startDemo(t, nil)
			srv := env.Servers[name]
			srv.AddFault(fake.Fault{Status: 429, Header: http.Header{"Retry-After": {"30"}, "X-Ratelimit-Period-In-Sec": {"30"}, "Ratelimit-Reset": {"30"}}})
			start := time.Now()
			a, err := eng.IncidentContext(context.Background(), engine.Query{Service: demo.Checkout})
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took > faultDeadline {
				t.Errorf("waited %v for a rate-limited source", took)
			}
			perPath := map[string]int{}
			for _, r := range srv.Requests() {
				perPath[r.Method+" "+r.Path+"?"+r.Query.Encode()]++
			}
			for p, n := range perPath {
				if n > 1 {
					t.Errorf("%s asked %d times despite Retry-After 30s", p, n)
				}
			}
			if st := statusOf(a, name); st.Status != model.StateError || !strings.Contains(st.Error, "429") {
				t.Errorf("status = %+v", st)
			}
		})
	}
}
