package dynatrace_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/opsctx/opsctx/connectors/dynatrace"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/model"
)

const (
	svcFraud = "SERVICE-3E9B7D1F5A2C6618"
	svcPay   = "SERVICE-9A4E2B7C1D0F3356"
	pgi      = "PROCESS_GROUP_INSTANCE-1111111111111111"
)

func ref(id string) fakedt.EntityID { t, _, _ := cutType(id); return fakedt.EntityID{ID: id, Type: t} }

func cutType(id string) (string, string, bool) {
	for i := range id {
		if id[i] == '-' {
			return id[:i], id[i+1:], true
		}
	}
	return id, "", false
}

// topology: checkout calls payments (only in checkout's fromRelationships), orders-db
// (both sides) and fraud-check (only in fraud-check's toRelationships); a process group
// (runsOn) and an unlisted service are not edges between services.
func topology() []fakedt.Entity {
	return []fakedt.Entity{
		{EntityID: svcCheckout, Type: "SERVICE", DisplayName: "checkout-service",
			Tags:              []fakedt.Tag{fakedt.ContextlessTag("app", "checkout"), fakedt.ContextlessTag("owner", "team-checkout"), fakedt.ContextlessTag("tier1", "")},
			FromRelationships: map[string][]fakedt.EntityID{"calls": {ref(svcPay), ref(svcDB), ref("SERVICE-EEEEEEEEEEEEEEEE")}, "runsOn": {ref(pgi)}}},
		{EntityID: svcPay, Type: "SERVICE", DisplayName: "payments"},
		{EntityID: svcDB, Type: "SERVICE", DisplayName: "orders-db", Properties: map[string]any{"serviceType": "DATABASE_SERVICE"},
			ToRelationships: map[string][]fakedt.EntityID{"calls": {ref(svcCheckout)}}},
		{EntityID: svcFraud, Type: "SERVICE", DisplayName: "fraud-check",
			ToRelationships: map[string][]fakedt.EntityID{"calls": {ref(svcCheckout)}}},
		{EntityID: svcCart, Type: "SERVICE", DisplayName: "cart",
			FromRelationships: map[string][]fakedt.EntityID{"isCalledBy": {ref(svcCheckout)}}},
		{EntityID: appWeb, Type: "APPLICATION", DisplayName: "www.shop.example"},
	}
}

func TestCatalog(t *testing.T) {
	src, srv := start(t, fakedt.Data{Entities: topology()}, dynatrace.Options{PageSize: 2}, fakedt.Options{BasePath: "/e/abc123"})
	cat, err := src.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The services (3 pages of 2), and one page of each type that services run on, listed
	// concurrently: follow-up pages send only nextPageKey.
	firsts, followUps := map[string]string{}, 0
	for _, r := range requests(srv, "/api/v2/entities") {
		if r.Path != "/e/abc123/api/v2/entities" {
			t.Errorf("path %s", r.Path)
		}
		switch sel := r.Query.Get("entitySelector"); {
		case sel != "":
			firsts[sel] = r.Query.Get("fields")
		case len(r.Query) == 1 && r.Query.Get("nextPageKey") != "":
			followUps++
		default:
			t.Errorf("follow-up sent %v, want only nextPageKey", r.Query)
		}
	}
	wantFirsts := map[string]string{
		`type("SERVICE")`:                     "+tags,+managementZones,+fromRelationships,+toRelationships,+properties.serviceType",
		`type("PROCESS_GROUP")`:               "+fromRelationships",
		`type("HOST")`:                        "+tags,+properties,+toRelationships",
		`type("KUBERNETES_CLUSTER")`:          "+tags,+properties,+toRelationships",
		`type("CLOUD_APPLICATION_NAMESPACE")`: "+tags,+properties,+toRelationships",
	}
	if !maps.Equal(firsts, wantFirsts) || followUps != 2 {
		t.Errorf("listings %v and %d follow-up pages, want %v and 2", firsts, followUps, wantFirsts)
	}
	if cat.Truncated || len(cat.Services) != 5 {
		t.Fatalf("services %d truncated %v", len(cat.Services), cat.Truncated)
	}
	want0 := model.Service{ID: svcCheckout, Name: "checkout-service", Kind: "SERVICE", Type: "service", Owner: "team-checkout",
		Tags: []string{"app:checkout", "owner:team-checkout", "tier1"}, Source: "dynatrace",
		URL: srv.EnvURL() + "/#newservices/serviceOverview;id=" + svcCheckout}
	if fmt.Sprintf("%+v", cat.Services[0]) != fmt.Sprintf("%+v", want0) {
		t.Errorf("service\n got %+v\nwant %+v", cat.Services[0], want0)
	}
	if cat.Services[2].Type != "database" {
		t.Errorf("orders-db type %q", cat.Services[2].Type)
	}
	var edges []string
	for _, d := range cat.Dependencies {
		if d.Kind != "calls" || d.Source != "dynatrace" {
			t.Errorf("edge %+v", d)
		}
		edges = append(edges, d.From+">"+d.To)
	}
	slices.Sort(edges)
	want := []string{svcCheckout + ">" + svcDB, svcCheckout + ">" + svcCart, svcCheckout + ">" + svcFraud, svcCheckout + ">" + svcPay}
	slices.Sort(want)
	if !slices.Equal(edges, want) {
		t.Errorf("edges\n got %v\nwant %v", edges, want)
	}
}

// TestCatalogTruncated: a listing cut at MaxPages marks the catalog truncated (the answer's
// source status then says it may be incomplete).
func TestCatalogTruncated(t *testing.T) {
	src, _ := start(t, fakedt.Data{Entities: topology()}, dynatrace.Options{PageSize: 1, MaxPages: 3}, fakedt.Options{})
	cat, err := src.Catalog(context.Background())
	if err != nil || !cat.Truncated || len(cat.Services) != 3 {
		t.Fatalf("got %d services truncated=%v err=%v; want 3, true", len(cat.Services), cat.Truncated, err)
	}
	if len(cat.Dependencies) != 2 { // to payments and orders-db; edges to unlisted services are dropped
		t.Errorf("dependencies %+v", cat.Dependencies)
	}
}

// TestCatalogPlatforms reads what services run on per the entity model: hosts directly
// (runsOnHost) and through process groups (runsOn, then the group's runsOn), the Kubernetes
// cluster and namespace (isClusterOfService, isNamespaceOfService), and a host's and a
// namespace's cluster (isClusterOfHost, isClusterOfNamespace).
func TestCatalogPlatforms(t *testing.T) {
	const (
		pg, host1, host2, host3 = "PROCESS_GROUP-00000000000000A1", "HOST-00000000000000B1", "HOST-00000000000000B2", "HOST-00000000000000B3"
		k8s, ns                 = "KUBERNETES_CLUSTER-00000000000000C1", "CLOUD_APPLICATION_NAMESPACE-00000000000000D1"
	)
	es := []fakedt.Entity{
		{EntityID: svcCheckout, Type: "SERVICE", DisplayName: "checkout-service",
			FromRelationships: map[string][]fakedt.EntityID{"runsOn": {ref(pg)}, "runsOnHost": {ref(host1)}},
			ToRelationships:   map[string][]fakedt.EntityID{"isClusterOfService": {ref(k8s)}, "isNamespaceOfService": {ref(ns)}}},
		{EntityID: pg, Type: "PROCESS_GROUP", DisplayName: "checkout (tomcat)",
			FromRelationships: map[string][]fakedt.EntityID{"runsOn": {ref(host1), ref(host2)}}},
		{EntityID: host1, Type: "HOST", DisplayName: "web-1.shop.example",
			Properties:      map[string]any{"ipAddress": []any{"10.0.0.1", "172.17.0.1"}, "osType": "LINUX"},
			Tags:            []fakedt.Tag{fakedt.ContextlessTag("owner", "team-platform")},
			ToRelationships: map[string][]fakedt.EntityID{"isClusterOfHost": {ref(k8s)}}},
		{EntityID: host2, Type: "HOST", DisplayName: "10.0.0.2", Properties: map[string]any{"detectedName": "web-2.shop.example", "ipAddresses": []any{"10.0.0.2"}}},
		{EntityID: host3, Type: "HOST", DisplayName: "batch-7"},
		{EntityID: k8s, Type: "KUBERNETES_CLUSTER", DisplayName: "prod-eu-1"},
		{EntityID: ns, Type: "CLOUD_APPLICATION_NAMESPACE", DisplayName: "shop",
			ToRelationships: map[string][]fakedt.EntityID{"isClusterOfNamespace": {ref(k8s)}}},
	}
	src, srv := start(t, fakedt.Data{Entities: es}, dynatrace.Options{}, fakedt.Options{})
	cat, err := src.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]model.Host{}
	for _, h := range cat.Hosts {
		hosts[h.ID] = h
	}
	want1 := model.Host{ID: host1, Name: "web-1.shop.example", Kind: model.HostKindHost, Class: "HOST", FQDN: "web-1.shop.example",
		IPs: []string{"10.0.0.1", "172.17.0.1"}, Owner: "team-platform", Observed: true, Source: "dynatrace",
		URL: srv.EnvURL() + "/#newhosts/hostdetails;id=" + host1}
	tests := []struct {
		name      string
		got, want any
	}{
		{"hosts, clusters and namespaces", len(cat.Hosts), 5},
		{"a host", fmt.Sprintf("%+v", hosts[host1]), fmt.Sprintf("%+v", want1)},
		{"an address as the name, FQDN detected", hosts[host2].FQDN + " " + fmt.Sprint(hosts[host2].IPs), "web-2.shop.example [10.0.0.2]"},
		{"cluster", hosts[k8s].Kind + " " + hosts[k8s].Name, "cluster prod-eu-1"},
		{"namespace", hosts[ns].Kind + " " + hosts[ns].Name, "namespace shop"},
		{"edges", cat.RunsOn, []model.RunsOn{
			{From: svcCheckout, To: host1, Via: "runsOnHost", Source: "dynatrace"},
			{From: svcCheckout, To: host2, Via: "process group checkout (tomcat)", Source: "dynatrace"},
			{From: svcCheckout, To: k8s, Via: "isClusterOfService", Source: "dynatrace"},
			{From: svcCheckout, To: ns, Via: "isNamespaceOfService", Source: "dynatrace"},
			{From: host1, To: k8s, Via: "isClusterOfHost", Source: "dynatrace"},
			{From: ns, To: k8s, Via: "isClusterOfNamespace", Source: "dynatrace"},
		}},
		{"a process group is not a service", len(cat.Services), 1},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
