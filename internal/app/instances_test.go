package app

import (
	"context"
	"slices"
	"testing"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
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
