package servicenow

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/httpx"
)

func TestPacerHalvesOncePerEvent(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel() // a page that must wait fails at once instead
	p := newPacer(8, nil)
	var gens []int
	for range 8 {
		gen, err := p.acquire(done)
		if err != nil {
			t.Fatalf("page within the bound: %v", err)
		}
		gens = append(gens, gen)
	}
	if _, err := p.acquire(done); err == nil {
		t.Fatal("a ninth page went out beyond the bound of 8")
	}
	steps := []struct {
		name      string
		gen       int // generation of the page answered 429
		wantLimit int
	}{
		{"the first 429 halves", gens[0], 4},
		{"another page of the same burst does not", gens[1], 4},
		{"a 429 to a page sent at 4 halves again", 1, 2},
		{"and again", 2, 1},
		{"never below one", 3, 1},
	}
	for _, s := range steps {
		p.throttled(s.gen)
		if p.limit != s.wantLimit {
			t.Errorf("%s: bound %d, want %d", s.name, p.limit, s.wantLimit)
		}
	}
	for range 8 {
		p.release()
	}
	if _, err := p.acquire(done); err != nil {
		t.Fatalf("one page at a time after the halvings: %v", err)
	}
	if _, err := p.acquire(done); err == nil {
		t.Fatal("a second page went out beyond the bound of 1")
	}
}

// TestRateLimitMidLoadSlowsPages: the instance's rate-limit rule answers 429 (Retry-After)
// in the middle of a paged listing read 8 pages at a time. The call waits and is retried,
// the rest of the listing goes out at most 4 pages at a time, and every page is read.
func TestRateLimitMidLoadSlowsPages(t *testing.T) {
	const cis, page, parallel = 2000, 100, 8
	// The catalog's first requests (the first CI page, the relations, the placements and the
	// crossing relations) and the next 8 pages fit the rule; the pages after them get 429.
	o := creds
	o.RateLimit, o.RateWindow = 12, 3*time.Second
	srv := start(t, snfake.Generate(cis, 0, 5, 5), o)
	srv.SetLatency(50 * time.Millisecond) // pages overlap
	rec := &statuses{}
	c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL, Transport: rec,
		Auth: func(r *http.Request) { r.SetBasicAuth(o.Username, o.Password) }})
	t.Cleanup(c.CloseIdleConnections)
	s := New(Options{Client: c, InstanceURL: srv.URL, PageSize: page, Parallel: parallel})
	var mu sync.Mutex
	var peakBefore, after, peakAfter, lastLimit int
	s.testHookPaced = func(limit, busy int) {
		mu.Lock()
		defer mu.Unlock()
		if limit == parallel {
			peakBefore = max(peakBefore, busy)
		} else {
			after, peakAfter = after+1, max(peakAfter, busy)
		}
		lastLimit = limit
	}
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	read, throttled := rec.pages("/api/now/table/cmdb_ci_service")
	tests := []struct {
		name      string
		got, want any
	}{
		{"services", len(cat.Services), cis},
		{"pages read (every offset answered 200)", read, cis / page},
		{"pages answered 429 by the rate-limit rule", throttled > 0, true},
		{"pages at once before the 429 went above 4", peakBefore > parallel/2, true},
		{"pages let through after the 429", after > 0, true},
		{"pages at once after the 429 at most", peakAfter <= parallel/2, true},
		{"bound after the load below the configured one", lastLimit < parallel, true},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	t.Logf("%d pages answered 429; %d pages at once before, at most %d (bound %d) for the %d pages after",
		throttled, peakBefore, peakAfter, lastLimit, after)
}

// statuses is a transport that records the status of every answer by request URL.
type statuses struct {
	mu  sync.Mutex
	got []struct {
		path, offset string
		status       int
	}
}

func (s *statuses) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		s.mu.Lock()
		s.got = append(s.got, struct {
			path, offset string
			status       int
		}{r.URL.Path, r.URL.Query().Get("sysparm_offset"), res.StatusCode})
		s.mu.Unlock()
	}
	return res, err
}

// pages returns how many distinct offsets of path were answered 200, and how many answers
// were 429.
func (s *statuses) pages(path string) (read, throttled int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ok := map[string]bool{}
	for _, g := range s.got {
		switch {
		case !strings.HasSuffix(g.path, path):
		case g.status == http.StatusOK:
			ok[g.offset] = true
		case g.status == http.StatusTooManyRequests:
			throttled++
		}
	}
	return len(ok), throttled
}
