package app

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	promfake "github.com/opsctx/opsctx/internal/fake/prometheus"
	"github.com/opsctx/opsctx/internal/model"
)

// TestProxyClientAuth: Prometheus and Alertmanager send bearer, basic or no auth, and an
// upstream that echoes the Authorization header cannot leak the credential.
func TestProxyClientAuth(t *testing.T) {
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		h := r.Header.Get("Authorization")
		scheme, _, _ := strings.Cut(h, " ")
		_, _ = io.WriteString(w, `{"error":"scheme=`+scheme+` got `+h+`"}`)
	}))
	defer echo.Close()
	basic := base64.StdEncoding.EncodeToString([]byte("ops:pw-canary-1234"))
	cases := []struct {
		name, user, pass, token string
		header                  string // what the echo saw
		leak                    []string
	}{
		{"none", "", "", "", "scheme= got (GET", nil},
		{"bearer", "", "", "tok-canary-5678", "scheme=Bearer", []string{"tok-canary-5678"}},
		{"basic", "ops", "pw-canary-1234", "", "scheme=Basic", []string{"pw-canary-1234", basic}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Sources.Alertmanager = []*config.Alertmanager{{URL: echo.URL, Username: tc.user, Password: config.Secret(tc.pass), Token: config.Secret(tc.token)}}
			cfg.Sources.Prometheus = []*config.Prometheus{{URL: echo.URL, Username: tc.user, Password: config.Secret(tc.pass), Token: config.Secret(tc.token)}}
			srcs, _ := Sources(cfg, Options{})
			if len(srcs) != 2 {
				t.Fatalf("sources %v", srcs)
			}
			for _, s := range srcs {
				err := s.Check(context.Background())
				if err == nil || !strings.Contains(err.Error(), tc.header) || !strings.Contains(err.Error(), "HTTP 401") {
					t.Errorf("%s: err %v, want it to show %q", s.Name(), err, tc.header)
					continue
				}
				for _, l := range tc.leak {
					if strings.Contains(err.Error(), l) {
						t.Errorf("%s leaks %q: %v", s.Name(), l, err)
					}
				}
			}
		})
	}
}

// TestPrometheusRuleListingKeptForCatalogTTL: the rule listing SLO discovery reads is kept
// for the catalog cache TTL, the default 10 min or as configured.
func TestPrometheusRuleListingKeptForCatalogTTL(t *testing.T) {
	prom := promfake.Start(promfake.Options{}, nil)
	defer prom.Close()
	cases := []struct {
		name     string
		ttl      string // OPSCTX_CACHE_TTL_CATALOG
		listings int    // over two SLOs calls 200 ms apart
	}{
		{"default catalog TTL", "", 1},
		{"catalog TTL 100ms", "100ms", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prom.Reset()
			s := source(t, map[string]string{"PROMETHEUS_URL": prom.URL, "OPSCTX_CACHE_TTL_CATALOG": tc.ttl}, "prometheus")
			if _, ok := s.(connectors.Warmer); !ok {
				t.Fatalf("%T is not a connectors.Warmer", s)
			}
			for i := range 2 {
				if i > 0 {
					time.Sleep(200 * time.Millisecond)
				}
				if _, err := s.(connectors.SLOs).SLOs(context.Background(), model.Target{Name: "checkout"}); err != nil {
					t.Fatal(err)
				}
			}
			if n := prom.Count("/api/v1/rules"); n != tc.listings {
				t.Errorf("%d rule listings, want %d", n, tc.listings)
			}
		})
	}
}
