package dynatrace

// Fuzz targets: arbitrary bytes as the Environment API v2's response bodies, through the
// connector's real request, paging and decoding path (an upstream on 127.0.0.1 answers every
// request with HTTP 200 and the fuzz input), problem reference parsing, and the entity and
// event selectors built from a target. Seeds in testdata/fuzz are real responses of
// internal/fake/dynatrace (the demo scenario), polyglot and malformed bodies. Run one
// locally with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzResponses$' -fuzztime=5m ./connectors/dynatrace

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/fuzzcheck"
)

// fzNow is the fuzz targets' fixed clock.
var fzNow = time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)

// fzUpstream is an upstream that answers every request under the environment's path, with
// the connector's token auth.
func fzUpstream(f *testing.F) *fuzzcheck.Upstream {
	return fuzzcheck.NewUpstream(f, httpx.Options{Source: SourceName, BaseURL: "/e/fuzz",
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Api-Token dt0c01.FUZZ") }})
}

// fzSource follows at most 3 pages per list (a body with a nextPageKey is followed until then).
func fzSource(u *fuzzcheck.Upstream) *Source {
	return New(Options{Client: u.Client, EnvURL: "https://fuzz.live.dynatrace.com", MaxPages: 3,
		Logger: slog.New(slog.DiscardHandler)})
}

// fzCall runs one connector call under fuzzcheck.Deadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, SourceName, fuzzcheck.Deadline, what, call)
}

// FuzzResponses feeds the input as the body of every response to Catalog (entities),
// Problems and Changes (every open one; a target by this source's record, the entity
// annotation and a fuzzed identity), FindIncident (by display id: a problem list; by problem
// id: one problem), SLOs when the source serves them, and Check. Problem, event and entity
// pages share one envelope, so one body can answer every endpoint.
func FuzzResponses(f *testing.F) {
	u := fzUpstream(f)
	f.Fuzz(func(t *testing.T, body []byte, identity string) {
		u.Serve(fuzzcheck.Answer{Body: body})
		s := fzSource(u)
		tgt := model.Target{Name: "checkout", Since: fzNow.Add(-2 * time.Hour), Until: fzNow,
			Records: []model.Service{{ID: "SERVICE-5B2C1A9F0D3E7781", Name: "checkout-service", Source: SourceName},
				{ID: "component:default/checkout", Name: identity, Aliases: []string{identity}, Source: "catalogfile"}},
			Related: []model.Target{{Name: "orders-db", Records: []model.Service{{ID: "component:default/orders-db", Source: "catalogfile",
				Annotations: map[string]string{EntityAnnotation: "SERVICE-0D8E4A2C6B1F9925"}}}}, {Name: identity}}}
		fzCall(t, "Catalog", s.Catalog)
		for _, tt := range []model.Target{{}, tgt} {
			fzCall(t, "Problems", fuzzcheck.With(s.Problems, tt))
			fzCall(t, "Changes", fuzzcheck.With(s.Changes, tt))
			if slo, ok := any(s).(connectors.SLOs); ok {
				fzCall(t, "SLOs", func(ctx context.Context) (struct{}, error) { _, err := slo.SLOs(ctx, tt); return struct{}{}, err })
			}
		}
		for _, ref := range []string{"P-2311", "-5723950718830532608_1732600000000V2"} {
			fzCall(t, "FindIncident", fuzzcheck.With(s.FindIncident, ref))
		}
		fzCall(t, "Check", fuzzcheck.NoValue(s.Check))
	})
}

// FuzzFindIncident feeds an arbitrary reference and lookup body to FindIncident: references
// that are neither display ids (P-…) nor problem ids must give ErrNotFound without a
// request, and a found problem is Dynatrace's, named by an id.
func FuzzFindIncident(f *testing.F) {
	u := fzUpstream(f)
	f.Fuzz(func(t *testing.T, ref string, body []byte) {
		u.Serve(fuzzcheck.Answer{Body: body})
		ir, err := fzCall(t, "FindIncident", fuzzcheck.With(fzSource(u).FindIncident, ref))
		r := strings.TrimSpace(ref)
		if !displayIDPattern.MatchString(r) && !problemIDPattern.MatchString(r) &&
			(u.Requests() != 0 || !errors.Is(err, connectors.ErrNotFound)) {
			t.Errorf("FindIncident(%q) = %v after %d requests, want ErrNotFound without a request", ref, err, u.Requests())
		}
		if err == nil && (ir.ID == "" || ir.Source != SourceName) {
			t.Errorf("FindIncident(%q) = %+v: no id or another source", ref, ir)
		}
	})
}

// fzUnquoteSelector reads one quoted selector value ("..." with ~ escaping ~ and ") from the
// start of s and returns it with the rest of s.
func fzUnquoteSelector(s string) (v, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '~':
			if i+1 == len(s) {
				return "", s, false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", s, false
}

// FuzzSelector fuzzes the entity ids picked from a target (record, annotation, identities
// shaped like entity ids), their grouping by type and the entityId(...) criterion: every id
// is kept once, each group holds one type, and the criterion reads back (as Dynatrace
// unquotes it) to exactly the ids of the group.
func FuzzSelector(f *testing.F) {
	f.Fuzz(func(t *testing.T, record, annotation, identity string) {
		tgt := model.Target{Name: identity, Records: []model.Service{{ID: record, Source: SourceName},
			{ID: "component:default/x", Name: identity, Source: "catalogfile", Annotations: map[string]string{EntityAnnotation: annotation}}},
			Related: []model.Target{{Name: identity, Records: []model.Service{{ID: annotation, Source: SourceName}}}}}
		ids := entityIDs(SourceName, tgt, true)
		var flat []string
		for _, group := range byType(ids) {
			typ, _, _ := strings.Cut(group[0], "-")
			for _, id := range group {
				if p, _, _ := strings.Cut(id, "-"); p != typ {
					t.Errorf("group %q mixes types", group)
				}
			}
			flat = append(flat, group...)
			c := criterion("entityId", group...)
			rest, ok := strings.CutPrefix(c, "entityId(")
			if !ok || !strings.HasSuffix(rest, ")") {
				t.Fatalf("criterion %q is not entityId(...)", c)
			}
			rest = strings.TrimSuffix(rest, ")")
			var got []string
			for {
				v, r, ok := fzUnquoteSelector(rest)
				if !ok {
					t.Fatalf("criterion %q does not read back after %q", c, got)
				}
				got = append(got, v)
				if r == "" {
					break
				}
				if rest, ok = strings.CutPrefix(r, ","); !ok {
					t.Fatalf("criterion %q: %q after a value", c, r)
				}
			}
			if !slices.Equal(got, group) {
				t.Errorf("criterion %q reads back as %q, want %q", c, got, group)
			}
		}
		slices.Sort(flat)
		want := slices.Clone(ids)
		slices.Sort(want)
		if !slices.Equal(flat, want) || len(slices.Compact(slices.Clone(want))) != len(want) {
			t.Errorf("entity ids %q grouped as %q", ids, flat)
		}
		for _, id := range ids {
			if id == "" || id != strings.TrimSpace(id) {
				t.Errorf("entity id %q is empty or not trimmed", id)
			}
		}
	})
}
