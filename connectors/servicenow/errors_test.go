package servicenow

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/httpx"
)

func TestAuthErrors(t *testing.T) {
	tests := []struct {
		name       string
		user, pass string
		authVars   string
		fault      *fake.Fault
		check      string // "skip": Check is not expected to fail the same way
		want       []string
		notWant    string
	}{
		{name: "ok", user: "opsctx", pass: "s3cret"},
		{name: "bad password", user: "opsctx", pass: "wrong-pass",
			want:    []string{"servicenow: HTTP 401", "User Not Authenticated", "check SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET, SERVICENOW_USERNAME and SERVICENOW_PASSWORD, or SERVICENOW_TOKEN"},
			notWant: "wrong-pass"},
		{name: "bad token names the token", user: "x", pass: "y", authVars: "SERVICENOW_TOKEN",
			want: []string{"HTTP 401", "check SERVICENOW_TOKEN"}},
		{name: "unknown class names the setting", user: "opsctx", pass: "s3cret", check: "skip",
			fault: &fake.Fault{PathPrefix: "/api/now/table/cmdb_ci_service", Status: 400, Body: `{"error":{"message":"Invalid table cmdb_ci_service","detail":null},"status":"failure"}`},
			want:  []string{"HTTP 400", "Invalid table", "SERVICENOW_CI_CLASSES"}},
		{name: "forbidden names the table", user: "opsctx", pass: "s3cret",
			fault: &fake.Fault{PathPrefix: "/api/now/table/cmdb_ci_service", Status: 403, Body: `{"error":{"message":"Operation Failed","detail":"ACL Exception Insert Failed due to security constraints"},"status":"failure"}`},
			want:  []string{"HTTP 403", "ACL Exception", "read access to cmdb_ci_service"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, shop(), creds)
			if tt.fault != nil {
				srv.AddFault(*tt.fault)
			}
			s := source(t, srv, tt.user, tt.pass, Options{AuthVars: tt.authVars})
			errs := map[string]error{"Check": s.Check(context.Background()), "Catalog": catalogErr(s)}
			if tt.check == "skip" {
				delete(errs, "Check")
			}
			for what, err := range errs {
				if len(tt.want) == 0 {
					if err != nil {
						t.Errorf("%s: %v", what, err)
					}
					continue
				}
				if err == nil {
					t.Fatalf("%s: no error", what)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("%s error %q does not contain %q", what, err, w)
					}
				}
				if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
					t.Errorf("%s error leaks %q: %v", what, tt.notWant, err)
				}
			}
			if q := requests(srv, "/api/now/table/cmdb_ci_service"); len(q) == 0 || q[0]["sysparm_limit"] != "1" {
				t.Errorf("Check did not read one CI row: %v", q)
			}
		})
	}
}

func catalogErr(s *Source) error {
	_, err := s.Catalog(context.Background())
	return err
}

func TestBearerToken(t *testing.T) {
	srv := start(t, shop(), snfake.Options{Token: "oauth-tok"})
	c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL,
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer oauth-tok") }})
	t.Cleanup(c.CloseIdleConnections)
	if err := New(Options{Client: c}).Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRateLimitHonoured(t *testing.T) {
	t.Parallel()
	// Five requests per second: the catalog needs 8, so the fake answers 429 with
	// Retry-After and the client waits for the next window instead of failing.
	srv := start(t, shop(), snfake.Options{Username: "opsctx", Password: "s3cret", RateLimit: 5, RateWindow: time.Second})
	s := source(t, srv, "opsctx", "s3cret", Options{PageSize: 2})
	begin := time.Now()
	cat, err := s.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Services) != 6 {
		t.Errorf("services = %d, want 6", len(cat.Services))
	}
	if el := time.Since(begin); el < 900*time.Millisecond {
		t.Errorf("catalog took %v: Retry-After (1 s) was not honoured", el)
	}
	// 3 CI pages + 2 relation pages + 2 crossing-relation pages + 1 subclass relation page
	// = 8 answered (the owners are dot-walked: no lookup); every extra request was a 429.
	if n := len(srv.Requests()); n <= 8 {
		t.Errorf("requests = %d, want 429s on top of the 8 answered ones", n)
	}

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/now/table/incident", nil)
	req.SetBasicAuth("opsctx", "s3cret")
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Reset", "X-RateLimit-Rule"} {
		if res.Header.Get(h) == "" {
			t.Errorf("fake sent no %s", h)
		}
	}
}
