package directory

import (
	"slices"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/directory/hosts"
	"github.com/opsctx/opsctx/internal/model"
)

// hostCatalogs are a CMDB, a catalog and an observability source describing the same
// three application servers, a cluster and a database host, each in its own way.
func hostCatalogs() []SourceCatalog {
	backstage := model.Catalog{
		Services: []model.Service{
			{ID: "component:default/pricing", Name: "pricing", Owner: "team-storefront"},
			{ID: "component:default/search", Name: "search", Owner: "team-storefront"},
			{ID: "resource:default/orders-db", Name: "orders-db", Owner: "team-platform"},
		},
		Hosts: []model.Host{
			{ID: "resource:default/k8s-prod", Name: "k8s-prod", Kind: model.HostKindCluster, Owner: "team-platform",
				Refs: []model.Ref{{In: "dynatrace", ID: "KUBERNETES_CLUSTER-00000000000000AA", Via: "annotation dynatrace.com/dynatrace-entity-id"}}},
		},
		RunsOn: []model.RunsOn{{From: "component:default/search", To: "resource:default/k8s-prod", Via: "spec.dependsOn"}},
	}
	servicenow := model.Catalog{
		Services: []model.Service{
			{ID: "sn-pricing", Name: "Pricing Service", Aliases: []string{"pricing"}},
			{ID: "sn-orders-db", Name: "orders-db-prod", Aliases: []string{"orders-db"}},
		},
		Hosts: []model.Host{
			{ID: "sn-app-01", Name: "app-prod-01", IPs: []string{"10.0.1.11"}, Owner: "Linux Platform", Class: "cmdb_ci_linux_server"},
			{ID: "sn-app-02", Name: "app-prod-02", FQDN: "app-prod-02.shop.example", IPs: []string{"10.0.1.12"}, Owner: "Linux Platform"},
			{ID: "sn-app-03", Name: "APP-PROD-03"},
			{ID: "sn-db-01", Name: "db-prod-01.eu.shop.example"},
			{ID: "sn-vmw", Name: "vmw-cluster-1", Kind: model.HostKindCluster, Owner: "Virtualisation"},
		},
		RunsOn: []model.RunsOn{
			{From: "sn-pricing", To: "sn-app-01", Via: "Runs on::Runs"},
			{From: "sn-pricing", To: "sn-app-02", Via: "Runs on::Runs"},
			{From: "sn-pricing", To: "sn-app-03", Via: "Runs on::Runs"},
			{From: "sn-orders-db", To: "sn-app-02", Via: "Runs on::Runs"}, // a host with several services
			{From: "sn-orders-db", To: "sn-db-01", Via: "Runs on::Runs"},
			{From: "sn-app-02", To: "sn-vmw", Via: "Virtualized by::Virtualizes"},
			{From: "sn-app-01", To: "sn-vmw", Via: "Virtualized by::Virtualizes"},
			{From: "sn-unknown", To: "sn-app-01", Via: "Runs on::Runs"}, // unknown end: dropped
		},
	}
	dynatrace := model.Catalog{
		Services: []model.Service{{ID: "SERVICE-1", Name: "pricing"}},
		Hosts: []model.Host{
			{ID: "HOST-01", Name: "app-prod-01.shop.example", IPs: []string{"10.0.1.11", "172.17.0.1", "127.0.0.1"}, Observed: true},
			{ID: "HOST-02", Name: "10.0.1.12", IPs: []string{"10.0.1.12", "172.17.0.1"}, Observed: true},
			{ID: "HOST-03", Name: "app-prod-03.shop.example", IPs: []string{"172.17.0.1"}, Observed: true},
			{ID: "HOST-DB", Name: "db-prod-01.us.shop.example", Observed: true}, // another domain: not the CMDB's db-prod-01
			{ID: "HOST-99", Name: "batch-07.shop.example", Observed: true},      // unknown to the CMDB
			{ID: "KUBERNETES_CLUSTER-00000000000000AA", Name: "prod-eu-1", Kind: model.HostKindCluster, Observed: true},
		},
		RunsOn: []model.RunsOn{
			{From: "SERVICE-1", To: "HOST-01", Via: "runsOnHost"},
			{From: "SERVICE-1", To: "HOST-03", Via: "runsOnHost"},
		},
	}
	return []SourceCatalog{{"backstage", backstage}, {"servicenow", servicenow}, {"dynatrace", dynatrace}}
}

func TestHostsMergeAcrossSources(t *testing.T) {
	d := Build(hostCatalogs(), nil)
	for _, tt := range []struct {
		source, id, host, method string
	}{
		{"dynatrace", "HOST-01", "app-prod-01", "same host name or address"}, // short name vs FQDN, and the address
		{"dynatrace", "HOST-02", "app-prod-02", "same host name or address"}, // an address as the name
		{"dynatrace", "HOST-03", "APP-PROD-03", "same short host name"},      // case, short vs FQDN
		{"dynatrace", "KUBERNETES_CLUSTER-00000000000000AA", "k8s-prod", "reference to KUBERNETES_CLUSTER-00000000000000AA"},
		{"dynatrace", "HOST-DB", "db-prod-01.us.shop.example", "primary record"}, // domains contradict
		{"dynatrace", "HOST-99", "batch-07.shop.example", "primary record"},
	} {
		h := d.HostForRecord(tt.source, tt.id)
		if h == nil || h.Name != tt.host {
			t.Errorf("%s %s resolved to %v, want %s", tt.source, tt.id, h, tt.host)
			continue
		}
		if !slices.ContainsFunc(h.Matches, func(m hosts.Match) bool { return m.ID == tt.id && m.Method == tt.method }) {
			t.Errorf("%s %s: matches %+v, want method %q", tt.source, tt.id, h.Matches, tt.method)
		}
	}
	if len(d.Hosts) != 8 {
		t.Errorf("hosts: %d, want 8 (three app servers, two db hosts, batch-07, two clusters)", len(d.Hosts))
	}
	// The docker bridge address every Dynatrace host has names none of them.
	if hs := d.LookupHost("172.17.0.1"); len(hs) != 3 {
		t.Errorf("LookupHost(shared address) = %v, want the three hosts that have it", names(hs))
	}
	if h := d.Host("app-prod-01"); h == nil || !h.Observed() || !h.Declared() || h.Owner() != "Linux Platform" {
		t.Errorf("app-prod-01: %+v", h)
	}
	if h := d.Host("batch-07.shop.example"); h == nil || !h.Observed() || h.Declared() {
		t.Errorf("batch-07 is seen in telemetry only: %+v", h)
	}
}

func names(hs []*hosts.Host) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out
}

func TestLookupHost(t *testing.T) {
	d := Build(hostCatalogs(), nil)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"app-prod-02", []string{"app-prod-02"}},
		{"APP-PROD-02.shop.example", []string{"app-prod-02"}},
		{"app-prod-02.shop.example:9100", []string{"app-prod-02"}},
		{"10.0.1.12:9100", []string{"app-prod-02"}},
		{"http://10.0.1.12:8080/metrics", []string{"app-prod-02"}},
		{"HOST-02", []string{"app-prod-02"}},
		{"sn-app-02", []string{"app-prod-02"}},
		{"app-prod-03:9100", []string{"APP-PROD-03"}},
		{"app-prod-01.other.example", nil},                                                   // another domain is another host
		{"db-prod-01", []string{"db-prod-01.eu.shop.example", "db-prod-01.us.shop.example"}}, // ambiguous short name
		{"k8s-prod", []string{"k8s-prod"}},
		{"prod-eu-1", []string{"k8s-prod"}},
		{"10.9.9.9", nil},
		{"", nil},
	} {
		got := names(d.LookupHost(tt.query))
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("LookupHost(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestRunsOn(t *testing.T) {
	d := Build(hostCatalogs(), nil)
	type hop struct{ host, through string }
	ground := func(name string) []hop {
		var out []hop
		for _, p := range d.RunsOn(name) {
			out = append(out, hop{p.Host.Name, p.Through})
		}
		return out
	}
	// pricing's three hosts (the CMDB's and Dynatrace's edges merged), then the VMware
	// cluster two of them run on, once.
	want := []hop{{"app-prod-01", ""}, {"app-prod-02", ""}, {"APP-PROD-03", ""}, {"vmw-cluster-1", "app-prod-01"}}
	if got := ground("pricing"); !slices.Equal(got, want) {
		t.Errorf("RunsOn(pricing) = %v, want %v", got, want)
	}
	p := d.RunsOn("pricing")[0]
	if !slices.Equal(p.Sources, []string{"servicenow", "dynatrace"}) || !slices.Equal(p.Via, []string{"Runs on::Runs", "runsOnHost"}) {
		t.Errorf("app-prod-01 placement: %+v", p)
	}
	if got := ground("search"); !slices.Equal(got, []hop{{"k8s-prod", ""}}) {
		t.Errorf("RunsOn(search) = %v", got)
	}
	if got := d.RunsOn("payments"); got != nil {
		t.Errorf("RunsOn(payments) = %v, want nothing", got)
	}
	// Runs on is not a dependency.
	if up, _ := d.Neighbours("pricing"); len(up) != 0 {
		t.Errorf("runs-on edges leaked into the dependency graph: %+v", up)
	}
	for host, want := range map[string][]string{
		"app-prod-02":           {"orders-db", "pricing"}, // a host with several services
		"vmw-cluster-1":         {"orders-db", "pricing"}, // through the hosts it virtualises
		"k8s-prod":              {"search"},
		"batch-07.shop.example": nil,
	} {
		if got := d.RunsHere(d.Host(host)); !slices.Equal(got, want) {
			t.Errorf("RunsHere(%s) = %v, want %v", host, got, want)
		}
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tg := d.Target(d.Entity("pricing"), now.Add(-time.Hour), now)
	if len(tg.Hosts) != 4 || tg.Hosts[1].Name != "app-prod-02" || len(tg.Hosts[1].Records) != 2 ||
		!slices.Contains(tg.Hosts[1].Records[0].Aliases, "app-prod-02.shop.example") {
		t.Errorf("target hosts: %+v", tg.Hosts)
	}
}

func TestHostShortNameAmbiguity(t *testing.T) {
	d := Build([]SourceCatalog{
		{"servicenow", model.Catalog{Hosts: []model.Host{{ID: "a", Name: "web-01.eu.shop.example"}, {ID: "b", Name: "web-01.us.shop.example"}}}},
		{"dynatrace", model.Catalog{Hosts: []model.Host{{ID: "HOST-W", Name: "WEB-01", Observed: true}}}},
	}, nil)
	if len(d.Hosts) != 3 || len(d.Ambiguities) != 1 || !d.Ambiguities[0].Host ||
		!slices.Equal(d.Ambiguities[0].Candidates, []string{"web-01.eu.shop.example", "web-01.us.shop.example"}) {
		t.Errorf("a short name that fits two hosts must not merge: hosts %v, ambiguities %+v", names(d.Hosts), d.Ambiguities)
	}
	if a := d.Ambiguities[0]; a.Concerns(&Entity{Name: "web-01.eu.shop.example"}) {
		t.Error("a host ambiguity concerns no service")
	}
}
