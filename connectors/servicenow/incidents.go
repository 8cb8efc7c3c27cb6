package servicenow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/model"
)

// incidentFields are the incident fields read.
var incidentFields = []string{"sys_id", "number", "short_description", "priority", "urgency", "state",
	"opened_at", "business_service", "cmdb_ci", "assignment_group", "assigned_to"}

// Incidents returns the active incidents whose business_service or cmdb_ci is the target's CI,
// newest first. A zero target returns every active incident (up to MaxRows). One request, as
// for Changes: display values name the group, the assignee and the CIs.
func (s *Source) Incidents(ctx context.Context, t model.Target) ([]model.Incident, error) {
	q := "active=true"
	c := refsOf(s.name, t, false)
	if t.Name != "" {
		if c.empty() {
			return nil, nil
		}
		q = and(q, c.query("business_service", "cmdb_ci"))
	}
	rows, truncated, err := s.list(ctx, list{table: "incident", query: and(q, "ORDERBYDESCopened_at"), fields: incidentFields, display: true})
	if err != nil {
		return nil, err
	}
	cut := connectors.Partial(!truncated, "active incidents", fmt.Sprintf("more match than max_rows (%d) rows", s.maxRows))
	n, want := names{}, refs{}
	for _, r := range rows {
		n.take(r, want, "sys_user", "assigned_to")
		n.take(r, want, "sys_user_group", "assignment_group")
		n.take(r, want, "cmdb_ci", "business_service", "cmdb_ci")
	}
	for id := range c.known {
		delete(want["cmdb_ci"], id)
	}
	if err := s.lookupNames(ctx, n, want); err != nil {
		return nil, err
	}
	out := make([]model.Incident, 0, len(rows))
	for _, r := range rows {
		if t.Name != "" && !c.keeps(r, n, "business_service", "cmdb_ci") {
			continue
		}
		inc := model.Incident{
			ID:        r.str("sys_id"),
			Number:    r.str("number"),
			Title:     r.str("short_description"),
			Service:   cmp.Or(ciName(r.str("business_service"), n, c.known), ciName(r.str("cmdb_ci"), n, c.known)),
			Priority:  priority(r.str("priority")),
			Urgency:   label(urgencies, r.str("urgency")),
			Status:    label(incidentStates, r.str("state")),
			StartedAt: r.time("opened_at"),
			Team:      n[r.str("assignment_group")],
			Source:    SourceName,
			URL:       s.recordURL("incident", r.str("sys_id")),
		}
		if a := n[r.str("assigned_to")]; a != "" {
			inc.Assignees = []string{a}
			if taken[r.str("state")] { // the assignee is working on it: they took it (ServiceNow does not say when)
				inc.Acks = []model.Ack{{By: a}}
			}
		}
		out = append(out, inc)
	}
	return out, cut
}

// priority renders a priority code as "P1".."P5" (1 = critical).
func priority(code string) string {
	if _, err := strconv.Atoi(code); err == nil {
		return "P" + code
	}
	return code
}

// taken are the incident states in which the assignee has taken the incident: in progress,
// on hold.
var taken = map[string]bool{"2": true, "3": true}

// incidentStates labels incident.state codes (base-system values).
var incidentStates = map[string]string{
	"1": "new", "2": "in progress", "3": "on hold", "6": "resolved", "7": "closed", "8": "canceled",
}

// urgencies labels incident.urgency codes.
var urgencies = map[string]string{"1": "high", "2": "medium", "3": "low"}

var (
	incNumber  = regexp.MustCompile(`(?i)^INC\d+$`)
	chgNumber  = regexp.MustCompile(`(?i)^CHG\d+$`)
	sysIDShape = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

// FindIncident resolves an INC number, a CHG number or an incident/change sys_id to the
// CIs it concerns: Services lists the business_service and cmdb_ci sys_ids and names (for
// a change, the CI changed first).
// Other references, and records that do not exist, give connectors.ErrNotFound.
func (s *Source) FindIncident(ctx context.Context, ref string) (connectors.IncidentRef, error) {
	ref = strings.TrimSpace(ref)
	switch {
	case incNumber.MatchString(ref):
		return s.find(ctx, "incident", "number="+strings.ToUpper(ref), ref)
	case chgNumber.MatchString(ref):
		return s.find(ctx, "change_request", "number="+strings.ToUpper(ref), ref)
	case sysIDShape.MatchString(ref):
		r, err := s.find(ctx, "incident", "sys_id="+ref, ref)
		if !errors.Is(err, connectors.ErrNotFound) {
			return r, err
		}
		return s.find(ctx, "change_request", "sys_id="+ref, ref)
	}
	return connectors.IncidentRef{}, connectors.ErrNotFound
}

func (s *Source) find(ctx context.Context, table, query, ref string) (connectors.IncidentRef, error) {
	fields := []string{"sys_id", "number", "short_description", "opened_at", "start_date", "work_start",
		"business_service", "cmdb_ci"}
	rows, _, err := s.list(ctx, list{table: table, query: query, fields: fields, max: 1, display: true})
	if err != nil {
		return connectors.IncidentRef{}, err
	}
	if len(rows) == 0 {
		return connectors.IncidentRef{}, fmt.Errorf("servicenow: no %s %s: %w", table, ref, connectors.ErrNotFound)
	}
	r := rows[0]
	bs, ci := r.str("business_service"), r.str("cmdb_ci")
	n, want := names{}, refs{}
	n.take(r, want, "cmdb_ci", "business_service", "cmdb_ci")
	if err := s.lookupNames(ctx, n, want); err != nil {
		return connectors.IncidentRef{}, err
	}
	ir := connectors.IncidentRef{ID: r.str("number"), Title: r.str("short_description"), Kind: connectors.KindIncident,
		StartedAt: r.time("opened_at"), Roles: map[string]string{}, Source: SourceName, URL: s.recordURL(table, r.str("sys_id"))}
	// An incident is about its business service, else its CI; a change about the CI changed.
	order := []string{bs, n[bs], ci, n[ci]}
	if table == "change_request" {
		ir.Kind, order = connectors.KindChange, []string{ci, n[ci], bs, n[bs]}
		for _, t := range []time.Time{r.time("start_date"), r.time("work_start")} {
			if !t.IsZero() {
				ir.StartedAt = t // actual start wins over planned, planned over opened
			}
		}
	}
	for _, v := range order {
		if v != "" && !slices.Contains(ir.Services, v) {
			ir.Services = append(ir.Services, v)
		}
	}
	for _, v := range []string{bs, n[bs]} {
		ir.Roles[v] = "business service"
	}
	for _, v := range []string{ci, n[ci]} {
		if _, both := ir.Roles[v]; !both {
			ir.Roles[v] = "configuration item"
		}
	}
	delete(ir.Roles, "")
	return ir, nil
}
