package alertmanager

// Fuzz targets: arbitrary bytes as the Alertmanager API v2's response bodies, through the
// connector's real request and decoding path (an upstream on 127.0.0.1 answers every request
// with HTTP 200 and the fuzz input), and the filter matchers built from service names. Seeds
// in testdata/fuzz are real responses of internal/fake/alertmanager (the demo scenario),
// polyglot and malformed bodies. Run one locally with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzResponses$' -fuzztime=5m ./connectors/alertmanager

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opsctx/opsctx/internal/alertlabels"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/fuzzcheck"
)

// fzCall runs one connector call under fuzzcheck.Deadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, SourceName, fuzzcheck.Deadline, what, call)
}

// FuzzResponses feeds the input as the body of every response to Alerts and Groups (every
// alert; a service named by the fuzzed name, through the service label and its fallbacks),
// Silences and Check. An array element may carry alert, group and silence fields at once,
// so one body can answer every endpoint.
func FuzzResponses(f *testing.F) {
	u := fuzzcheck.NewUpstream(f, httpx.Options{Source: SourceName})
	f.Fuzz(func(t *testing.T, body []byte, name string) {
		u.Serve(fuzzcheck.Answer{Body: body})
		s := New(Options{Client: u.Client})
		named := model.Target{Name: name, Records: []model.Service{{ID: "component:default/x", Name: name, Aliases: []string{"checkout-api"},
			Source: "catalogfile"}}, Related: []model.Target{{Name: "orders-db"}}}
		for _, tt := range []model.Target{{}, named} {
			fzCall(t, "Alerts", fuzzcheck.With(s.Alerts, tt))
			fzCall(t, "Groups", fuzzcheck.With(s.Groups, tt))
		}
		fzCall(t, "Silences", s.Silences)
		fzCall(t, "Check", fuzzcheck.NoValue(s.Check))
	})
}

// fzUnquote reads a matcher value as Alertmanager's matcher parser does: inside double
// quotes, \n, \" and \\ are escapes and an unescaped quote ends the value.
func fzUnquote(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	var b strings.Builder
	in := v[1 : len(v)-1]
	for i := 0; i < len(in); i++ {
		switch c := in[i]; {
		case c == '"':
			return "", false
		case c == '\\' && i+1 < len(in):
			i++
			switch in[i] {
			case 'n':
				b.WriteByte('\n')
			case '"', '\\':
				b.WriteByte(in[i])
			default:
				b.WriteByte('\\')
				b.WriteByte(in[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}

// FuzzFilterSets fuzzes the filter matchers built from a service's names: every matcher
// value must read back (as Alertmanager unquotes it) to what was quoted, and each regex
// matcher must compile and match every (trimmed, valid UTF-8) name it was built from.
func FuzzFilterSets(f *testing.F) {
	f.Fuzz(func(t *testing.T, name, alias, related string) {
		s := New(Options{})
		tgt := model.Target{Name: name, Records: []model.Service{{Name: alias, Aliases: []string{related, alias}}},
			Related: []model.Target{{Name: related}}}
		ns := alertlabels.Names(tgt)
		if len(ns) == 0 {
			return
		}
		sets := s.filterSets(ns)
		if len(sets) != 3+len(s.o.Fallbacks) {
			t.Fatalf("%d filter sets, want the service label, Sloth's, each fallback and Pyrra's: %q", len(sets), sets)
		}
		for _, set := range sets[:len(sets)-1] { // the last selects Pyrra's SLO alerts, by no name
			m := set[len(set)-1] // the =~ matcher; the others require absent labels
			label, quoted, ok := strings.Cut(m, "=~")
			if !ok || label == "" {
				t.Fatalf("matcher %q is not label=~\"regex\"", m)
			}
			re, ok := fzUnquote(quoted)
			if !ok {
				t.Fatalf("matcher %q: value does not unquote", m)
			}
			if want := anyOf(ns); re != want {
				t.Fatalf("matcher %q reads back as %q, want %q", m, re, want)
			}
			if !utf8.ValidString(re) {
				continue // Alertmanager refuses such matchers; the request fails upstream
			}
			rx, err := regexp.Compile("^(?:" + re + ")$")
			if err != nil {
				t.Fatalf("matcher %q: %v", m, err)
			}
			for _, n := range ns {
				if !rx.MatchString(n) {
					t.Errorf("matcher %q does not match %q", m, n)
				}
			}
		}
		for _, n := range ns {
			if n != strings.TrimSpace(n) || n == "" {
				t.Errorf("name %q is not trimmed", n)
			}
		}
	})
}
