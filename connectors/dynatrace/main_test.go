package dynatrace_test

import (
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/connectors/dynatrace"
	"github.com/opsctx/opsctx/internal/fake"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const token = "dt0c01.TESTTOKEN"

// t0 is the tests' fixed clock.
var t0 = time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)

func msAt(before time.Duration) int64 { return t0.Add(-before).UnixMilli() }

// start starts the fake with d and returns a Source for it (o's Client and EnvURL are set here).
func start(t *testing.T, d fakedt.Data, o dynatrace.Options, fo fakedt.Options) (*dynatrace.Source, *fakedt.Server) {
	t.Helper()
	if fo.Token == "" {
		fo.Token = token
	}
	if fo.Now == nil {
		fo.Now = func() time.Time { return t0 }
	}
	srv := fakedt.Start(fo, d)
	t.Cleanup(srv.Close)
	tok := token
	if o.Client == nil {
		o.Client = client(t, srv.EnvURL(), tok)
	}
	o.EnvURL = srv.EnvURL()
	return dynatrace.New(o), srv
}

func client(t *testing.T, base, tok string) *httpx.Client {
	c := httpx.New(httpx.Options{
		Source: "dynatrace", BaseURL: base, Secrets: []string{tok},
		RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Api-Token "+tok) },
	})
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// target is a resolved service with a dynatrace record id and related services by annotation.
func target(name, dtID string, related ...model.Target) model.Target {
	t := model.Target{Name: name, Since: t0.Add(-2 * time.Hour), Until: t0, Related: related}
	if dtID != "" {
		t.Records = []model.Service{{ID: dtID, Name: name, Source: "dynatrace"}}
	}
	return t
}

func annotated(name, dtID string) model.Target {
	return model.Target{Name: name, Records: []model.Service{{ID: "component:default/" + name, Name: name, Source: "catalogfile",
		Annotations: map[string]string{dynatrace.EntityAnnotation: dtID}}}}
}

// requests returns the recorded requests under path (after the base path).
func requests(srv *fakedt.Server, suffix string) []fake.Request {
	var out []fake.Request
	for _, r := range srv.Requests() {
		if len(r.Path) >= len(suffix) && r.Path[len(r.Path)-len(suffix):] == suffix {
			out = append(out, r)
		}
	}
	return out
}
