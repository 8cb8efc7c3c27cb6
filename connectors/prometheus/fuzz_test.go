package prometheus_test

// Fuzz target: arbitrary bytes as the Prometheus HTTP API's response bodies, through the
// connector's real request, envelope, paging and decoding path (an upstream on 127.0.0.1
// answers every request with HTTP 200 and the fuzz input). Seeds in testdata/fuzz are real
// responses of internal/fake/prometheus (the demo scenario), polyglot and malformed bodies.
// Run it locally with:
//
//	go test -run='^$' -fuzz='^FuzzResponses$' -fuzztime=5m ./connectors/prometheus

import (
	"context"
	"testing"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/prometheus"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/fuzzcheck"
)

const fzSourceName = prometheus.SourceName

// fzCall runs one connector call under fuzzcheck.Deadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, fzSourceName, fuzzcheck.Deadline, what, call)
}

// FuzzResponses feeds the input as the body of every response to Alerts (every firing alert;
// a service named by the fuzzed name, with and without pending alerts), Rules (group pages,
// at most MaxPages), SLOs when the source serves them (recording-rule discovery and instant
// queries), and Check. Alerts, rules and query results share the {"status", "data": {...}}
// envelope, so one body can answer every endpoint.
func FuzzResponses(f *testing.F) {
	u := fuzzcheck.NewUpstream(f, httpx.Options{Source: fzSourceName})
	f.Fuzz(func(t *testing.T, body []byte, name string) {
		u.Serve(fuzzcheck.Answer{Body: body})
		// The record declares an SLO in catalog annotations (literal keys: the SLO support is
		// newer than this target), so that SLOs also decodes instant query results.
		named := model.Target{Name: name, Records: []model.Service{{ID: "component:default/x", Name: name, Aliases: []string{"checkout-api"},
			Source: "catalogfile", Annotations: map[string]string{"opsctx.io/slo-objective": "99.9", "opsctx.io/slo-window": "30d",
				"opsctx.io/slo-error-query": `sum(rate(http_requests_total{code=~"5.."}[$window]))`,
				"opsctx.io/slo-total-query": `sum(rate(http_requests_total[$window]))`}}},
			Related: []model.Target{{Name: "orders-db"}}}
		s := prometheus.New(prometheus.Options{Client: u.Client, GroupLimit: 2, MaxPages: 3})
		for _, warm := range []bool{false, true} {
			if warm {
				fzCall(t, "Warm", fuzzcheck.NoValue(s.Warm)) // with the rules' for, pending alerts say when they fire
			}
			for _, tt := range []model.Target{{}, named} {
				fzCall(t, "Alerts", fuzzcheck.With(s.Alerts, tt))
				if slo, ok := any(s).(connectors.SLOs); ok {
					fzCall(t, "SLOs", func(ctx context.Context) (struct{}, error) { _, err := slo.SLOs(ctx, tt); return struct{}{}, err })
				}
			}
		}
		fzCall(t, "Rules", s.Rules)
		fzCall(t, "Check", fuzzcheck.NoValue(s.Check))
	})
}
