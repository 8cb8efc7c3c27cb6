package servicenow

// Fuzz targets: arbitrary bytes as the Table API's response bodies and paging headers,
// through the connector's real request, paging and decoding path (an upstream on 127.0.0.1
// answers every request with HTTP 200, the fuzz input as the body and the fuzzed
// X-Total-Count and Link headers), plus the pure Link, date/time and choice parsers. Seeds in
// testdata/fuzz are real responses of internal/fake/servicenow (the demo scenario) and
// malformed ones. Run one locally with, e.g.:
//
//	go test -run='^$' -fuzz='^FuzzResponses$' -fuzztime=5m ./connectors/servicenow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
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

// fzUpstream is an upstream with the connector's basic auth.
func fzUpstream(f *testing.F) *fuzzcheck.Upstream {
	return fuzzcheck.NewUpstream(f, httpx.Options{Source: SourceName,
		Auth: func(r *http.Request) { r.SetBasicAuth("opsctx", "fuzz") }})
}

// fzServe answers every request with body and the paging headers X-Total-Count and Link
// (each when not empty once fuzzcheck.HeaderValue has kept what a header can carry).
func fzServe(u *fuzzcheck.Upstream, body []byte, total, link string) {
	u.Serve(fuzzcheck.Answer{Body: body, Header: map[string]string{"X-Total-Count": total, "Link": link}})
}

// fzSource has small pages and a small row cap, so that paging (by X-Total-Count, in
// parallel, or by Link rel="next") runs a few pages and stops at MaxRows.
func fzSource(u *fuzzcheck.Upstream) *Source {
	return New(Options{Client: u.Client, InstanceURL: "https://acme.service-now.com", MaxRows: 12, PageSize: 4, Parallel: 2,
		AuthVars: "SERVICENOW_TOKEN"})
}

// fzCall runs one connector call under fuzzcheck.Deadline with the shared fuzz checks.
func fzCall[T any](t *testing.T, what string, call func(context.Context) (T, error)) (T, error) {
	t.Helper()
	return fuzzcheck.Call(t, SourceName, fuzzcheck.Deadline, what, call)
}

// FuzzResponses feeds the input as every Table API answer (body, X-Total-Count, Link) to
// every capability: Catalog (CI classes, relations, neighbour CIs, owner lookups), Changes
// and Incidents (by a fuzzed CI name, by this source's record, and every open incident),
// Responders (support group by CI name, and by record: whoisoncall then user lookups),
// Warm (rota members, then their users), FindIncident and Check. All tables share the
// {"result": [...]} envelope, so one body answers every list and lookup.
func FuzzResponses(f *testing.F) {
	u := fzUpstream(f)
	f.Fuzz(func(t *testing.T, body []byte, total, link, name string) {
		fzServe(u, body, total, link)
		s := fzSource(u)
		byName := model.Target{Name: name, Since: fzNow.Add(-2 * time.Hour), Until: fzNow, Related: []model.Target{{Name: "orders-db-prod"}}}
		byRecord := model.Target{Name: "checkout", Since: fzNow.Add(-2 * time.Hour), Until: fzNow,
			Records: []model.Service{{ID: "c3ab0759fbebc9958ee073c227d1e9d1", Name: "Checkout Service", Source: SourceName,
				Annotations: map[string]string{AnnotationSupportGroup: "6c428acb2e0afb7067889378f12f8e52"}}}}
		fzCall(t, "Catalog", s.Catalog)
		for _, tt := range []model.Target{byName, byRecord, {}} {
			fzCall(t, "Changes", fuzzcheck.With(s.Changes, tt))
			fzCall(t, "Incidents", fuzzcheck.With(s.Incidents, tt))
			fzCall(t, "Responders", fuzzcheck.With(s.Responders, tt))
		}
		fzCall(t, "FindIncident", fuzzcheck.With(s.FindIncident, "c3ab0759fbebc9958ee073c227d1e9d1"))
		fzCall(t, "Warm", fuzzcheck.NoValue(s.Warm))
		fzCall(t, "Check", fuzzcheck.NoValue(s.Check))
	})
}

// FuzzFindIncident feeds an arbitrary reference and lookup body to FindIncident: references
// that are not INC/CHG numbers or sys_ids must give ErrNotFound without a request, and a
// found record is ServiceNow's.
func FuzzFindIncident(f *testing.F) {
	u := fzUpstream(f)
	f.Fuzz(func(t *testing.T, ref string, body []byte) {
		fzServe(u, body, "", "")
		ir, err := fzCall(t, "FindIncident", fuzzcheck.With(fzSource(u).FindIncident, ref))
		r := strings.TrimSpace(ref)
		if !incNumber.MatchString(r) && !chgNumber.MatchString(r) && !sysIDShape.MatchString(r) &&
			(u.Requests() != 0 || !errors.Is(err, connectors.ErrNotFound)) {
			t.Errorf("FindIncident(%q) = %v after %d requests, want ErrNotFound without a request", ref, err, u.Requests())
		}
		if err == nil && ir.Source != SourceName {
			t.Errorf("FindIncident(%q) = %+v from another source", ref, ir)
		}
	})
}

// FuzzNextPage fuzzes the Link header parser that drives paging when X-Total-Count is absent.
func FuzzNextPage(f *testing.F) {
	f.Fuzz(func(t *testing.T, h string) {
		p, ok := nextPage(h)
		if !ok && p != (page{}) {
			t.Errorf("nextPage(%q) = %+v without a next page", h, p)
		}
		if ok && !strings.Contains(strings.ToLower(h), "next") {
			t.Errorf("nextPage(%q) = %+v from a header without rel=next", h, p)
		}
	})
}

// FuzzFieldValues fuzzes the readers of raw Table API values: a field as a string or a
// reference object, its date/time ("YYYY-MM-DD HH:MM:SS", UTC), a whoisoncall order, a
// priority and choice code, and the encoded-query condition built from a value.
func FuzzFieldValues(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		r := row{"s": v, "ref": map[string]any{"value": v, "display_value": v}}
		if r.str("s") != v || r.str("ref") != v {
			t.Errorf("str(%q) = %q / %q", v, r.str("s"), r.str("ref"))
		}
		if tm := r.time("s"); !tm.IsZero() {
			if tm.Location() != time.UTC {
				t.Errorf("time(%q) = %v, not in UTC", v, tm)
			}
			if back := (row{"s": snTime(tm)}).time("s"); !back.Equal(tm.Truncate(time.Second)) {
				t.Errorf("time(%q) = %v, but its encoded form %q reads back as %v", v, tm, snTime(tm), back)
			}
		}
		if n := level(json.RawMessage(v)); n < 1 {
			t.Errorf("level(%q) = %d, want at least 1", v, n)
		}
		_ = priority(v)
		_ = label(incidentStates, v)
		for _, c := range anyOf("cmdb_ci.name", []string{v, "x"}) {
			if !strings.HasPrefix(c, "cmdb_ci.name") {
				t.Errorf("anyOf(%q) gave condition %q on another field", v, c)
			}
		}
	})
}
