package app

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/fake"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
	promfake "github.com/opsctx/opsctx/internal/fake/prometheus"
	"github.com/opsctx/opsctx/internal/model"
)

// TestEveryInstanceIsASource: each configured instance is built as its own source, named
// kind/instance (the unnamed one keeps the plain name), talking to its own URL with its
// own credentials; kinds without instances are disabled.
func TestEveryInstanceIsASource(t *testing.T) {
	eu := pdfake.Start(pdfake.Data{}, "pd-eu-token")
	defer eu.Close()
	us := pdfake.Start(pdfake.Data{}, "pd-us-token")
	defer us.Close()
	env := map[string]string{
		"PAGERDUTY_INSTANCES":  "eu, us",
		"PAGERDUTY_EU_API_URL": eu.URL, "PAGERDUTY_EU_API_TOKEN": "pd-eu-token",
		"PAGERDUTY_US_API_URL": us.URL, "PAGERDUTY_US_API_TOKEN": "pd-us-token",
		"PROMETHEUS_URL": "http://127.0.0.1:9", "PROMETHEUS_INSTANCES": "eu-west-1", "PROMETHEUS_EU_WEST_1_URL": "http://127.0.0.1:9",
	}
	cfg, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	srcs, disabled := Sources(cfg, Options{})
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name())
	}
	if !slices.Equal(names, []string{"pagerduty/eu", "pagerduty/us", "prometheus", "prometheus/eu-west-1"}) {
		t.Errorf("sources %q", names)
	}
	if slices.Contains(disabled, "pagerduty") || !slices.Contains(disabled, "dynatrace") {
		t.Errorf("disabled %q", disabled)
	}
	for _, s := range srcs[:2] {
		if err := s.Check(context.Background()); err != nil {
			t.Errorf("%s: %v", s.Name(), err)
		}
	}
	for f, tok := range map[*fake.Server]string{eu: "pd-eu-token", us: "pd-us-token"} {
		if len(f.Requests()) == 0 {
			t.Errorf("%s: not checked (each instance talks to its own URL)", f.URL)
		}
		for _, r := range f.Requests() {
			if got := r.Header.Get("Authorization"); got != "Token token="+tok {
				t.Errorf("%s %s: Authorization %q, want the instance's own token", f.URL, r.Path, got)
			}
		}
	}
}

// TestDeclaredSLOsEvaluatedOnce: with a Prometheus per cluster, a declared SLO is evaluated
// by one instance (its prometheus setting, else the first listed), not by every cluster;
// naming an unknown instance is an error.
func TestDeclaredSLOsEvaluatedOnce(t *testing.T) {
	eu, us := promfake.Start(promfake.Options{}, nil), promfake.Start(promfake.Options{}, nil)
	defer eu.Close()
	defer us.Close()
	slo := func(prom string) string {
		return `slos: [{name: s, service: search, objective: 99, error_query: 'sum(rate(e[$window]))', total_query: 'sum(rate(t[$window]))'` + prom + `}]
`
	}
	sources := "sources:\n  prometheus:\n    - {name: eu, url: " + eu.URL + "}\n    - {name: us, url: " + us.URL + "}\n"
	for _, tc := range []struct{ prom, asked, quiet string }{{"", "eu", "us"}, {", prometheus: us", "us", "eu"}} {
		dir := t.TempDir()
		path := dir + "/opsctx.yaml"
		if err := os.WriteFile(path, []byte(sources+slo(tc.prom)), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path, func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		eu.Reset()
		us.Reset()
		srcs, _ := Sources(cfg, Options{})
		for _, s := range srcs {
			_, _ = s.(connectors.SLOs).SLOs(context.Background(), model.Target{}) // the fake has no canned answers: asked is enough
		}
		fakes := map[string]*promfake.Server{"eu": eu, "us": us}
		if fakes[tc.asked].Count("/api/v1/query") == 0 || fakes[tc.quiet].Count("/api/v1/query") != 0 {
			t.Errorf("prometheus %q: queries eu %d, us %d; want only %s", tc.prom, eu.Count("/api/v1/query"), us.Count("/api/v1/query"), tc.asked)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/opsctx.yaml", []byte(sources+slo(", prometheus: ap")), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := config.Load(dir+"/opsctx.yaml", func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), `slos[0].prometheus: "ap" is not a configured Prometheus instance`) {
		t.Errorf("unknown evaluator: %v", err)
	}
}

// TestRateLimitCoolDownIsPerInstance: a 429 with a long Retry-After from one account holds
// back that account's next requests (not sent until the wait is over) and no other's.
func TestRateLimitCoolDownIsPerInstance(t *testing.T) {
	eu := pdfake.Start(pdfake.Data{}, "pd-eu-token")
	defer eu.Close()
	us := pdfake.Start(pdfake.Data{}, "pd-us-token")
	defer us.Close()
	eu.AddFault(fake.Fault{Status: 429, Body: `{"error":{"message":"Rate Limit Exceeded","code":2020}}`, Header: http.Header{"Retry-After": {"60"}}})
	env := map[string]string{"PAGERDUTY_INSTANCES": "eu,us", "OPSCTX_SOURCE_TIMEOUT": "2s",
		"PAGERDUTY_EU_API_URL": eu.URL, "PAGERDUTY_EU_API_TOKEN": "pd-eu-token",
		"PAGERDUTY_US_API_URL": us.URL, "PAGERDUTY_US_API_TOKEN": "pd-us-token"}
	cfg, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	srcs, _ := Sources(cfg, Options{})
	var sent [2]int
	for round := range 2 {
		if err := srcs[0].Check(context.Background()); err == nil || !strings.Contains(err.Error(), "429") {
			t.Errorf("round %d: pagerduty/eu: %v, want rate limited", round, err)
		}
		if err := srcs[1].Check(context.Background()); err != nil {
			t.Errorf("round %d: pagerduty/us: %v", round, err)
		}
		sent[round] = len(eu.Requests())
	}
	if sent[0] == 0 || sent[1] != sent[0] || len(us.Requests()) == 0 {
		t.Errorf("pagerduty/eu got %v requests after each round (us %d): the rate-limited account was asked during its cool-down, or the other was not asked",
			sent, len(us.Requests()))
	}
}
