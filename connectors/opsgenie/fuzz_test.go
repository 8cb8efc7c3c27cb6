package opsgenie

// Fuzz targets: arbitrary bytes as Opsgenie's response bodies, through the connector's real
// request and decoding path (an upstream on 127.0.0.1 answers every request with HTTP 200
// and the fuzz input), plus the pure search-query and identifier helpers. Seeds in
// testdata/fuzz are real responses of internal/fake/opsgenie (the demo scenario), polyglot
// bodies and malformed bodies. Run one locally with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzResponses$' -fuzztime=5m ./connectors/opsgenie

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/fuzzcheck"
)

// fzUpstream is an upstream with the connector's API key auth.
func fzUpstream(f *testing.F) *fuzzcheck.Upstream {
	return fuzzcheck.NewUpstream(f, httpx.Options{Source: SourceName, Auth: Auth("fuzz-key")})
}

// fzServe answers on-call requests (/v2/schedules/{id}/on-calls) with oncall, since their
// data is an object where the schedule and escalation lists have an array, and every other
// request with body.
func fzServe(u *fuzzcheck.Upstream, body, oncall []byte) {
	u.Serve(fuzzcheck.Answer{PathSuffix: "/on-calls", Body: oncall}, fuzzcheck.Answer{Body: body})
}

// fzSource has small alert and user pages, so that a body announcing a next page is
// followed a few times and stops at MaxPages or MaxUserPages (quietly).
func fzSource(u *fuzzcheck.Upstream) *Source {
	return New(Options{Client: u.Client, PageSize: 2, MaxPages: 3, MaxUserPages: 3, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }})
}

// fzCall runs one connector call under fuzzcheck.Deadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, SourceName, fuzzcheck.Deadline, what, call)
}

// FuzzResponses feeds the first input as the body of every list response (alerts,
// schedules, escalations, users, alert count) and the second as the body of every on-call
// response, to Alerts (every open alert; a service with its neighbours), Responders (the
// team's schedules, escalation and on-call participants) and Check.
func FuzzResponses(f *testing.F) {
	u := fzUpstream(f)
	team := model.Target{Name: "checkout", Records: []model.Service{{ID: "component:default/checkout", Name: "checkout", Source: "catalogfile",
		Annotations: map[string]string{AnnotationTeam: "checkout"}}}, Related: []model.Target{{Name: "orders db"}}}
	f.Fuzz(func(t *testing.T, body, oncall []byte) {
		fzServe(u, body, oncall)
		s := fzSource(u)
		for _, tt := range []model.Target{{}, team} {
			fzCall(t, "Alerts", fuzzcheck.With(s.Alerts, tt))
		}
		fzCall(t, "Responders", fuzzcheck.With(s.Responders, team))
		fzCall(t, "Check", fuzzcheck.NoValue(s.Check))
	})
}

// FuzzFindIncident feeds an arbitrary reference and lookup body to FindIncident: references
// that cannot be Opsgenie's must give ErrNotFound without a request, and a found alert is
// Opsgenie's.
func FuzzFindIncident(f *testing.F) {
	u := fzUpstream(f)
	f.Fuzz(func(t *testing.T, ref string, body []byte) {
		fzServe(u, body, nil)
		ir, err := fzCall(t, "FindIncident", fuzzcheck.With(fzSource(u).FindIncident, ref))
		if r := strings.TrimSpace(ref); (r == "" || len(r) > 512 || strings.ContainsAny(strings.TrimPrefix(r, "#"), "/?")) &&
			(u.Requests() != 0 || !errors.Is(err, connectors.ErrNotFound)) {
			t.Errorf("FindIncident(%q) = %v after %d requests, want ErrNotFound without a request", ref, err, u.Requests())
		}
		if err == nil && ir.Source != SourceName {
			t.Errorf("FindIncident(%q) = %+v from another source", ref, ir)
		}
	})
}

// FuzzQuery fuzzes the alert search built for a target (a service name and a component
// selector annotation) and the identifier type of a reference. A quoted tag value must
// unquote to the original, so that a name cannot break out of its tag:"..." term.
func FuzzQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, selector, ref string) {
		tgt := model.Target{Name: name, Related: []model.Target{{Name: ref}, {Name: name,
			Records: []model.Service{{ID: "x", Source: "catalogfile", Annotations: map[string]string{AnnotationSelector: selector}}}}}}
		q := Query(tgt)
		if !strings.HasPrefix(q, "status:open") {
			t.Errorf("Query = %q, want it to start with status:open", q)
		}
		if name != "" {
			v := quote("service:" + name)
			if got, ok := unquote(v); !ok || got != controlsToSpaces("service:"+name) {
				t.Errorf("quote(%q) = %s does not read back as the value: %q", "service:"+name, v, got)
			}
		}
		switch typ := IdentifierType(ref); typ {
		case "tiny", "id", "alias":
		default:
			t.Errorf("IdentifierType(%q) = %q", ref, typ)
		}
	})
}

// unquote reads a phrase as Opsgenie's search does: inside "…", a backslash escapes the next
// character. ok is false when v is not exactly one phrase.
func unquote(v string) (string, bool) {
	rs := []rune(v)
	if len(rs) < 2 || rs[0] != '"' {
		return "", false
	}
	var b strings.Builder
	for i := 1; i < len(rs); i++ {
		switch rs[i] {
		case '\\':
			if i+1 == len(rs) {
				return "", false
			}
			i++
			b.WriteRune(rs[i])
		case '"':
			return b.String(), i == len(rs)-1
		default:
			b.WriteRune(rs[i])
		}
	}
	return "", false
}

func controlsToSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
