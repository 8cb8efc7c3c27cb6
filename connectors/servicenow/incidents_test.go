package servicenow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

func TestIncidents(t *testing.T) {
	srv := start(t, shop(), creds)
	s := source(t, srv, "opsctx", "s3cret", Options{})
	got, err := s.Incidents(context.Background(), checkoutTarget())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("incidents = %+v, want only the active INC0012345", got)
	}
	inc := got[0]
	tests := []struct {
		name      string
		got, want any
	}{
		{"query", requests(srv, "/api/now/table/incident")[0]["sysparm_query"],
			"active=true^business_serviceIN" + id("Checkout Service") + "^ORcmdb_ciIN" + id("Checkout Service") + "^ORDERBYDESCopened_at"},
		{"id", inc.ID, id("INC0012345")},
		{"number", inc.Number, "INC0012345"},
		{"title", inc.Title, "Checkout payments failing intermittently"},
		{"service", inc.Service, "Checkout Service"},
		{"priority", inc.Priority, "P2"},
		{"urgency", inc.Urgency, "medium"},
		{"status", inc.Status, "in progress"},
		{"started", inc.StartedAt, t0.Add(-15 * time.Minute)},
		{"team", inc.Team, "Checkout Support"},
		{"assignees", strings.Join(inc.Assignees, ","), "Sam Okafor"},
		{"source", inc.Source, "servicenow"},
		{"url", inc.URL, srv.URL + "/nav_to.do?uri=incident.do?sys_id=" + id("INC0012345")},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}

	all, err := s.Incidents(context.Background(), model.Target{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Number != "INC0012400" || all[0].Service != "Search Service" {
		t.Errorf("zero target = %+v, want both active incidents, newest first, with CI names resolved", all)
	}
}

func TestFindIncident(t *testing.T) {
	tests := []struct {
		ref      string
		id       string
		kind     string
		services string
		roles    string        // of each service, in order
		started  time.Duration // before t0
		notFound bool
		requests int
	}{
		// CI names come as display values: one request per record read, no cmdb_ci lookup.
		{ref: "INC0012345", id: "INC0012345", kind: "incident", services: id("Checkout Service") + ",Checkout Service", roles: "business service,business service", started: 15 * time.Minute, requests: 1},
		{ref: " inc0012345 ", id: "INC0012345", kind: "incident", services: id("Checkout Service") + ",Checkout Service", roles: "business service,business service", started: 15 * time.Minute, requests: 1},
		{ref: "CHG0030017", id: "CHG0030017", kind: "change", services: id("orders-db-prod") + ",orders-db-prod", roles: "configuration item,configuration item", started: 31 * time.Minute, requests: 1},
		{ref: id("INC0012400"), id: "INC0012400", kind: "incident", services: id("Search Service") + ",Search Service", roles: "configuration item,configuration item", started: 5 * time.Minute, requests: 1},
		{ref: id("CHG0030012"), id: "CHG0030012", kind: "change", services: id("Payments Service") + ",Payments Service", roles: "business service,business service", started: 100 * time.Minute, requests: 2},
		// Both stated: an incident is about its business service, a change about its CI.
		{ref: "INC0012500", id: "INC0012500", kind: "incident", services: id("Checkout Service") + ",Checkout Service," + id("orders-db-prod") + ",orders-db-prod",
			roles: "business service,business service,configuration item,configuration item", started: 40 * time.Hour, requests: 1},
		{ref: "CHG0030030", id: "CHG0030030", kind: "change", services: id("db-host-01") + ",db-host-01," + id("Cart App Service") + ",Cart App Service",
			roles: "configuration item,configuration item,business service,business service", started: 50 * time.Hour, requests: 1},
		{ref: "INC9999999", notFound: true, requests: 1},
		{ref: "P-2311", notFound: true, requests: 0},
		{ref: "Q1CHK7LATENCY", notFound: true, requests: 0},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			srv := start(t, shop(), creds)
			s := source(t, srv, "opsctx", "s3cret", Options{})
			got, err := s.FindIncident(context.Background(), tt.ref)
			if n := len(srv.Requests()); n != tt.requests {
				t.Errorf("requests = %d, want %d", n, tt.requests)
			}
			if tt.notFound {
				if !errors.Is(err, connectors.ErrNotFound) {
					t.Errorf("err = %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var roles []string
			for _, s := range got.Services {
				roles = append(roles, got.Roles[s])
			}
			if got.Kind != tt.kind || strings.Join(roles, ",") != tt.roles {
				t.Errorf("kind %q roles %v, want %q %s", got.Kind, roles, tt.kind, tt.roles)
			}
			if got.ID != tt.id || strings.Join(got.Services, ",") != tt.services || !got.StartedAt.Equal(t0.Add(-tt.started)) ||
				got.Source != "servicenow" || got.Title == "" || !strings.Contains(got.URL, "sys_id=") {
				t.Errorf("got %+v, want id %s services %s started %v", got, tt.id, tt.services, t0.Add(-tt.started))
			}
		})
	}
}
