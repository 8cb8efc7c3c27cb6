package app

import (
	"context"
	"testing"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/opsgenie"
	"github.com/opsctx/opsctx/connectors/pagerduty"
	ogfake "github.com/opsctx/opsctx/internal/fake/opsgenie"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
)

// source loads the configuration from env alone and returns the named source.
func source(t *testing.T, env map[string]string, name string) connectors.Source {
	t.Helper()
	cfg, err := config.Load("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	srcs, _ := Sources(cfg, Options{})
	for _, s := range srcs {
		if s.Name() == name {
			return s
		}
	}
	t.Fatalf("source %s not built from %v", name, env)
	return nil
}

// TestRegionURLs: the US API is the default and an EU URL is used when configured.
func TestRegionURLs(t *testing.T) {
	tests := []struct {
		name, source string
		env          map[string]string
		want         string
	}{
		{"pagerduty US default", "pagerduty", map[string]string{"PAGERDUTY_API_TOKEN": "tok-1234"}, "https://api.pagerduty.com"},
		{"pagerduty EU", "pagerduty", map[string]string{"PAGERDUTY_API_TOKEN": "tok-1234", "PAGERDUTY_API_URL": "https://api.eu.pagerduty.com"},
			"https://api.eu.pagerduty.com"},
		{"opsgenie US default", "opsgenie", map[string]string{"OPSGENIE_API_KEY": "key-1234"}, "https://api.opsgenie.com"},
		{"opsgenie EU", "opsgenie", map[string]string{"OPSGENIE_API_KEY": "key-1234", "OPSGENIE_API_URL": "https://api.eu.opsgenie.com"},
			"https://api.eu.opsgenie.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := source(t, tt.env, tt.source)
			var got string
			switch x := s.(type) {
			case *pagerduty.Source:
				got = x.BaseURL()
			case *opsgenie.Source:
				got = x.BaseURL()
			default:
				t.Fatalf("source is %T", s)
			}
			if got != tt.want {
				t.Errorf("base URL %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRequestsGoToConfiguredBase: a check reaches the configured server with the vendor's auth
// (one request per listing it probes).
func TestRequestsGoToConfiguredBase(t *testing.T) {
	pd := pdfake.Start(pdfake.Data{}, "pd-token-1234")
	defer pd.Close()
	og := ogfake.Start(ogfake.Data{}, "og-key-1234")
	defer og.Close()
	tests := []struct {
		source   string
		env      map[string]string
		requests func() int
		auth     func() string
		wantAuth string
	}{
		{"pagerduty", map[string]string{"PAGERDUTY_API_TOKEN": "pd-token-1234", "PAGERDUTY_API_URL": pd.URL},
			func() int { return pd.Count("/services") }, func() string { return pd.Requests()[0].Header.Get("Authorization") }, "Token token=pd-token-1234"},
		{"opsgenie", map[string]string{"OPSGENIE_API_KEY": "og-key-1234", "OPSGENIE_API_URL": og.URL},
			func() int { return og.Count("/v2/alerts") }, func() string { return og.Requests()[0].Header.Get("Authorization") }, "GenieKey og-key-1234"},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			if err := source(t, tt.env, tt.source).Check(context.Background()); err != nil {
				t.Fatal(err)
			}
			if tt.requests() != 1 || tt.auth() != tt.wantAuth {
				t.Errorf("%d alert or service listings with Authorization %q; want 1 with %q", tt.requests(), tt.auth(), tt.wantAuth)
			}
		})
	}
	if got := pd.Requests()[0].Header.Get("Accept"); got != pagerduty.Accept {
		t.Errorf("PagerDuty Accept %q", got)
	}
}
