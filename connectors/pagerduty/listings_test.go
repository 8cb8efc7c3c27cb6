package pagerduty

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/fake"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
	"github.com/opsctx/opsctx/internal/model"
)

// busy is an account with n rows in every listing the connector reads: services, open
// incidents of PCHK, triggered alerts of its newest incident, people on call for its policy,
// and change events in the last hour (three on PCHK, the rest elsewhere).
func busy(n int) pdfake.Data {
	d := pdfake.Data{Policies: []pdfake.EscalationPolicy{{ID: "PEP1", Name: "Checkout escalation"}}}
	for i := range n {
		id := fmt.Sprintf("P%03d", i)
		if i == 0 {
			id = "PCHK"
		}
		d.Services = append(d.Services, pdfake.Service{ID: id, Name: "service " + id, EscalationPolicy: pref("PEP1", "")})
		inc := fmt.Sprintf("I%d", i)
		d.Incidents = append(d.Incidents, pdfake.Incident{ID: inc, IncidentNumber: 100 + i, Title: "incident " + inc, Status: "triggered",
			Urgency: "high", CreatedAt: ago(time.Duration(i+1) * time.Minute), Service: pref("PCHK", "service PCHK")})
		d.Alerts = append(d.Alerts, pdfake.Alert{ID: fmt.Sprintf("A%d", i), Summary: "alert", Status: "triggered", Severity: "critical",
			CreatedAt: ago(time.Minute), Service: pref("PCHK", ""), Incident: pref("I0", "")})
		user := fmt.Sprintf("PU%d", i)
		d.Users = append(d.Users, pdfake.User{ID: user, Name: "User " + user})
		d.OnCalls = append(d.OnCalls, pdfake.OnCall{User: pref(user, "User "+user), EscalationPolicy: pref("PEP1", ""), EscalationLevel: i + 1})
		svc := "PCHK"
		if i >= 3 {
			svc = "P001"
		}
		d.ChangeEvents = append(d.ChangeEvents, pdfake.ChangeEvent{ID: fmt.Sprintf("C%d", i), Summary: "deploy", Timestamp: ago(time.Duration(i+1) * time.Minute),
			Services: []pdfake.Ref{pref(svc, "")}})
	}
	return d
}

// TestEveryListingIsReadToTheEndOrSaidIncomplete: each listing holding more rows than one page
// is read to its end, and when it cannot be (MaxPages reached), the rows read are returned with
// an Incomplete naming the listing, never silently cut; an account that ignores the offset
// (every page is page 1, more: true) fails the listing with a paging loop.
func TestEveryListingIsReadToTheEndOrSaidIncomplete(t *testing.T) {
	const rows, pageSize = 7, 2 // four pages
	checkout := model.Target{Name: "checkout", Since: t0.Add(-2 * time.Hour), Until: t0,
		Records: []model.Service{{ID: "PCHK", Name: "service PCHK", Source: SourceName}}}
	count := map[string]func(*Source) (int, error){
		"services": func(s *Source) (int, error) {
			cat, err := s.Catalog(context.Background())
			if err == nil && cat.Truncated {
				err = &connectors.Incomplete{What: "GET /services", Why: "the catalog says it is truncated: more remain"}
			}
			return len(cat.Services), err
		},
		"incidents": func(s *Source) (int, error) {
			incs, err := s.Incidents(context.Background(), model.Target{})
			return len(incs), err
		},
		"alerts of an incident": func(s *Source) (int, error) {
			s.o.MaxAlertIncidents = 1 // the newest incident only: its alerts are the listing here
			as, err := s.Alerts(context.Background(), checkout)
			if inc := (*connectors.Incomplete)(nil); errors.As(err, &inc) && inc.What == "alerts" {
				err = nil // only the cap on incidents, which is this test's doing, not the alert listing's
			}
			return len(as), err
		},
		"on-call": func(s *Source) (int, error) {
			r, err := s.Responders(context.Background(), checkout)
			return len(r.OnCall), err
		},
		"change events of the account": func(s *Source) (int, error) {
			cs, err := s.Changes(context.Background(), model.Target{Since: t0.Add(-2 * time.Hour), Until: t0})
			return len(cs), err
		},
	}
	paths := map[string]string{"services": "/services", "incidents": "/incidents", "alerts of an incident": "/incidents/I0/alerts",
		"on-call": "/oncalls", "change events of the account": "/change_events"}
	for name, call := range count {
		t.Run(name, func(t *testing.T) {
			src, srv := start(t, busy(rows), pageSize)
			n, err := call(src)
			if err != nil || n != rows {
				t.Fatalf("complete: %d rows, %v; want all %d", n, err, rows)
			}
			if pages := len(srv.Requests()); pages < (rows+pageSize-1)/pageSize {
				t.Errorf("%d requests, fewer than the listing's pages", pages)
			}
			src, _ = start(t, busy(rows), pageSize)
			src.o.MaxPages = 2
			n, err = call(src)
			if !connectors.IsIncomplete(err) || n != 2*pageSize || !strings.Contains(err.Error(), "more remain") {
				t.Errorf("cut at 2 pages: %d rows, %v; want the 4 rows read and an Incomplete saying more remain", n, err)
			}
			src, srv = start(t, busy(rows), pageSize)
			srv.AddFault(fake.Fault{Path: paths[name], Replay: true})
			if n, err = call(src); !errors.Is(err, connectors.ErrPagingLoop) || n != 0 {
				t.Errorf("page 1 replayed: %d rows, %v; want none and a paging loop", n, err)
			}
		})
	}
}

// TestBusyAccountChangesPerService: when the account's change event listing is longer than
// MaxPages, the target's own listing is read instead and, read to its end, is complete; when
// the target has more services than are asked one by one, the answer says so.
func TestBusyAccountChangesPerService(t *testing.T) {
	src, srv := start(t, busy(13), 2)
	src.o.MaxPages = 2
	cs, err := src.Changes(context.Background(), model.Target{Name: "checkout", Since: t0.Add(-2 * time.Hour), Until: t0,
		Records: []model.Service{{ID: "PCHK", Source: SourceName}}})
	if err != nil || len(cs) != 3 {
		t.Fatalf("%d changes, %v; want PCHK's 3, complete", len(cs), err)
	}
	if len(requests(srv, "/services/PCHK/change_events")) != 2 {
		t.Errorf("PCHK's change events not read to their end")
	}
	var related []model.Target
	for i := range DefaultMaxServiceChanges + 1 {
		related = append(related, model.Target{Name: fmt.Sprint(i), Records: []model.Service{{ID: fmt.Sprintf("P%03d", i+1), Source: SourceName}}})
	}
	_, err = src.Changes(context.Background(), model.Target{Name: "checkout", Since: t0.Add(-2 * time.Hour), Until: t0,
		Records: []model.Service{{ID: "PCHK", Source: SourceName}}, Related: related})
	if !connectors.IsIncomplete(err) || !strings.Contains(err.Error(), "10 of 12 services asked") {
		t.Errorf("err = %v, want the services not asked said", err)
	}
}
