package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// hostSources is a small estate: a CMDB with servers and Runs on::Runs relations, Dynatrace
// with the same server as a HOST entity and a Kubernetes namespace, a catalog with
// kubernetes-id annotations, and an alert source where reports is alerting.
func hostSources() []*fake.Memory {
	catalog := &fake.Memory{SourceName: "catalogfile", Cat: model.Catalog{Services: []model.Service{
		{ID: "component:default/checkout", Name: "checkout", Owner: "team-checkout", Source: "catalogfile"},
		{ID: "component:default/ledger", Name: "ledger", Owner: "team-finance", Source: "catalogfile"},
		{ID: "component:default/reports", Name: "reports", Owner: "team-finance", Source: "catalogfile"},
		{ID: "component:default/search", Name: "search", Owner: "team-storefront", Source: "catalogfile",
			Annotations: map[string]string{"backstage.io/kubernetes-id": "search", "backstage.io/kubernetes-namespace": "shop"}},
		{ID: "component:default/payments", Name: "payments", Owner: "team-payments", Source: "catalogfile"},
	}}}
	cmdb := &fake.Memory{SourceName: "servicenow", Cat: model.Catalog{
		Services: []model.Service{
			{ID: "sn-checkout", Name: "checkout", Source: "servicenow"},
			{ID: "sn-ledger", Name: "ledger", Source: "servicenow"},
			{ID: "sn-reports", Name: "reports", Source: "servicenow"},
			{ID: "sn-idle-a", Name: "payments", Source: "servicenow"},
		},
		Hosts: []model.Host{
			{ID: "ci-app01", Name: "app-01", FQDN: "app-01.shop.example", IPs: []string{"10.0.4.11"}, Kind: model.HostKindHost, Class: "cmdb_ci_linux_server", Owner: "team-platform", Source: "servicenow"},
			{ID: "ci-batch01", Name: "batch-01", Kind: model.HostKindHost, Class: "cmdb_ci_linux_server", Source: "servicenow"},
			{ID: "ci-bare01", Name: "bare-01", Kind: model.HostKindHost, Class: "cmdb_ci_linux_server", Source: "servicenow"},
		},
		RunsOn: []model.RunsOn{
			{From: "sn-checkout", To: "ci-app01", Via: "Runs on::Runs", Source: "servicenow"},
			{From: "sn-ledger", To: "ci-batch01", Via: "Runs on::Runs", Source: "servicenow"},
			{From: "sn-reports", To: "ci-batch01", Via: "Runs on::Runs", Source: "servicenow"},
		},
	}}
	dt := &fake.Memory{SourceName: "dynatrace", Cat: model.Catalog{
		Services: []model.Service{{ID: "SERVICE-PAY", Name: "payments", Source: "dynatrace"}},
		Hosts: []model.Host{
			{ID: "HOST-0A1B2C3D4E5F6071", Name: "app-01.shop.example", FQDN: "app-01.shop.example", Kind: model.HostKindHost, Class: "HOST", Observed: true, Source: "dynatrace"},
			{ID: "CLOUD_APPLICATION_NAMESPACE-77", Name: "prod", Kind: model.HostKindNamespace, Class: "CLOUD_APPLICATION_NAMESPACE", Observed: true, Source: "dynatrace"},
		},
		RunsOn: []model.RunsOn{{From: "SERVICE-PAY", To: "CLOUD_APPLICATION_NAMESPACE-77", Via: "isNamespaceOfService", Source: "dynatrace"}},
	}}
	alerts := &fake.Memory{SourceName: "alertmanager", AlertList: []model.Alert{
		{ID: "a1", Title: "reports job failing", Service: "reports", Severity: "critical", Status: model.AlertFiring, Source: "alertmanager"},
		// Hosts no catalog knows, named only by the alerts' labels.
		{ID: "a2", Title: "DiskFull", Service: "checkout", Severity: "warning", Status: model.AlertFiring, Source: "alertmanager",
			Labels: map[string]string{"alertname": "DiskFull", "instance": "ledger-vm-7.corp.example:9100", "service": "checkout"}},
		{ID: "a3", Title: "PodCrashLooping", Service: "payments", Severity: "critical", Status: model.AlertFiring, Source: "alertmanager",
			Labels: map[string]string{"alertname": "PodCrashLooping", "namespace": "pay", "pod": "payments-api-7d9f8-x2x", "service": "payments"}},
		{ID: "a4", Title: "NodeDown", Severity: "critical", Status: model.AlertFiring, Source: "alertmanager",
			Labels: map[string]string{"alertname": "NodeDown", "instance": "orphan-01:9100"}},
	}}
	return []*fake.Memory{catalog, cmdb, dt, alerts}
}

// TestHostEntryPoint: a host reference answers for the service running there, whatever
// form the host is given in, and says how; several services on one host answer for the
// one in trouble and list the others, or list them all when none is alone in trouble.
func TestHostEntryPoint(t *testing.T) {
	var srcs []*fake.Memory
	e := func() *engine.Engine {
		srcs = hostSources()
		return newEngine(2*time.Second, srcs[0], srcs[1], srcs[2], srcs[3])
	}()
	for _, tt := range []struct {
		host, service, via string
		others             []string
		err                []string
	}{
		{host: "app-01", service: "checkout", via: "runs on host app-01 (servicenow Runs on::Runs)"},
		{host: "APP-01.shop.example", service: "checkout", via: "Runs on::Runs"},
		{host: "app-01.shop.example.", service: "checkout"},
		{host: "10.0.4.11", service: "checkout"},
		{host: "app-01.shop.example:9100", service: "checkout"},
		{host: "http://10.0.4.11:9100/metrics", service: "checkout"},
		{host: "HOST-0A1B2C3D4E5F6071", service: "checkout"},
		{host: "ci-app01", service: "checkout"},
		{host: "batch-01", service: "reports", via: "the one in trouble (degraded) of the 2 services there", others: []string{"ledger"}},
		{host: "shop/search", service: "search", via: "annotation backstage.io/kubernetes-id search in namespace shop"},
		{host: "search", service: "search", via: "kubernetes-id"},
		{host: "prod/payments", service: "payments", via: "runs on namespace prod (dynatrace isNamespaceOfService)"},
		{host: "other/search", err: []string{`unknown host "other/search"`}},
		{host: "ledger-vm-7", service: "checkout", via: `alert label instance=ledger-vm-7.corp.example:9100 on "DiskFull" (alertmanager), whose service label is checkout`},
		{host: "10.9.9.9", err: []string{`unknown host "10.9.9.9"`, "no open alert names it in a label"}},
		{host: "ledger-vm-7.other.example", err: []string{`unknown host "ledger-vm-7.other.example"`}},
		{host: "payments-api-7d9f8-x2x", service: "payments", via: "alert label pod=payments-api-7d9f8-x2x"},
		{host: "pay/payments-api", service: "payments", via: "alert label pod=payments-api-7d9f8-x2x"},
		{host: "orphan-01", err: []string{`unknown host "orphan-01"`}},
		{host: "bare-01", err: []string{`unknown host "bare-01"`, "It is host bare-01 (servicenow), but no source states a service running on it"}},
		{host: "nowhere.example", err: []string{`unknown host "nowhere.example"`, "No source places a service on this host"}},
	} {
		t.Run(tt.host, func(t *testing.T) {
			a, err := e.WhoOwns(context.Background(), engine.Subject{Host: tt.host}, 0)
			if len(tt.err) > 0 {
				if err == nil {
					t.Fatalf("answered for %s, want an error", a.Service.Name)
				}
				for _, s := range tt.err {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error lacks %q: %v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rf := a.ResolvedFrom
			if a.Service.Name != tt.service || rf == nil || rf.Kind != answer.FromHost || rf.Input != tt.host || !strings.Contains(rf.Via, tt.via) {
				t.Fatalf("answered for %s, resolved_from %+v; want %s via %q", a.Service.Name, rf, tt.service, tt.via)
			}
			var others []string
			for _, o := range rf.Others {
				others = append(others, o.Service)
				if o.Role != "also runs here" || o.OwnerTeam == "" || o.Health == "" {
					t.Errorf("other %+v lacks role, owner or health", o)
				}
			}
			if strings.Join(others, ",") != strings.Join(tt.others, ",") {
				t.Errorf("others %v, want %v", others, tt.others)
			}
		})
	}
}

// TestHostWithNobodyInTroubleListsEveryService: two services on one host, neither in
// trouble: none is picked; both are listed with owner and health.
func TestHostWithNobodyInTroubleListsEveryService(t *testing.T) {
	srcs := hostSources()
	srcs[3].AlertList = nil
	e := newEngine(2*time.Second, srcs[0], srcs[1], srcs[2], srcs[3])
	_, err := e.IncidentContext(context.Background(), engine.Query{Host: "batch-01"})
	var le *engine.LookupError
	if !errors.As(err, &le) || len(le.Candidates) != 2 {
		t.Fatalf("err = %v, want a lookup error with two candidates", err)
	}
	for _, want := range []string{`host "batch-01" matches 2 equally well; none is picked`,
		"- ledger (team-finance; ok; runs on host batch-01", "- reports (team-finance; ok; runs on host batch-01", "None of them is in trouble alone"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// TestFindServiceByHost: find_service takes a host and lists every service running there
// with the evidence.
func TestFindServiceByHost(t *testing.T) {
	srcs := hostSources()
	e := newEngine(2*time.Second, srcs[0], srcs[1], srcs[2], srcs[3])
	res, err := e.FindService(context.Background(), engine.Subject{Host: "batch-01.shop.example"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Candidates {
		got = append(got, c.Name+": "+c.MatchedBy)
	}
	if len(got) != 2 || !strings.Contains(strings.Join(got, "\n"), "ledger: runs on host batch-01") {
		t.Errorf("matches = %q", got)
	}
}
