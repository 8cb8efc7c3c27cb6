package dynatrace_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors/dynatrace"
	"github.com/opsctx/opsctx/internal/fake"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

func TestErrorsAndRateLimits(t *testing.T) {
	cases := []struct {
		name     string
		token    string
		fault    *fake.Fault
		wantErr  []string
		requests int
	}{
		{name: "ok", requests: 1},
		{name: "bad token", token: "wrong", wantErr: []string{"HTTP 401", "Token Authentication failed", "check DYNATRACE_API_TOKEN"}, requests: 1},
		{name: "missing scope", fault: &fake.Fault{Status: 403, Body: `{"error":{"code":403,"message":"Token is missing required scope"}}`},
			wantErr: []string{"HTTP 403", "missing required scope", "problems.read"}, requests: 1},
		{name: "429 then ok", fault: &fake.Fault{Times: 2, Status: 429, Body: `{"error":{"code":429,"message":"Too Many Requests"}}`}, requests: 3},
		{name: "429 with Retry-After", fault: &fake.Fault{Times: 1, Status: 429, Header: map[string][]string{"Retry-After": {"1"}}}, requests: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var o dynatrace.Options
			srv := fakedt.Start(fakedt.Options{Token: token}, fakedt.Data{Problems: []fakedt.Problem{dbProblem()}})
			t.Cleanup(srv.Close)
			tok := token
			if tc.token != "" {
				tok = tc.token
			}
			o.Client = client(t, srv.EnvURL(), tok)
			src := dynatrace.New(o)
			if tc.fault != nil {
				srv.AddFault(*tc.fault)
			}
			start := time.Now()
			_, err := src.Problems(context.Background(), model.Target{}) // one request: every open problem
			if n := len(srv.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if tc.name == "429 with Retry-After" && time.Since(start) < 900*time.Millisecond {
				t.Errorf("Retry-After not honoured: retried after %s", time.Since(start))
			}
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tok) {
				t.Errorf("error leaks the token: %q", err)
			}
			if httpx.StatusOf(err) == 0 {
				t.Errorf("status lost from %v", err)
			}
		})
	}
}
