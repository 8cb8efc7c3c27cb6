package backstage

// Fuzz target: arbitrary bytes as the Backstage catalog API's response bodies, through the
// connector's real request, cursor paging and entity decoding path (an upstream on 127.0.0.1
// answers every request with HTTP 200 and the fuzz input). Seeds in testdata/fuzz are real
// responses of internal/fake/backstage (the demo catalog) and malformed ones. Run it
// locally with:
//
//	go test -run='^$' -fuzz='^FuzzResponses$' -fuzztime=5m ./connectors/backstage

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/fuzzcheck"
	"github.com/opsctx/opsctx/internal/httpx"
)

const (
	fzTimeout  = 2 * time.Second // httpx budget of one request
	fzDeadline = 5 * time.Second // deadline of one connector call
)

// fzUpstream answers every request with HTTP 200 and the current fuzz input as the body.
type fzUpstream struct {
	client   *httpx.Client
	body     atomic.Pointer[[]byte]
	requests atomic.Int64
}

func newFzUpstream(f *testing.F) *fzUpstream {
	u := &fzUpstream{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if b := u.body.Load(); b != nil {
			_, _ = w.Write(*b)
		}
	}))
	f.Cleanup(srv.Close)
	u.client = httpx.New(httpx.Options{Source: SourceName, BaseURL: srv.URL, Timeout: fzTimeout, RetryMax: -1,
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer fuzz-token") }})
	f.Cleanup(u.client.CloseIdleConnections)
	return u
}

// serve makes body the answer to every request and resets the request count.
func (u *fzUpstream) serve(body []byte) {
	u.body.Store(&body)
	u.requests.Store(0)
}

// fzCall runs one connector call under fzDeadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, SourceName, fzDeadline, what, call)
}

// FuzzResponses feeds the input as the body of every response to Catalog (by-query pages
// with small pages and a small entity cap: a repeated cursor or the cap ends the paging),
// Entity (by-name, for a fuzzed entity reference) and Check. No more entities than the cap
// are read, and a reference that does not parse is refused without a request.
func FuzzResponses(f *testing.F) {
	u := newFzUpstream(f)
	f.Fuzz(func(t *testing.T, body []byte, ref string) {
		u.serve(body)
		s := New(Options{Client: u.client, PageSize: 2, MaxEntities: 5})
		fzCall(t, "Catalog", s.Catalog)
		es, err := fzCall(t, "entities", func(ctx context.Context) ([]catalogmodel.Entity, error) {
			es, _, err := s.entities(ctx)
			return es, err
		})
		if err == nil && len(es) > 5 {
			t.Errorf("read %d entities, more than MaxEntities 5", len(es))
		}
		u.requests.Store(0)
		_, err = fzCall(t, "Entity", func(ctx context.Context) (catalogmodel.Entity, error) { return s.Entity(ctx, ref) })
		if _, perr := catalogmodel.ParseRef(ref, "component"); perr != nil && (err == nil || u.requests.Load() != 0) {
			t.Errorf("Entity(%q): unparsable reference gave %v after %d requests", ref, err, u.requests.Load())
		}
		fzCall(t, "Check", func(ctx context.Context) (struct{}, error) { return struct{}{}, s.Check(ctx) })
	})
}
