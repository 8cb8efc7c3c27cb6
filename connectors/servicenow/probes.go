package servicenow

import (
	"context"
	"net/url"

	"github.com/opsctx/opsctx/connectors"
)

var _ connectors.Prober = (*Source)(nil)

// Probes read one row of each table the answers read, with the roles ServiceNow's base system
// grants read access with (an instance's ACLs may differ).
func (s *Source) Probes() []connectors.Probe {
	var out []connectors.Probe
	add := func(capability, table, needs string, optional bool) {
		out = append(out, connectors.Probe{Capability: capability + " (" + table + ")", Needs: needs + " to read " + table,
			Optional: optional, Run: func(ctx context.Context) error { return s.readOne(ctx, table) }})
	}
	for _, c := range s.classes {
		add("services", c, "role cmdb_read or itil", false)
	}
	add("dependencies", "cmdb_rel_ci", "role cmdb_read or itil", false)
	add("related CIs", "cmdb_ci", "role cmdb_read or itil", false)
	add("owner groups", "sys_user_group", "a role that may read groups (itil)", false)
	add("people", "sys_user", "a role that may read users (itil)", false)
	add("changes", "change_request", "role itil (or change read access)", false)
	add("incidents", "incident", "role itil", false)
	add("on-call", "cmn_rota_member", "role itil, rota_admin, rota_manager or oc_read (On-Call Scheduling)", true)
	return out
}

// readOne reads one row's sys_id of table.
func (s *Source) readOne(ctx context.Context, table string) error {
	q := url.Values{"sysparm_limit": {"1"}, "sysparm_fields": {"sys_id"}, "sysparm_no_count": {"true"},
		"sysparm_exclude_reference_link": {"true"}}
	_, err := s.c.Get(ctx, tablePath(table), q)
	return s.wrap(err, table)
}
