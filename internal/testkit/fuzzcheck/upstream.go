package fuzzcheck

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/httpx"
)

const (
	// RequestTimeout is the httpx budget of one request to an Upstream.
	RequestTimeout = 2 * time.Second
	// Deadline is the deadline of one connector call (for Call): a few requests' worth.
	Deadline = 5 * time.Second
)

// Upstream is a fake vendor API on 127.0.0.1 for fuzz targets that feed arbitrary bytes
// through a connector's real request and decoding path. Whatever the method and path, it
// answers with what the last Serve set (HTTP 200, Content-Type application/json and the
// fuzz input, by default) and counts the requests. A fuzz target makes one with
// NewUpstream before f.Fuzz, and calls Serve first in each run:
//
//	u := fuzzcheck.NewUpstream(f, httpx.Options{Source: SourceName, Auth: Auth("fuzz-key")})
//	f.Fuzz(func(t *testing.T, body []byte) {
//		u.Serve(fuzzcheck.Answer{Body: body})
//		s := New(Options{Client: u.Client})
//		fuzzcheck.Call(t, SourceName, fuzzcheck.Deadline, "Catalog", s.Catalog)
//	})
type Upstream struct {
	// Client talks to the upstream, configured as NewUpstream's options say: give it to the
	// connector as its Options.Client.
	Client *httpx.Client

	answers  atomic.Pointer[[]Answer]
	requests atomic.Int64
}

// Answer is a response of an Upstream.
type Answer struct {
	// PathSuffix, when set, restricts the answer to requests whose URL path ends with it
	// (e.g. "/on-calls", for an endpoint whose body has another shape); an empty
	// PathSuffix answers any request.
	PathSuffix string
	// Status is the HTTP status; 0 means 200.
	Status int
	// Header holds response headers besides Content-Type: application/json (which it may
	// override), e.g. fuzzed paging headers. Each value is sent as HeaderValue keeps it,
	// and not at all when that is empty, so that a fuzzed value reaches the connector
	// rather than breaking the HTTP exchange.
	Header map[string]string
	// Body is the response body, usually the fuzz input; nil sends none.
	Body []byte
}

// NewUpstream starts an Upstream for the lifetime of tb (it is closed, and the client's
// idle connections with it, at cleanup), answering every request with an empty HTTP 200
// until Serve. o configures Client as the connector's own client would be (Source, Auth,
// Header: vendor auth and fixed headers), with these differences: o.BaseURL, when set, is
// a path prefix below the upstream's root (e.g. "/e/fuzz"), Timeout defaults to
// RequestTimeout, and retries are off (each request the connector makes reaches the
// upstream once).
func NewUpstream(tb testing.TB, o httpx.Options) *Upstream {
	tb.Helper()
	u := &Upstream{}
	srv := httptest.NewServer(http.HandlerFunc(u.serveHTTP))
	tb.Cleanup(srv.Close)
	o.BaseURL = srv.URL + o.BaseURL
	if o.Timeout <= 0 {
		o.Timeout = RequestTimeout
	}
	o.RetryMax = -1
	u.Client = httpx.New(o)
	tb.Cleanup(u.Client.CloseIdleConnections)
	return u
}

// Serve sets the answers to the requests from now on and resets Requests: each request gets
// the first of answers whose PathSuffix its path ends with, or an empty HTTP 200 when none
// does.
func (u *Upstream) Serve(answers ...Answer) {
	as := make([]Answer, len(answers))
	for i, a := range answers {
		h := make(map[string]string, len(a.Header))
		for k, v := range a.Header {
			if v = HeaderValue(v); v != "" {
				h[k] = v
			}
		}
		a.Header = h
		as[i] = a
	}
	u.answers.Store(&as)
	u.requests.Store(0)
}

// Requests is the number of requests the upstream received since the last Serve.
func (u *Upstream) Requests() int64 { return u.requests.Load() }

func (u *Upstream) serveHTTP(w http.ResponseWriter, r *http.Request) {
	u.requests.Add(1)
	answers := u.answers.Load()
	if answers == nil {
		return
	}
	for _, a := range *answers {
		if !strings.HasSuffix(r.URL.Path, a.PathSuffix) {
			continue
		}
		w.Header().Set("Content-Type", "application/json")
		for k, v := range a.Header {
			w.Header().Set(k, v)
		}
		if a.Status != 0 {
			w.WriteHeader(a.Status)
		}
		if a.Body != nil {
			_, _ = w.Write(a.Body)
		}
		return
	}
}

// HeaderValue keeps the bytes of a fuzzed header value that an HTTP header can carry: it
// drops control characters and invalid UTF-8 (others would only make the exchange fail).
func HeaderValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return -1
		}
		return r
	}, s)
}
