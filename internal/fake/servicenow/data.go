package servicenow

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Record is one table row as ServiceNow stores it: every value is a string, references hold
// the target's sys_id, and date/times are "YYYY-MM-DD HH:MM:SS" in UTC.
type Record map[string]string

// OnCall is one element of the whoIsOnCall answer (On-Call Scheduling plugin).
type OnCall struct {
	UserID     string // sys_user sys_id
	Group      string // sys_user_group sys_id
	Rota       string // cmn_rota sys_id
	Roster     string // cmn_rota_roster sys_id
	Order      int    // 1 = primary, 2 = secondary...
	IsOverride bool
	IsDevice   bool // a notification device (cmn_notif_device), not a person: UserID is empty
	// Shift and RosterName are the cmn_rota and cmn_rota_roster names ("24x7" and "Primary"
	// when empty).
	Shift, RosterName string
}

// Data is what the fake serves.
type Data struct {
	// Tables maps a table name to its rows. A row without sys_class_name gets its table's
	// name; a query on a parent class (cmdb_ci, cmdb_ci_service, task) also returns the rows
	// of its subclasses (see Extends).
	Tables map[string][]Record
	// OnCall maps a sys_user_group sys_id to the people on call for it now. A nil map makes
	// /api/now/on_call_rota/whoisoncall answer 400 "Requested URI does not represent any
	// resource", as on an instance without the plugin's REST API. The rotas, rosters and
	// members it names are also served as cmn_rota, cmn_rota_roster and cmn_rota_member rows
	// (the tables whoIsOnCall reads), unless Tables has rows with those sys_ids; an override
	// (IsOverride) covers a shift without making its person a member.
	OnCall map[string][]OnCall
}

// memberID is the cmn_rota_member sys_id of an on-call entry.
func memberID(oc OnCall) string { return SysID("cmn_rota_member:" + oc.Rota + oc.UserID) }

// rotaRows returns the cmn_rota, cmn_rota_roster and cmn_rota_member rows named by the
// on-call entries, without the sys_ids that tables already holds.
func rotaRows(oncall map[string][]OnCall, tables map[string][]Record) map[string][]Record {
	seen := map[string]bool{}
	for _, rows := range tables {
		for _, r := range rows {
			seen[r["sys_id"]] = true
		}
	}
	out := map[string][]Record{}
	add := func(table string, r Record) {
		if id := r["sys_id"]; id != "" && !seen[id] {
			seen[id] = true
			out[table] = append(out[table], r)
		}
	}
	for _, g := range slices.Sorted(maps.Keys(oncall)) {
		for _, oc := range oncall[g] {
			add("cmn_rota", Record{"sys_id": oc.Rota, "name": cmp.Or(oc.Shift, "24x7"), "group": oc.Group, "active": "true"})
			add("cmn_rota_roster", Record{"sys_id": oc.Roster, "name": cmp.Or(oc.RosterName, "Primary"), "rota": oc.Rota,
				"order": "100", "active": "true"})
			if !oc.IsOverride && !oc.IsDevice {
				add("cmn_rota_member", Record{"sys_id": memberID(oc), "member": oc.UserID, "roster": oc.Roster,
					"order": strconv.Itoa(oc.Order)})
			}
		}
	}
	return out
}

// Extends maps a table to the table it extends (base-system class hierarchy, abridged).
var Extends = map[string]string{
	"cmdb_ci_service":                "cmdb_ci",
	"cmdb_ci_service_auto":           "cmdb_ci_service",
	"cmdb_ci_service_discovered":     "cmdb_ci_service_auto",
	"cmdb_ci_service_technical":      "cmdb_ci_service",
	"cmdb_ci_appl":                   "cmdb_ci",
	"cmdb_ci_db_instance":            "cmdb_ci_appl",
	"cmdb_ci_db_postgresql_instance": "cmdb_ci_db_instance",
	"cmdb_ci_hardware":               "cmdb_ci",
	"cmdb_ci_computer":               "cmdb_ci_hardware",
	"cmdb_ci_server":                 "cmdb_ci_computer",
	"cmdb_ci_linux_server":           "cmdb_ci_server",
	"cmdb_ci_win_server":             "cmdb_ci_server",
	"cmdb_ci_esx_server":             "cmdb_ci_server",
	"cmdb_ci_cluster":                "cmdb_ci",
	"cmdb_ci_kubernetes_cluster":     "cmdb_ci_cluster",
	"incident":                       "task",
	"change_request":                 "task",
	"problem":                        "task",
}

// isA reports whether table is class or one of its subclasses.
func isA(table, class string) bool {
	for t := table; t != ""; t = Extends[t] {
		if t == class {
			return true
		}
	}
	return false
}

// SysID returns a deterministic 32-hex sys_id for a seed, like the ids ServiceNow generates.
func SysID(seed string) string {
	sum := md5.Sum([]byte(seed))
	return hex.EncodeToString(sum[:])
}

// Time is the layout of ServiceNow date/time values (UTC, no zone).
const Time = "2006-01-02 15:04:05"

// store indexes the data: rows by table and every row by sys_id.
type store struct {
	tables map[string][]Record
	byID   map[string]Record
	table  map[string]string          // sys_id -> table the row is stored under
	fields map[string]map[string]bool // stored table -> field names
}

func newStore(d Data) *store {
	s := &store{tables: map[string][]Record{}, byID: map[string]Record{}, table: map[string]string{}, fields: map[string]map[string]bool{}}
	tables := map[string][]Record{}
	maps.Copy(tables, d.Tables)
	for t, rows := range rotaRows(d.OnCall, d.Tables) {
		tables[t] = append(slices.Clip(tables[t]), rows...)
	}
	for t, rows := range tables {
		for _, r := range rows {
			c := make(Record, len(r)+1)
			for k, v := range r {
				c[k] = v
			}
			if c["sys_class_name"] == "" {
				c["sys_class_name"] = t
			}
			s.tables[t] = append(s.tables[t], c)
			if s.fields[t] == nil {
				s.fields[t] = map[string]bool{}
			}
			for k := range c {
				s.fields[t][k] = true
			}
			if id := c["sys_id"]; id != "" {
				s.byID[id] = c
				s.table[id] = t
			}
		}
	}
	return s
}

// baseTables exist on every instance, even when the fake has no rows for them.
var baseTables = []string{"cmdb_ci", "cmdb_rel_ci", "cmdb_rel_type", "sys_user", "sys_user_group",
	"sys_user_grmember", "cmn_rota", "cmn_rota_roster", "cmn_rota_member", "task", "incident", "change_request"}

// known reports whether table exists: it has rows, or it is a known class.
func (s *store) known(table string) bool {
	if _, ok := s.tables[table]; ok || slices.Contains(baseTables, table) {
		return true
	}
	if _, ok := Extends[table]; ok {
		return true
	}
	for _, p := range Extends {
		if p == table {
			return true
		}
	}
	return false
}

// rows returns the rows of table and of its subclasses, in a stable order.
func (s *store) rows(table string) []Record {
	var out []Record
	for _, t := range slices.Sorted(maps.Keys(s.tables)) {
		if isA(t, table) {
			out = append(out, s.tables[t]...)
		}
	}
	return out
}

// hasField reports whether any row of table (or a subclass) has the field.
func (s *store) hasField(table, field string) bool {
	for t, set := range s.fields {
		if set[field] && isA(t, table) {
			return true
		}
	}
	return false
}

// get returns a field value, dot-walking references ("cmdb_ci.name", "type.name").
func (s *store) get(r Record, field string) string {
	head, rest, walk := strings.Cut(field, ".")
	if !walk {
		return r[field]
	}
	ref := s.byID[r[head]]
	if ref == nil {
		return ""
	}
	return s.get(ref, rest)
}

// isRef reports whether v names a row (a reference value).
func (s *store) isRef(v string) bool {
	if len(v) != 32 {
		return false
	}
	_, ok := s.byID[v]
	return ok
}

// display is the display value of a field: a reference shows its target's name or number.
func (s *store) display(v string) string {
	if r := s.byID[v]; r != nil && len(v) == 32 {
		for _, k := range []string{"name", "number", "user_name"} {
			if r[k] != "" {
				return r[k]
			}
		}
	}
	return v
}
