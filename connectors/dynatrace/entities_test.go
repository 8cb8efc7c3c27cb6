package dynatrace_test

import (
	"context"
	"fmt"
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
	reqs := requests(srv, "/api/v2/entities")
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(reqs))
	}
	if r := reqs[0]; r.Path != "/e/abc123/api/v2/entities" || r.Query.Get("entitySelector") != `type("SERVICE")` ||
		r.Query.Get("fields") != "+tags,+managementZones,+fromRelationships,+toRelationships,+properties.serviceType" {
		t.Errorf("first request %s %v", r.Path, r.Query)
	}
	for _, r := range reqs[1:] {
		if len(r.Query) != 1 || r.Query.Get("nextPageKey") == "" {
			t.Errorf("follow-up sent %v, want only nextPageKey", r.Query)
		}
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
