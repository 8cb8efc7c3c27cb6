package alertmanager

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/alertlabels"
	fakeam "github.com/opsctx/opsctx/internal/fake/alertmanager"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// TestSelectionAsFilters: Alerts reads every alert in one request and selects those of the
// target itself; it selects exactly what Alertmanager's filter matchers select when asked
// one set at a time (the service label, each fallback where the ones before are absent,
// Pyrra's SLO alerts, and each host label where the service label is absent), for
// several targets and label settings. The fake evaluates the matchers as Alertmanager does.
func TestSelectionAsFilters(t *testing.T) {
	l := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	t0 := time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)
	var alerts []fakeam.Alert
	for i, labels := range []map[string]string{
		l("service", "checkout"), l("service", "CHECKOUT-API"), l("service", "checkout2"), l("service", "axb"), l("service", "a.b"),
		l("service", " checkout"), l("service", "search", "job", "checkout"), l("job", "checkout"), l("app", "orders-db"),
		l("job", "node", "app", "checkout"), l("sloth_service", "checkout", "job", "x"), l("sloth_service", "search", "app", "checkout"),
		l("slo", "search-availability"), l("slo", "x", "job", "other"), l("slo", "a\nb"), l("slo", ""),
		l("instance", "app-1.shop.example:9100", "job", "node"), l("node", "APP-2"), l("instance", "other:9100", "node", "app-1"),
		l("instance", "app-10.shop.example:9100"), l("service", "search", "instance", "app-1:8080"), l("host", "10.0.0.1"),
		l("nodename", "app-1.eu.shop.example"), l("app", "search", "instance", "app-2"), l("alertname", "Watchdog"),
	} {
		labels["alertname"] = fmt.Sprint("A", i)
		alerts = append(alerts, fakeam.Alert{Labels: labels, StartsAt: t0.Add(time.Duration(i) * time.Second)})
	}
	srv := fakeam.Start(fakeam.Options{Now: func() time.Time { return t0 }}, alerts, nil)
	t.Cleanup(srv.Close)
	c := httpx.New(httpx.Options{Source: SourceName, BaseURL: srv.URL, RetryMax: -1})
	t.Cleanup(c.CloseIdleConnections)

	host := func(name string, ips ...string) model.Target {
		h := model.Host{Name: name, Kind: model.HostKindHost, IPs: ips}
		return model.Target{Name: name, Records: []model.Service{h.Record()}}
	}
	checkout := model.Target{Name: "checkout", Records: []model.Service{{Name: "checkout", Aliases: []string{"checkout-api"}}},
		Related: []model.Target{{Name: "orders-db"}, {Name: "a.b"}}}
	onHosts := checkout
	onHosts.Hosts = []model.Target{host("app-1"), host("app-2", "10.0.0.1")}
	cases := []struct {
		name   string
		labels config.Labels
		target model.Target
	}{
		{"service label and fallbacks", config.Labels{}, checkout},
		{"on hosts", config.Labels{}, onHosts},
		{"configured labels and host labels", config.Labels{Service: "app", Hosts: []string{"node", "host"}}, onHosts},
		{"another service", config.Labels{}, model.Target{Name: "search"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Options{Client: c, Labels: tc.labels})
			got, err := s.Alerts(context.Background(), tc.target)
			if err != nil {
				t.Fatal(err)
			}
			var selected []string
			for _, a := range got {
				selected = append(selected, a.Labels["alertname"])
			}
			sets := s.filterSets(alertlabels.Names(tc.target))
			if p := alertlabels.HostPattern(alertlabels.HostNames(tc.target)); p != "" {
				hostLabels := s.o.Labels.Hosts
				if hostLabels == nil {
					hostLabels = alertlabels.DefaultHostLabels
				}
				for _, hl := range hostLabels {
					sets = append(sets, []string{s.o.Labels.Service + `=""`, hl + "=~" + quoteValue(p)})
				}
			}
			var filtered []string
			for _, set := range sets {
				var page []gettableAlert
				if _, err := c.GetJSON(context.Background(), "api/v2/alerts", url.Values{"filter": set}, &page); err != nil {
					t.Fatal(err)
				}
				for _, a := range page {
					if n := a.Labels["alertname"]; !slices.Contains(filtered, n) {
						filtered = append(filtered, n)
					}
				}
			}
			slices.Sort(selected)
			slices.Sort(filtered)
			if len(selected) == 0 || !slices.Equal(selected, filtered) {
				t.Errorf("selected %v, Alertmanager's filters select %v", selected, filtered)
			}
		})
	}
}
