package dynatrace_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/dynatrace"
	"github.com/opsctx/opsctx/internal/fake"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

const platformToken = "dt0s16.PLATFORMTOKEN.SECRETPART"

// platformSource starts the fake with d and returns a Source on the platform with a platform
// token whose scopes are scopes (nil: every scope).
func platformSource(t *testing.T, d fakedt.Data, o dynatrace.Options, scopes []string) (*dynatrace.Source, *fakedt.Server) {
	t.Helper()
	srv := fakedt.Start(fakedt.Options{PlatformToken: platformToken, PlatformScopes: scopes, Now: func() time.Time { return t0 }}, d)
	t.Cleanup(srv.Close)
	c := httpx.New(httpx.Options{Source: "dynatrace", BaseURL: srv.EnvURL(), Secrets: []string{platformToken},
		RetryWaitMin: time.Millisecond, RetryWaitMax: 20 * time.Millisecond,
		Auth: func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+platformToken) }})
	t.Cleanup(c.CloseIdleConnections)
	o.Client, o.EnvURL, o.Platform = c, srv.EnvURL(), true
	return dynatrace.New(o), srv
}

func platformSLO(n int, name, indicator string, att float64, polls int) fakedt.PlatformSLO {
	return fakedt.PlatformSLO{ID: fmt.Sprintf("pslo-%02d", n), Name: name, Indicator: indicator, Polls: polls,
		Criteria: []fakedt.PlatformCriterion{{TimeframeFrom: "now-28d", TimeframeTo: "now", Target: 99, Warning: f64(99.5)}},
		Value:    f64(att), ErrorBudget: f64(att - 99), Status: "success"}
}

// platformData: the classic SLOs of sloData and five platform SLOs, three about checkout (its
// id in the DQL, its id in a template variable, a service: tag), one evaluated after polls.
func platformData() fakedt.Data {
	d := sloData()
	tagged := platformSLO(3, "P3 checkout by tag", "timeseries x = avg(dt.service.request.count)", 99.6, 0)
	tagged.Tags = []string{"team:payments", "service:checkout-service"}
	tmpl := platformSLO(2, "P2 checkout by template", "", 99.8, 2)
	tmpl.Template, tmpl.Variables = "builtin-service-availability", map[string]string{"services": `"` + svcCheckout + `"`}
	d.PlatformSLOs = []fakedt.PlatformSLO{
		platformSLO(1, "P1 checkout availability", `fetch spans | filter dt.entity.service == "`+svcCheckout+`"`, 99.9, 0),
		tmpl, tagged,
		platformSLO(4, "P4 orders-db", `filter dt.entity.service == "`+svcDB+`"`, 99.99, 0),
		platformSLO(5, "P5 no data", `filter dt.entity.service == "`+svcCart+`"`, 0, 0),
	}
	d.PlatformSLOs[4].Value, d.PlatformSLOs[4].Message = nil, "No data for the SLI"
	return d
}

// TestPlatformSLOs: on the platform a target's SLOs come from the classic API (through
// /platform/classic/environment-api/v2) and from the platform SLO service, matched by entity
// id in the SLI or its template variables or by a service: tag, evaluated (polling an
// evaluation still running); nothing goes to /api/v2.
func TestPlatformSLOs(t *testing.T) {
	s, srv := platformSource(t, platformData(), dynatrace.Options{PageSize: 2, Now: func() time.Time { return t0 }}, nil)
	got, err := s.SLOs(context.Background(), target("checkout-service", svcCheckout))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range got {
		names = append(names, x.Name)
		if strings.HasPrefix(x.Name, "P") && (x.Attainment == nil || x.Objective != 99 || x.Warning != 99.5 || x.Window != 28*24*time.Hour) {
			t.Errorf("%s = %+v", x.Name, x)
		}
	}
	want := []string{"A checkout availability", "C checkout by name", "E checkout and cart",
		"P1 checkout availability", "P2 checkout by template", "P3 checkout by tag"}
	if !slices.Equal(names, want) {
		t.Errorf("SLOs = %v, want %v", names, want)
	}
	for _, x := range got {
		if x.Name == "P2 checkout by template" && (*x.Attainment != 99.8 || x.BudgetRemaining == nil || fmt.Sprintf("%.2f", *x.BudgetRemaining) != "0.80") {
			t.Errorf("P2 = attainment %v, budget %v; want 99.8 and 0.80 of the budget left", *x.Attainment, x.BudgetRemaining)
		}
	}
	if n := len(requests(srv, "/evaluation:poll")); n != 2 {
		t.Errorf("polls = %d, want 2 (P2 finishes after two)", n)
	}
	if n := len(requests(srv, "/platform/slo/v1/slos")); n != 3 {
		t.Errorf("listing pages = %d, want 3 (5 SLOs, 2 per page)", n)
	}
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/api/") {
			t.Errorf("classic domain path %s asked on the platform", r.Path)
		}
	}
	all, err := s.SLOs(context.Background(), model.Target{})
	if err != nil || len(all) != 10 {
		t.Fatalf("zero target: %d SLOs, %v; want the 5 classic and 5 platform ones", len(all), err)
	}
	for _, x := range all {
		if x.Name == "P5 no data" && (x.Attainment != nil || x.Error != "dynatrace could not evaluate the SLO: No data for the SLI" || x.Service != svcCart) {
			t.Errorf("P5 = %+v", x)
		}
	}
}

// TestPlatformSLOListings: each SLO listing failing alone leaves the other's SLOs and says
// which is missing and why; a platform without the SLO service (404) has only classic SLOs;
// a listing cut at MaxPages says so.
func TestPlatformSLOListings(t *testing.T) {
	every := []string{"environment-api:problems:read", "environment-api:events:read", "environment-api:entities:read",
		"environment-api:slo:read", "slo:slos:read"}
	without := func(scope string) []string {
		return slices.DeleteFunc(slices.Clone(every), func(s string) bool { return s == scope })
	}
	cases := []struct {
		name     string
		scopes   []string
		fault    *fake.Fault
		maxPages int
		want     string // names' first letters
		cut      string // substring of the Incomplete, "" for none
	}{
		{name: "both", scopes: every, want: "ACEPPP"},
		{name: "no SLO service on the platform", scopes: every, want: "ACE",
			fault: &fake.Fault{PathPrefix: "/platform/slo/", Status: 404, Body: `{"error":{"code":404,"message":"Not Found"}}`}},
		{name: "platform SLOs not readable", scopes: without("slo:slos:read"), want: "ACE",
			cut: "platform SLOs (GET /platform/slo/v1/slos) may be incomplete: dynatrace: HTTP 403"},
		{name: "classic SLOs not readable", scopes: without("environment-api:slo:read"), want: "PPP",
			cut: "classic SLOs (GET /platform/classic/environment-api/v2/slo) may be incomplete: dynatrace: HTTP 403"},
		{name: "listings cut", scopes: every, maxPages: 1, want: "APP", // the first 2 of each listing
			cut: "GET /platform/classic/environment-api/v2/slo; GET /platform/slo/v1/slos may be incomplete"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, srv := platformSource(t, platformData(), dynatrace.Options{PageSize: 2, MaxPages: tc.maxPages}, tc.scopes)
			if tc.fault != nil {
				srv.AddFault(*tc.fault)
			}
			got, err := s.SLOs(context.Background(), target("checkout-service", svcCheckout))
			var first string
			for _, x := range got {
				first += x.Name[:1]
			}
			if tc.maxPages == 1 {
				first = strings.Join(slices.Sorted(slices.Values(strings.Split(first, ""))), "")
			}
			if first != tc.want {
				t.Errorf("SLOs %q, want %q", first, tc.want)
			}
			switch {
			case tc.cut == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.cut != "" && (!connectors.IsIncomplete(err) || !strings.Contains(err.Error(), tc.cut)):
				t.Errorf("err = %v, want an Incomplete naming %q", err, tc.cut)
			}
		})
	}
}
