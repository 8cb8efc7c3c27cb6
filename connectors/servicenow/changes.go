package servicenow

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// changeFields are the change_request fields read.
var changeFields = []string{"sys_id", "number", "short_description", "type", "state", "close_code",
	"start_date", "end_date", "work_start", "work_end", "assigned_to", "requested_by", "assignment_group",
	"cmdb_ci", "business_service", "approval", "backout_plan"}

// approvalFields are the sysapproval_approver fields read: who approved which change.
var approvalFields = []string{"approver", "sysapproval"}

// windowPad widens the server-side time filter so that the integration user's session time
// zone cannot hide a change; the exact window is then applied to the UTC values returned.
const windowPad = 14 * time.Hour

// Changes returns the change requests on the target's CIs, its related services' CIs and
// the hosts it runs on (cmdb_ci or business_service) whose start, actual (work_start) else
// planned (start_date), is in [t.Since, t.Until] or, scheduled, before t.Ahead, newest first,
// each with its record: planned and actual window, requester, implementer, approval and
// approvers, backout plan. Two concurrent requests: the rows with display values (which name
// the people, groups and CIs they reference; a reference without one is looked up) and the
// approvals of changes on the same CIs (sysapproval_approver, dot-walked to the change).
func (s *Source) Changes(ctx context.Context, t model.Target) ([]model.Change, error) {
	c := refsOf(s.name, t, true)
	if c.empty() {
		return nil, nil
	}
	until := t.Until
	if t.Ahead.After(until) {
		until = t.Ahead
	}
	parts := []string{c.query("cmdb_ci", "business_service")}
	if !t.Since.IsZero() {
		from := snTime(t.Since.Add(-windowPad))
		parts = append(parts, orGroup([]string{"work_start>=" + from, "start_date>=" + from}))
	}
	if !until.IsZero() {
		to := snTime(until.Add(windowPad))
		parts = append(parts, orGroup([]string{"work_start<=" + to, "start_date<=" + to}))
	}
	parts = append(parts, "ORDERBYDESCstart_date")
	var (
		rows, approvals []row
		truncated       bool
		err, aErr       error
		wg              conc.WaitGroup
	)
	wg.Go(func() {
		rows, truncated, err = s.list(ctx, list{table: "change_request", query: and(parts...), fields: changeFields, display: true})
	})
	wg.Go(func() { approvals, aErr = s.approvals(ctx, c) })
	wg.Wait()
	if err != nil {
		return nil, err
	}
	cut := connectors.Partial(!truncated, "change requests", fmt.Sprintf("more match than max_rows (%d) rows", s.maxRows))
	n, want := names{}, refs{}
	for _, r := range rows {
		n.take(r, want, "sys_user", "assigned_to", "requested_by")
		n.take(r, want, "sys_user_group", "assignment_group")
		n.take(r, want, "cmdb_ci", "cmdb_ci", "business_service")
	}
	approvers := map[string][]string{} // change sys_id -> approvers' names
	for _, a := range approvals {
		n.take(a, want, "sys_user", "approver")
		approvers[a.str("sysapproval")] = append(approvers[a.str("sysapproval")], a.str("approver"))
	}
	for id := range c.known {
		delete(want["cmdb_ci"], id)
	}
	if err := s.lookupNames(ctx, n, want); err != nil {
		return nil, err
	}
	var out []model.Change
	for _, r := range rows {
		if !c.keeps(r, n, "cmdb_ci", "business_service") {
			continue
		}
		ch := s.change(r, n, c.known, approvers[r.str("sys_id")])
		if (t.Since.IsZero() || !ch.At.Before(t.Since)) && (until.IsZero() || !ch.At.After(until)) {
			out = append(out, ch)
		}
	}
	slices.SortStableFunc(out, func(a, b model.Change) int { return b.At.Compare(a.At) })
	if aErr != nil && cut == nil { // the changes stand; who approved them is not known
		cut = &connectors.Incomplete{What: "change approvers", Why: aErr.Error()}
	}
	return out, cut
}

// approvals reads who approved the change requests on the CIs (at most maxApprovals, newest
// first): an instance without approval records, or that refuses the table, has none.
func (s *Source) approvals(ctx context.Context, c ciRef) ([]row, error) {
	q := and(c.query("sysapproval.cmdb_ci", "sysapproval.business_service"), "state=approved",
		"sysapproval.sys_class_name=change_request", "ORDERBYDESCsys_updated_on")
	rows, _, err := s.list(ctx, list{table: "sysapproval_approver", query: q, fields: approvalFields, display: true, max: maxApprovals})
	if st := httpx.StatusOf(err); st == 400 || st == 403 || st == 404 {
		return nil, nil
	}
	return rows, err
}

// maxApprovals bounds the approval rows read per answer.
const maxApprovals = 200

// change maps a change_request row. At is the actual start (work_start), else the planned
// start (start_date); Author is the assignee, else the requester, else the assignment group.
func (s *Source) change(r row, n names, known map[string]string, approvers []string) model.Change {
	at, end := r.time("work_start"), r.time("work_end")
	if at.IsZero() {
		at = r.time("start_date")
	}
	if end.IsZero() {
		end = r.time("end_date")
	}
	var risk []string
	if strings.EqualFold(r.str("type"), "emergency") {
		risk = append(risk, "emergency")
	}
	if strings.EqualFold(r.str("close_code"), "unsuccessful") {
		risk = append(risk, "failed")
	}
	return model.Change{
		ID:      r.str("number"),
		Title:   r.str("short_description"),
		Kind:    "change_request",
		At:      at,
		EndAt:   end,
		Author:  cmp.Or(n[r.str("assigned_to")], n[r.str("requested_by")], n[r.str("assignment_group")]),
		Service: cmp.Or(ciName(r.str("cmdb_ci"), n, known), ciName(r.str("business_service"), n, known)),
		Risk:    risk,
		State:   label(changeStates, r.str("state")),
		Record: &model.ChangeRecord{PlannedStart: r.time("start_date"), PlannedEnd: r.time("end_date"), WorkStart: r.time("work_start"),
			WorkEnd: r.time("work_end"), RequestedBy: n[r.str("requested_by")], Implementer: n[r.str("assigned_to")],
			ApprovedBy: strings.Join(uniqueNames(approvers, n), ", "), Approval: r.str("approval"), BackoutPlan: r.str("backout_plan")},
		Source: SourceName,
		URL:    s.recordURL("change_request", r.str("sys_id")),
	}
}

// uniqueNames names the users once each, in order.
func uniqueNames(ids []string, n names) []string {
	var out []string
	for _, id := range ids {
		if name := cmp.Or(n[id], id); !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// ciName names a CI sys_id from the target's records, else as the instance names it.
func ciName(id string, n names, known map[string]string) string {
	return cmp.Or(known[id], n[id])
}

// changeStates labels change_request.state codes (base-system change model).
var changeStates = map[string]string{
	"-5": "new", "-4": "assess", "-3": "authorize", "-2": "scheduled", "-1": "implement",
	"0": "review", "3": "closed", "4": "canceled",
}

// label returns the label of a choice code, or the code itself when unknown.
func label(m map[string]string, code string) string {
	if l, ok := m[code]; ok {
		return l
	}
	return code
}
