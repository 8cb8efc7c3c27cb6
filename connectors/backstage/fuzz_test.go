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
	"testing"

	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/testkit/fuzzcheck"
)

// fzCall runs one connector call under fuzzcheck.Deadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, SourceName, fuzzcheck.Deadline, what, call)
}

// FuzzResponses feeds the input as the body of every response to Catalog (by-query pages
// with small pages and a small entity cap: a repeated cursor or the cap ends the paging),
// Entity (by-name, for a fuzzed entity reference) and Check. No more entities than the cap
// are read, and a reference that does not parse is refused without a request.
func FuzzResponses(f *testing.F) {
	u := fuzzcheck.NewUpstream(f, httpx.Options{Source: SourceName,
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer fuzz-token") }})
	f.Fuzz(func(t *testing.T, body []byte, ref string) {
		u.Serve(fuzzcheck.Answer{Body: body})
		s := New(Options{Client: u.Client, PageSize: 2, MaxEntities: 5})
		fzCall(t, "Catalog", s.Catalog)
		es, err := fzCall(t, "entities", func(ctx context.Context) ([]catalogmodel.Entity, error) {
			es, _, err := s.entities(ctx)
			return es, err
		})
		if err == nil && len(es) > 5 {
			t.Errorf("read %d entities, more than MaxEntities 5", len(es))
		}
		before := u.Requests()
		_, err = fzCall(t, "Entity", fuzzcheck.With(s.Entity, ref))
		if _, perr := catalogmodel.ParseRef(ref, "component"); perr != nil && (err == nil || u.Requests() != before) {
			t.Errorf("Entity(%q): unparsable reference gave %v after %d requests", ref, err, u.Requests()-before)
		}
		fzCall(t, "Check", fuzzcheck.NoValue(s.Check))
	})
}
