package servicenow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/fake"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/model"
)

// TestListingsReadToTheEndOrSaidIncomplete: change requests and active incidents holding more
// rows than a page are read to their end; more rows than max_rows come back with an
// Incomplete naming the listing, never silently cut; an instance that ignores the offset
// (it answers page 1 to every page) fails the listing with a paging loop, rather than
// counting page 1's rows once per page.
func TestListingsReadToTheEndOrSaidIncomplete(t *testing.T) {
	const n = 7
	d := shop()
	for i := range n {
		d.Tables["change_request"] = append(d.Tables["change_request"], snfake.Record{"sys_id": id(fmt.Sprint("CHGX", i)),
			"number": fmt.Sprintf("CHG90%02d", i), "short_description": "deploy", "type": "standard", "state": "3",
			"start_date": at(time.Duration(i+1) * time.Minute), "cmdb_ci": id("Search Service")})
		d.Tables["incident"] = append(d.Tables["incident"], snfake.Record{"sys_id": id(fmt.Sprint("INCX", i)),
			"number": fmt.Sprintf("INC90%02d", i), "short_description": "slow", "state": "2", "active": "true",
			"opened_at": at(time.Duration(i+1) * time.Minute), "cmdb_ci": id("Search Service")})
	}
	search := model.Target{Name: "Search Service", Since: t0.Add(-2 * time.Hour), Until: t0,
		Records: []model.Service{{ID: id("Search Service"), Name: "Search Service", Source: SourceName}}}
	calls := map[string]func(*Source) (int, error){
		"change requests": func(s *Source) (int, error) {
			cs, err := s.Changes(context.Background(), search)
			var own int
			for _, c := range cs {
				if strings.HasPrefix(c.ID, "CHG90") {
					own++
				}
			}
			return own, err
		},
		"active incidents": func(s *Source) (int, error) {
			is, err := s.Incidents(context.Background(), search)
			var own int
			for _, i := range is {
				if strings.HasPrefix(i.Number, "INC90") {
					own++
				}
			}
			return own, err
		},
	}
	tables := map[string]string{"change requests": "change_request", "active incidents": "incident"}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			srv := start(t, d, creds)
			if got, err := call(source(t, srv, "opsctx", "s3cret", Options{PageSize: 2})); err != nil || got != n {
				t.Errorf("read to the end: %d, %v; want %d", got, err, n)
			}
			got, err := call(source(t, srv, "opsctx", "s3cret", Options{PageSize: 2, MaxRows: 4}))
			if !connectors.IsIncomplete(err) || got > 4 || !strings.Contains(err.Error(), name+" may be incomplete: more match than max_rows (4)") {
				t.Errorf("capped at 4 rows: %d, %v; want at most 4 and an Incomplete naming %s", got, err, name)
			}
			srv.AddFault(fake.Fault{PathPrefix: "/api/now/table/" + tables[name], Replay: true})
			if got, err := call(source(t, srv, "opsctx", "s3cret", Options{PageSize: 2})); !errors.Is(err, connectors.ErrPagingLoop) || got != 0 {
				t.Errorf("page 1 replayed: %d, %v; want none and a paging loop", got, err)
			}
		})
	}
}

// TestCaretInANameMatchesExactly: ServiceNow documents no escape for "^" in an encoded query
// value, so a CI named "Pay^Ments" is asked with LIKE on its longest piece, never "^^", and
// the rows of other CIs that piece also matches ("Ments Archive") are left out.
func TestCaretInANameMatchesExactly(t *testing.T) {
	d := shop()
	d.Tables["cmdb_ci_service"] = append(d.Tables["cmdb_ci_service"],
		snfake.Record{"sys_id": id("Pay^Ments"), "name": "Pay^Ments", "support_group": id("Checkout Support")},
		snfake.Record{"sys_id": id("Ments Archive"), "name": "Ments Archive", "support_group": id("Database Operations")})
	for _, ci := range []string{"Pay^Ments", "Ments Archive"} {
		d.Tables["incident"] = append(d.Tables["incident"], snfake.Record{"sys_id": id("INC " + ci), "number": "INC " + ci,
			"short_description": "down", "state": "2", "active": "true", "opened_at": at(time.Minute), "cmdb_ci": id(ci)})
		d.Tables["change_request"] = append(d.Tables["change_request"], snfake.Record{"sys_id": id("CHG " + ci),
			"number": "CHG " + ci, "short_description": "deploy", "type": "standard", "state": "3",
			"start_date": at(time.Minute), "cmdb_ci": id(ci)})
	}
	target := model.Target{Name: "payments", Since: t0.Add(-time.Hour), Until: t0, Records: []model.Service{{Name: "payments",
		Source: "catalogfile", Annotations: map[string]string{AnnotationCIName: "Pay^Ments"}}}}
	srv := start(t, d, creds)
	s := source(t, srv, "opsctx", "s3cret", Options{})
	ctx := context.Background()
	incs, err := s.Incidents(ctx, target)
	if err != nil || len(incs) != 1 || incs[0].Number != "INC Pay^Ments" {
		t.Errorf("incidents = %+v, %v; want INC Pay^Ments only", incs, err)
	}
	chs, err := s.Changes(ctx, target)
	if err != nil || len(chs) != 1 || chs[0].ID != "CHG Pay^Ments" {
		t.Errorf("changes = %+v, %v; want CHG Pay^Ments only", chs, err)
	}
	r, err := s.Responders(ctx, target)
	if err != nil || r.Policy != "Checkout Support" {
		t.Errorf("responders = %+v, %v; want Checkout Support's", r, err)
	}
	for _, req := range srv.Requests() {
		if q := req.Query.Get("sysparm_query"); strings.Contains(q, "^^") || strings.Contains(q, "Pay^") {
			t.Errorf("%s asked %q: a caret in a value has no escape", req.Path, q)
		}
	}
}
