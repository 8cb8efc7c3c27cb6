package pagerduty

import (
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/internal/fake"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testToken = "pd-test-token"

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) string { return t0.Add(-d).Format(time.RFC3339) }

// start serves d and returns a Source reading it with pages of pageSize.
func start(t *testing.T, d pdfake.Data, pageSize int) (*Source, *fake.Server) {
	t.Helper()
	if d.Now == nil {
		d.Now = func() time.Time { return t0 }
	}
	srv := pdfake.Start(d, testToken)
	t.Cleanup(srv.Close)
	return newSource(t, srv.URL, testToken, pageSize), srv
}

func newSource(t *testing.T, base, token string, pageSize int) *Source {
	t.Helper()
	c := httpx.New(httpx.Options{Source: SourceName, BaseURL: base, Auth: Auth(token), Header: Header(),
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond, Secrets: []string{token}})
	t.Cleanup(c.CloseIdleConnections)
	return New(Options{Client: c, PageSize: pageSize, Now: func() time.Time { return t0 }})
}

// target is a catalog target annotated with a PagerDuty service id, with related targets.
func target(name, pdID string, related ...model.Target) model.Target {
	t := model.Target{Name: name, Related: related, Since: t0.Add(-2 * time.Hour), Until: t0}
	if pdID != "" {
		t.Records = []model.Service{{ID: "component:default/" + name, Name: name, Source: "catalogfile",
			Annotations: map[string]string{"pagerduty.com/service-id": pdID}}}
	}
	return t
}

func pref(id, summary string) pdfake.Ref { return pdfake.Ref{ID: id, Summary: summary} }

// requests returns the requests the fake received on paths with the prefix.
func requests(srv *fake.Server, prefix string) []fake.Request {
	var out []fake.Request
	for _, r := range srv.Requests() {
		if len(r.Path) >= len(prefix) && r.Path[:len(prefix)] == prefix {
			out = append(out, r)
		}
	}
	return out
}
