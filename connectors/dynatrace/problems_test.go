package dynatrace_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/connectors/dynatrace"
	"github.com/opsctx/opsctx/internal/fake"
	fakedt "github.com/opsctx/opsctx/internal/fake/dynatrace"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/reqcontract"
)

const (
	svcCheckout = "SERVICE-5B2C1A9F0D3E7781"
	svcDB       = "SERVICE-0D8E4A2C6B1F9925"
	svcCart     = "SERVICE-1F7D3C5A9B2E4460"
	appWeb      = "APPLICATION-00AA11BB22CC33DD"
)

func stub(id, name string) fakedt.EntityStub {
	typ, _, _ := strings.Cut(id, "-")
	return fakedt.Stub(id, typ, name)
}

// dbProblem is an open problem rooted in the database that impacts checkout.
func dbProblem() fakedt.Problem {
	rc := stub(svcDB, "orders-db")
	calls := int64(420)
	return fakedt.Problem{
		ProblemID: "-5723950718830532608_1732600000000V2", DisplayID: "P-2311", Title: "Response time degradation",
		ImpactLevel: "SERVICES", SeverityLevel: "PERFORMANCE", Status: "OPEN",
		StartTime: msAt(22 * time.Minute), EndTime: -1, RootCauseEntity: &rc,
		ImpactedEntities: []fakedt.EntityStub{stub(svcCheckout, "checkout-service")},
		AffectedEntities: []fakedt.EntityStub{rc, stub(svcCheckout, "checkout-service"), stub(svcCart, "cart")},
		ManagementZones:  []fakedt.ManagementZone{{ID: "42", Name: "shop-production"}},
		EntityTags:       []fakedt.Tag{fakedt.ContextlessTag("owner", "team-platform"), fakedt.ContextlessTag("env", "prod")},
		EvidenceDetails: &fakedt.EvidenceDetails{TotalCount: 1, Details: []fakedt.Evidence{{
			EvidenceType: "EVENT", DisplayName: "Configuration change", Entity: rc, RootCauseRelevant: true, StartTime: msAt(31 * time.Minute)}}},
		ImpactAnalysis: &fakedt.ImpactAnalysis{Impacts: []fakedt.Impact{{ImpactType: "SERVICE",
			ImpactedEntity: stub(svcCheckout, "checkout-service"), EstimatedAffectedUsers: 1520, NumberOfPotentiallyAffectedServiceCalls: &calls}}},
	}
}

func TestProblemMapping(t *testing.T) {
	noRC := dbProblem()
	noRC.ProblemID, noRC.DisplayID, noRC.RootCauseEntity = "1_2V2", "P-1", nil // root cause only in evidence
	closed := dbProblem()
	closed.ProblemID, closed.DisplayID, closed.Status, closed.EndTime = "3_4V2", "P-3", "CLOSED", msAt(5*time.Minute)
	closed.EvidenceDetails, closed.ImpactAnalysis, closed.ManagementZones, closed.EntityTags = nil, nil, nil, nil
	cases := []struct {
		name string
		in   fakedt.Problem
		want model.Problem
	}{
		{"open with root cause", dbProblem(), model.Problem{
			ID: "-5723950718830532608_1732600000000V2", DisplayID: "P-2311", Title: "Response time degradation",
			Severity: "PERFORMANCE", Level: model.SeverityWarning, Impact: "about 1520 affected users", Status: "open",
			StartedAt: t0.Add(-22 * time.Minute), RootCause: svcDB, RootCauseName: "orders-db",
			Impacted: []string{svcCheckout, svcCart}, ImpactedNames: []string{"checkout-service", "cart"},
			Owners: []string{"team-platform"}, Zones: []string{"shop-production"}, Source: "dynatrace"}},
		{"root cause from evidence", noRC, model.Problem{
			ID: "1_2V2", DisplayID: "P-1", Title: "Response time degradation",
			Severity: "PERFORMANCE", Level: model.SeverityWarning, Impact: "about 1520 affected users", Status: "open",
			StartedAt: t0.Add(-22 * time.Minute), RootCause: svcDB, RootCauseName: "orders-db",
			Impacted: []string{svcCheckout, svcCart}, ImpactedNames: []string{"checkout-service", "cart"},
			Owners: []string{"team-platform"}, Zones: []string{"shop-production"}, Source: "dynatrace"}},
		{"closed", closed, model.Problem{
			ID: "3_4V2", DisplayID: "P-3", Title: "Response time degradation", Severity: "PERFORMANCE", Level: model.SeverityWarning, Impact: "services impact",
			Status: "closed", StartedAt: t0.Add(-22 * time.Minute), EndedAt: t0.Add(-5 * time.Minute),
			RootCause: svcDB, RootCauseName: "orders-db",
			Impacted: []string{svcCheckout, svcCart}, ImpactedNames: []string{"checkout-service", "cart"}, Source: "dynatrace"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := start(t, fakedt.Data{Problems: []fakedt.Problem{tc.in}}, dynatrace.Options{}, fakedt.Options{})
			got, err := src.Problems(context.Background(), target("checkout", svcCheckout))
			if err != nil {
				t.Fatal(err)
			}
			tc.want.URL = srv.EnvURL() + "/#problems/problemdetails;pid=" + tc.want.ID
			if len(got) != 1 || fmt.Sprintf("%+v", got[0]) != fmt.Sprintf("%+v", tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestProblemsPagingSendsOnlyKeyAndFields(t *testing.T) {
	var ps []fakedt.Problem
	for i := range 7 {
		p := dbProblem()
		p.ProblemID, p.DisplayID = fmt.Sprintf("%d_1V2", i), fmt.Sprintf("P-%d", i)
		ps = append(ps, p)
	}
	src, srv := start(t, fakedt.Data{Problems: ps}, dynatrace.Options{PageSize: 2}, fakedt.Options{})
	t.Cleanup(func() { reqcontract.Check(t, "dynatrace", srv.Requests()) }) // every request in the API reference
	got, err := src.Problems(context.Background(), target("checkout", svcCheckout))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 7 {
		t.Fatalf("got %d problems, want 7", len(got))
	}
	reqs := requests(srv, "/api/v2/problems")
	if len(reqs) != 4 {
		t.Fatalf("%d requests, want 4 pages", len(reqs))
	}
	first := reqs[0].Query
	for k, want := range map[string]string{
		"entitySelector": `entityId("` + svcCheckout + `")`, "fields": "evidenceDetails,impactAnalysis", "pageSize": "2",
		"from": fmt.Sprint(t0.Add(-2 * time.Hour).UnixMilli()), "to": fmt.Sprint(t0.UnixMilli()),
	} {
		if first.Get(k) != want {
			t.Errorf("first page %s = %q, want %q", k, first.Get(k), want)
		}
	}
	for i, r := range reqs[1:] {
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range r.Query {
				if !yield(k) {
					return
				}
			}
		})
		if !slices.Equal(keys, []string{"fields", "nextPageKey"}) {
			t.Errorf("follow-up %d sent %v, want only fields and nextPageKey", i+1, keys)
		}
	}
	if got[6].RootCause != svcDB {
		t.Errorf("last page lost evidence/root cause: %+v", got[6])
	}
}

func TestProblemsSelectors(t *testing.T) {
	const hostDB = "HOST-00000000000000B1"
	hosted := target("checkout", svcCheckout)
	hosted.Hosts = []model.Target{{Name: "db-host", Records: []model.Service{{ID: hostDB, Name: "db-host", Source: "dynatrace"}}}}
	hostStub := fakedt.Stub(hostDB, "HOST", "db-host")
	onHost := fakedt.Problem{ProblemID: "7_1V2", DisplayID: "P-7", Title: "Memory saturation", Status: "OPEN", SeverityLevel: "RESOURCE_CONTENTION",
		ImpactLevel: "INFRASTRUCTURE", StartTime: dbProblem().StartTime, EndTime: -1, RootCauseEntity: &hostStub,
		AffectedEntities: []fakedt.EntityStub{fakedt.Stub(hostDB, "HOST", "db-host")}}
	cases := []struct {
		name   string
		target model.Target
		want   []map[string]string // per request: parameter -> value ("" = absent)
	}{
		{"zero target asks for every open problem", model.Target{},
			[]map[string]string{{"problemSelector": `status("open")`, "entitySelector": "", "from": ""}}},
		{"record and related annotation", target("checkout", svcCheckout, annotated("orders-db", svcDB)),
			[]map[string]string{{"entitySelector": `entityId("` + svcCheckout + `","` + svcDB + `")`, "problemSelector": ""}}},
		{"entity types split (asked concurrently)", target("checkout", svcCheckout, annotated("web", appWeb)),
			[]map[string]string{{"entitySelector": `entityId("` + appWeb + `")`}, {"entitySelector": `entityId("` + svcCheckout + `")`}}},
		{"the hosts it runs on", hosted,
			[]map[string]string{{"entitySelector": `entityId("` + hostDB + `")`}, {"entitySelector": `entityId("` + svcCheckout + `")`}}},
		{"entity id typed as a name", model.Target{Name: svcCart}, []map[string]string{{"entitySelector": `entityId("` + svcCart + `")`}}},
		{"no dynatrace identity", model.Target{Name: "search"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, srv := start(t, fakedt.Data{Problems: []fakedt.Problem{dbProblem(), onHost}}, dynatrace.Options{}, fakedt.Options{})
			got, err := src.Problems(context.Background(), tc.target)
			if err != nil {
				t.Fatal(err)
			}
			reqs := requests(srv, "/api/v2/problems")
			slices.SortFunc(reqs, func(a, b fake.Request) int {
				return strings.Compare(a.Query.Get("entitySelector"), b.Query.Get("entitySelector"))
			})
			if len(reqs) != len(tc.want) {
				t.Fatalf("%d requests, want %d", len(reqs), len(tc.want))
			}
			for i, w := range tc.want {
				for k, v := range w {
					if g := reqs[i].Query.Get(k); g != v {
						t.Errorf("request %d: %s = %q, want %q", i, k, g, v)
					}
				}
			}
			want := 1
			if tc.target.Name == "" {
				want = 2 // every open problem
			}
			switch {
			case tc.target.Hosts != nil:
				if len(got) != 2 || !slices.ContainsFunc(got, func(p model.Problem) bool { return p.RootCause == hostDB }) {
					t.Errorf("got %+v, want the service's problem and the one rooted on its host", got)
				}
			case len(tc.want) > 0 && !strings.HasPrefix(tc.name, "entity types split") && len(got) != want:
				t.Errorf("got %d problems, want %d", len(got), want)
			}
		})
	}
}

func TestFindIncident(t *testing.T) {
	p := dbProblem()
	cases := []struct {
		ref      string
		wantErr  error
		wantID   string
		requests int
		query    map[string]string
		path     string
	}{
		{ref: "P-2311", wantID: "P-2311", requests: 1, path: "/api/v2/problems",
			query: map[string]string{"problemSelector": `displayId("P-2311")`, "fields": "evidenceDetails,impactAnalysis"}},
		{ref: " p-2311 ", wantID: "P-2311", requests: 1, path: "/api/v2/problems"},
		{ref: p.ProblemID, wantID: "P-2311", requests: 1, path: "/api/v2/problems/" + p.ProblemID},
		{ref: "P-9999", wantErr: connectors.ErrNotFound, requests: 1},
		{ref: "-1_1V2", wantErr: connectors.ErrNotFound, requests: 1},
		{ref: "INC0012345", wantErr: connectors.ErrNotFound, requests: 0},
	}
	for _, tc := range cases {
		t.Run(tc.ref, func(t *testing.T) {
			src, srv := start(t, fakedt.Data{Problems: []fakedt.Problem{p}}, dynatrace.Options{}, fakedt.Options{})
			got, err := src.FindIncident(context.Background(), tc.ref)
			if n := len(srv.Requests()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r := srv.Requests()[0]; r.Path != tc.path {
				t.Errorf("path %s, want %s", r.Path, tc.path)
			} else {
				for k, v := range tc.query {
					if r.Query.Get(k) != v {
						t.Errorf("%s = %q, want %q", k, r.Query.Get(k), v)
					}
				}
			}
			want := []string{svcCheckout, "checkout-service", svcCart, "cart"}
			if got.ID != tc.wantID || !slices.Equal(got.Services, want) || !slices.Equal(got.RootCause, []string{svcDB, "orders-db"}) ||
				got.Kind != "problem" || got.Roles[svcCheckout] != "impacted service (1520 affected users)" || got.Roles["cart"] != "affected service" ||
				!got.StartedAt.Equal(t0.Add(-22*time.Minute)) ||
				got.Source != "dynatrace" || !strings.HasSuffix(got.URL, "pid="+p.ProblemID) || got.Title != p.Title {
				t.Errorf("got %+v", got)
			}
		})
	}
}

// TestFindIncidentSubject: a problem is about the service users feel, not its root cause.
func TestFindIncidentSubject(t *testing.T) {
	db, host := stub(svcDB, "orders-db"), stub("HOST-00AA11BB22CC33DD", "db-host-01")
	checkout, cart := stub(svcCheckout, "checkout-service"), stub(svcCart, "cart")
	impact := func(e fakedt.EntityStub, users int64) fakedt.Impact {
		return fakedt.Impact{ImpactType: "SERVICE", ImpactedEntity: e, EstimatedAffectedUsers: users}
	}
	for _, tt := range []struct {
		name     string
		edit     func(p *fakedt.Problem)
		services []string // ids, in order
		role     string   // of the first
	}{
		{"impacted, not the root cause", func(p *fakedt.Problem) {}, []string{svcCheckout, svcCart}, "impacted service (1520 affected users)"},
		{"the one the title names", func(p *fakedt.Problem) {
			p.Title = "Cart response time degradation"
			p.ImpactedEntities = []fakedt.EntityStub{checkout, cart}
			p.ImpactAnalysis.Impacts = []fakedt.Impact{impact(checkout, 1520), impact(cart, 10)}
		}, []string{svcCart, svcCheckout}, "impacted service named in the title"},
		{"the most affected users", func(p *fakedt.Problem) {
			p.ImpactedEntities = []fakedt.EntityStub{checkout, cart}
			p.ImpactAnalysis.Impacts = []fakedt.Impact{impact(checkout, 10), impact(cart, 500)}
		}, []string{svcCart, svcCheckout}, "impacted service with the most affected users (500)"},
		{"a service before a host", func(p *fakedt.Problem) {
			p.ImpactedEntities, p.ImpactAnalysis = []fakedt.EntityStub{host, checkout}, nil
			p.AffectedEntities = []fakedt.EntityStub{db, host, checkout}
		}, []string{svcCheckout, host.EntityID.ID}, "impacted service"},
		{"only the root cause is impacted", func(p *fakedt.Problem) {
			p.ImpactedEntities, p.AffectedEntities, p.ImpactAnalysis = []fakedt.EntityStub{db}, []fakedt.EntityStub{db}, nil
		}, []string{svcDB}, "root cause, also impacted"},
		{"nothing impacted: the affected ones", func(p *fakedt.Problem) {
			p.ImpactedEntities, p.ImpactAnalysis = nil, nil
			p.AffectedEntities = []fakedt.EntityStub{db, cart}
		}, []string{svcCart}, "affected service"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := dbProblem()
			tt.edit(&p)
			src, _ := start(t, fakedt.Data{Problems: []fakedt.Problem{p}}, dynatrace.Options{}, fakedt.Options{})
			got, err := src.FindIncident(context.Background(), p.DisplayID)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range got.Services {
				if strings.Contains(s, "-") && strings.ToUpper(s) == s {
					ids = append(ids, s)
				}
			}
			if !slices.Equal(ids, tt.services) || got.Roles[got.Services[0]] != tt.role || !slices.Equal(got.RootCause, []string{svcDB, "orders-db"}) {
				t.Errorf("services %v (first: %q), root cause %v; want %v (first: %q)", got.Services, got.Roles[got.Services[0]], got.RootCause, tt.services, tt.role)
			}
		})
	}
}
