package servicenow

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/httpx"
)

// Scale of the large-CMDB test and benchmark.
const (
	bigCIs, bigRels, bigGroups, bigUsers = 10000, 40000, 250, 1000
)

// bigRequests is the request count a big CMDB load must take: one per page, and one for the
// relations crossing the class boundary (none: every CI is a service). The owners come with
// the CIs as dot-walked fields: no group or user lookup.
func bigRequests(pageSize int) int {
	pages := func(n, per int) int { return (n + per - 1) / per }
	return pages(bigCIs, pageSize) + pages(bigRels, pageSize) + 2 // + the crossing and the placement relations
}

func TestLargeCMDBLoadsInPages(t *testing.T) {
	if testing.Short() {
		t.Skip("large CMDB")
	}
	t.Parallel()
	srv := start(t, snfake.Generate(bigCIs, bigRels, bigGroups, bigUsers), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{MaxRows: 50000})
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Services) != bigCIs || len(cat.Dependencies) != bigRels || len(cat.Teams) != bigGroups ||
		len(cat.People) != bigUsers || cat.Truncated {
		t.Errorf("loaded %d services, %d edges, %d teams, %d people, truncated=%v; want %d, %d, %d, %d, false",
			len(cat.Services), len(cat.Dependencies), len(cat.Teams), len(cat.People), cat.Truncated,
			bigCIs, bigRels, bigGroups, bigUsers)
	}
	// 10 CI pages + 40 relation pages + 1 crossing-relation page + 1 placement page; no owner lookup.
	if got, want := len(srv.Requests()), bigRequests(DefaultPageSize); got != want {
		t.Errorf("requests = %d, want %d (one per page)", got, want)
	}
	t.Logf("%d CIs, %d relations in %d requests", bigCIs, bigRels, len(srv.Requests()))
}

func TestLargeCMDBDefaultCapTruncates(t *testing.T) {
	if testing.Short() {
		t.Skip("large CMDB")
	}
	srv := start(t, snfake.Generate(200, 800, 5, 5), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{MaxRows: 500, PageSize: 100})
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !cat.Truncated || len(cat.Dependencies) != 500 || len(cat.Services) != 200 {
		t.Errorf("truncated=%v edges=%d services=%d, want true 500 200", cat.Truncated, len(cat.Dependencies), len(cat.Services))
	}
}

// BenchmarkLoadCMDB loads a 10k-CI / 40k-relation CMDB from the fake and reports the
// requests per load: "local" measures the connector and fake, "latency=20ms" adds a
// per-request delay like a nearby instance (a real one is often slower), where page
// concurrency matters.
func BenchmarkLoadCMDB(b *testing.B) {
	for _, lat := range []time.Duration{0, 20 * time.Millisecond} {
		name := "local"
		if lat > 0 {
			name = "latency=" + lat.String()
		}
		b.Run(name, func(b *testing.B) {
			srv := start(b, snfake.Generate(bigCIs, bigRels, bigGroups, bigUsers), creds)
			s := source(b, srv, "opsctx", "s3cret", Options{MaxRows: 50000})
			ctx := context.Background()
			if _, err := s.Catalog(ctx); err != nil { // warm the fake's query cache
				b.Fatal(err)
			}
			srv.SetLatency(lat)
			srv.Reset()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Catalog(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(srv.Requests()))/float64(b.N), "requests/op")
		})
	}
}

// TestListingsLoadBeside: the relation listings go out beside the CI listing, not after its
// pages: the CI listing's first page is held until a relation listing has asked (a connector
// that read the relations after the CIs would wait out the hold and fail).
func TestListingsLoadBeside(t *testing.T) {
	srv := start(t, snfake.Generate(300, 600, 5, 5), creds)
	rel := make(chan struct{})
	var once sync.Once
	var held atomic.Bool
	hold := roundTripper(func(r *http.Request) (*http.Response, error) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/cmdb_rel_ci"):
			once.Do(func() { close(rel) })
		case strings.HasSuffix(r.URL.Path, "/cmdb_ci_service") && r.URL.Query().Get("sysparm_offset") == "0":
			select {
			case <-rel:
			case <-time.After(10 * time.Second):
				held.Store(true)
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL, Transport: hold,
		Auth: func(r *http.Request) { r.SetBasicAuth(creds.Username, creds.Password) }})
	t.Cleanup(c.CloseIdleConnections)
	cat, err := New(Options{Client: c, InstanceURL: srv.URL, PageSize: 100}).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if held.Load() {
		t.Error("the CI listing's first page waited 10 s for a relation listing to start")
	}
	if len(cat.Services) != 300 || len(cat.Dependencies) != 600 {
		t.Errorf("%d services, %d dependencies; want 300, 600", len(cat.Services), len(cat.Dependencies))
	}
}

// roundTripper is an http.RoundTripper from a function.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestCatalogPagesShareOneBound: the pages after the first of the catalog's listings (the
// CIs and their relations, both many pages) go out Parallel at a time in all, not per listing.
func TestCatalogPagesShareOneBound(t *testing.T) {
	const parallel = 4
	srv := start(t, snfake.Generate(2000, 4000, 5, 5), creds)
	srv.SetLatency(20 * time.Millisecond) // pages overlap
	var mu sync.Mutex
	inFlight, peak, paged := 0, 0, map[string]int{}
	count := roundTripper(func(r *http.Request) (*http.Response, error) {
		later := r.URL.Query().Get("sysparm_no_count") == "true" // a page after a listing's first
		if later {
			mu.Lock()
			inFlight++
			peak = max(peak, inFlight)
			paged[r.URL.Path]++
			mu.Unlock()
		}
		res, err := http.DefaultTransport.RoundTrip(r)
		if later {
			mu.Lock()
			inFlight--
			mu.Unlock()
		}
		return res, err
	})
	c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL, Transport: count,
		Auth: func(r *http.Request) { r.SetBasicAuth(creds.Username, creds.Password) }})
	t.Cleanup(c.CloseIdleConnections)
	cat, err := New(Options{Client: c, InstanceURL: srv.URL, PageSize: 100, Parallel: parallel}).Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Services) != 2000 || len(cat.Dependencies) != 4000 {
		t.Errorf("%d services, %d dependencies; want 2000, 4000", len(cat.Services), len(cat.Dependencies))
	}
	if peak > parallel || len(paged) != 2 {
		t.Errorf("%d pages at once across the listings %v, want at most %d", peak, paged, parallel)
	}
}
