package alertmanager_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors/alertmanager"
	fakeam "github.com/opsctx/opsctx/internal/fake/alertmanager"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// hostTarget is checkout running on n hosts app-0..app-(n-1).shop.example.
func hostTarget(n int) model.Target {
	t := checkoutTarget()
	for i := range n {
		h := model.Host{ID: fmt.Sprint("h", i), Name: fmt.Sprintf("app-%d", i), FQDN: fmt.Sprintf("app-%d.shop.example", i), Kind: model.HostKindHost, Source: "servicenow"}
		t.Hosts = append(t.Hosts, model.Target{Name: h.Name, Records: []model.Service{h.Record()}})
	}
	return t
}

// TestAlertsOnHosts: alerts with no service label whose instance or node label names a host
// the target runs on come with the service's (port, FQDN and short name alike, Host kept as
// written); another host's and a labelled service's on the same host do not; a target on
// many hosts (60, 120 names: more than a request URL could name) is answered for every one.
func TestAlertsOnHosts(t *testing.T) {
	srvAlerts := []fakeam.Alert{
		{Labels: lbl("alertname", "NodeLoad", "instance", "app-1.shop.example:9100"), StartsAt: t0},
		{Labels: lbl("alertname", "NodeDisk", "node", "APP-2"), StartsAt: t0},
		{Labels: lbl("alertname", "OtherHost", "instance", "app-10.shop.example:9100"), StartsAt: t0},
		{Labels: lbl("alertname", "SearchOnHost", "service", "search", "instance", "app-1:8080"), StartsAt: t0},
	}
	srv := fakeam.Start(fakeam.Options{Now: func() time.Time { return t0 }}, srvAlerts, nil)
	t.Cleanup(srv.Close)
	c := httpx.New(httpx.Options{Source: "alertmanager", BaseURL: srv.URL, RetryMax: -1})
	t.Cleanup(c.CloseIdleConnections)
	src := alertmanager.New(alertmanager.Options{Client: c})
	got, err := src.Alerts(context.Background(), hostTarget(3))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.Labels["alertname"]+"@"+a.Host)
	}
	slices.Sort(names)
	if want := []string{"NodeDisk@APP-2", "NodeLoad@app-1.shop.example:9100"}; !slices.Equal(names, want) {
		t.Errorf("alerts %v, want %v", names, want)
	}
	got, err = src.Alerts(context.Background(), hostTarget(60))
	if err != nil || len(got) != 3 || !slices.ContainsFunc(got, func(a model.Alert) bool { return a.Host == "app-10.shop.example:9100" }) {
		t.Errorf("a target on 60 hosts: %+v, %v; want the alerts on app-1, app-2 and app-10, complete", got, err)
	}
}
