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
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/fuzzcheck"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

const (
	fzTimeout  = 2 * time.Second // httpx budget of one request
	fzDeadline = 5 * time.Second // deadline of one connector call
)

// fzNow is the fuzz targets' fixed clock.
var fzNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

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
		Auth: Auth("fuzz-token"), Header: Header()})
	f.Cleanup(u.client.CloseIdleConnections)
	return u
}

// serve makes body the answer to every request and resets the request count.
func (u *fzUpstream) serve(body []byte) {
	u.body.Store(&body)
	u.requests.Store(0)
}

// fzSource is a fresh Source (no memoized incidents, no learnt policies) with small pages,
// so that a body announcing more pages is followed a few times and stops at MaxPages.
func fzSource(u *fzUpstream) *Source {
	return New(Options{Client: u.client, PageSize: 2, MaxPages: 3, MaxAlertIncidents: 3, Now: func() time.Time { return fzNow }})
}

// fzCall runs one connector call under fzDeadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, SourceName, fzDeadline, what, call)
}

// FuzzResponses feeds the input as the body of every response to every capability:
// Responders (service, escalation policy, on-calls), Catalog, Incidents, Alerts (incident
// alerts, bounded by MaxAlertIncidents), Changes (account and per-service lists, related
// change events), Dependencies and Check. listAll reads each list's key from one JSON
// object, so a single body can answer several endpoints.
func FuzzResponses(f *testing.F) {
	u := newFzUpstream(f)
	target := model.Target{Name: "checkout", Since: fzNow.Add(-2 * time.Hour), Until: fzNow,
		Records: []model.Service{{ID: "PCHKOUT", Name: "checkout", Source: SourceName}},
		Related: []model.Target{{Name: "payments", Records: []model.Service{{ID: "component:default/payments", Source: "catalogfile",
			Annotations: map[string]string{"pagerduty.com/service-id": "PPAYMNT"}}}}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		u.serve(body)
		s := fzSource(u)
		// Responders first, while the policy is not known from the catalog: GET /services/{id}.
		fzCall(t, "Responders", func(ctx context.Context) (model.Responders, error) { return s.Responders(ctx, target) })
		fzCall(t, "Catalog", s.Catalog)
		fzCall(t, "Responders after Catalog", func(ctx context.Context) (model.Responders, error) { return s.Responders(ctx, target) })
		for _, tt := range []model.Target{{}, target} {
			s := fzSource(u) // no memoized open incidents
			fzCall(t, "Incidents", func(ctx context.Context) ([]model.Incident, error) { return s.Incidents(ctx, tt) })
			fzCall(t, "Alerts", func(ctx context.Context) ([]model.Alert, error) { return s.Alerts(ctx, tt) })
			fzCall(t, "Changes", func(ctx context.Context) ([]model.Change, error) { return s.Changes(ctx, tt) })
		}
		fzCall(t, "Dependencies", func(ctx context.Context) ([]model.Dependency, error) { return s.Dependencies(ctx, "PCHKOUT") })
		fzCall(t, "Check", func(ctx context.Context) (struct{}, error) { return struct{}{}, s.Check(ctx) })
	})
}

// FuzzFindIncident feeds an arbitrary reference and lookup body to FindIncident: references
// that cannot be PagerDuty's must give ErrNotFound without a request, and a found incident
// is PagerDuty's.
func FuzzFindIncident(f *testing.F) {
	u := newFzUpstream(f)
	f.Fuzz(func(t *testing.T, ref string, body []byte) {
		u.serve(body)
		ir, err := fzCall(t, "FindIncident", func(ctx context.Context) (connectors.IncidentRef, error) {
			return fzSource(u).FindIncident(ctx, ref)
		})
		if u.requests.Load() == 0 && !errors.Is(err, connectors.ErrNotFound) {
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
