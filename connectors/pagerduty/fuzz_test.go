package pagerduty

// Fuzz targets: arbitrary bytes as PagerDuty's response bodies, through the connector's real
// request and decoding path (an upstream on 127.0.0.1 answers every request with HTTP 200
// and the fuzz input). Seeds in testdata/fuzz are real responses of internal/fake/pagerduty
// (the demo scenario), polyglot bodies that satisfy several endpoints at once, and malformed
// bodies. Run one locally with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzResponses$' -fuzztime=5m ./connectors/pagerduty

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/fuzzcheck"
)

// fzNow is the fuzz targets' fixed clock.
var fzNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// fzUpstream is an upstream with the connector's token auth and API version header.
func fzUpstream(f *testing.F) *fuzzcheck.Upstream {
	return fuzzcheck.NewUpstream(f, httpx.Options{Source: SourceName, Auth: Auth("fuzz-token"), Header: Header()})
}

// fzSource is a fresh Source (no memoized incidents, no learnt policies) with small pages,
// so that a body announcing more pages is followed a few times and stops at MaxPages.
func fzSource(u *fuzzcheck.Upstream) *Source {
	return New(Options{Client: u.Client, PageSize: 2, MaxPages: 3, MaxAlertIncidents: 3, Now: func() time.Time { return fzNow }})
}

// fzCall runs one connector call under fuzzcheck.Deadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, SourceName, fuzzcheck.Deadline, what, call)
}

// FuzzResponses feeds the input as the body of every response to every capability:
// Responders (service, escalation policy, on-calls), Catalog, Incidents, Alerts (incident
// alerts, bounded by MaxAlertIncidents), Changes (account and per-service lists, related
// change events), Dependencies and Check. listAll reads each list's key from one JSON
// object, so a single body can answer several endpoints.
func FuzzResponses(f *testing.F) {
	u := fzUpstream(f)
	target := model.Target{Name: "checkout", Since: fzNow.Add(-2 * time.Hour), Until: fzNow,
		Records: []model.Service{{ID: "PCHKOUT", Name: "checkout", Source: SourceName}},
		Related: []model.Target{{Name: "payments", Records: []model.Service{{ID: "component:default/payments", Source: "catalogfile",
			Annotations: map[string]string{"pagerduty.com/service-id": "PPAYMNT"}}}}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		u.Serve(fuzzcheck.Answer{Body: body})
		s := fzSource(u)
		// Responders first, while the policy is not known from the catalog: GET /services/{id}.
		fzCall(t, "Responders", fuzzcheck.With(s.Responders, target))
		fzCall(t, "Catalog", s.Catalog)
		fzCall(t, "Responders after Catalog", fuzzcheck.With(s.Responders, target))
		for _, tt := range []model.Target{{}, target} {
			s := fzSource(u) // no memoized open incidents
			fzCall(t, "Incidents", fuzzcheck.With(s.Incidents, tt))
			fzCall(t, "Alerts", fuzzcheck.With(s.Alerts, tt))
			fzCall(t, "Changes", fuzzcheck.With(s.Changes, tt))
		}
		fzCall(t, "Dependencies", fuzzcheck.With(s.Dependencies, "PCHKOUT"))
		fzCall(t, "Check", fuzzcheck.NoValue(s.Check))
	})
}

// FuzzFindIncident feeds an arbitrary reference and lookup body to FindIncident: references
// that cannot be PagerDuty's must give ErrNotFound without a request, and a found incident
// is PagerDuty's.
func FuzzFindIncident(f *testing.F) {
	u := fzUpstream(f)
	f.Fuzz(func(t *testing.T, ref string, body []byte) {
		u.Serve(fuzzcheck.Answer{Body: body})
		ir, err := fzCall(t, "FindIncident", fuzzcheck.With(fzSource(u).FindIncident, ref))
		if u.Requests() == 0 && !errors.Is(err, connectors.ErrNotFound) {
			t.Errorf("FindIncident(%q) made no request but returned %v, want ErrNotFound", ref, err)
		}
		if err == nil && (ir.ID == "" || ir.Source != SourceName) {
			t.Errorf("FindIncident(%q) = %+v: no id or another source", ref, ir)
		}
		if r := strings.TrimPrefix(strings.TrimSpace(ref), "#"); err == nil && !incidentRef.MatchString(r) {
			t.Errorf("FindIncident(%q) found an incident for a reference PagerDuty cannot have", ref)
		}
	})
}
