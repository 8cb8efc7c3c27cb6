package servicenow

import (
	"context"
	"fmt"
	"net/url"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
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
	const rota = "role itil, rota_admin, rota_manager or oc_read (On-Call Scheduling)"
	out = append(out, connectors.Probe{Capability: "on-call now (/" + whoIsOnCallPath + ")", Needs: rota, Optional: true,
		Run: func(ctx context.Context) error {
			_, err := s.c.Get(ctx, whoIsOnCallPath, url.Values{"group_ids": {""}})
			if st := httpx.StatusOf(err); st == 400 || st == 404 {
				return fmt.Errorf("the On-Call Scheduling REST API is not available on this instance (HTTP %d): on-call "+
					"names the rosters from the on-call tables instead, not whose turn it is", st)
			}
			return s.wrap(err, "on-call rotas")
		}})
	add("on-call shifts", "cmn_rota", rota, true)
	add("on-call rosters", "cmn_rota_roster", rota, true)
	add("on-call members", "cmn_rota_member", rota, true)
	return out
}

// readOne reads one row's sys_id of table.
func (s *Source) readOne(ctx context.Context, table string) error {
	q := url.Values{"sysparm_limit": {"1"}, "sysparm_fields": {"sys_id"}, "sysparm_no_count": {"true"},
		"sysparm_exclude_reference_link": {"true"}}
	_, err := s.c.Get(ctx, tablePath(table), q)
	return s.wrap(err, table)
}
