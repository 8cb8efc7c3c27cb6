package servicenow

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// whoIsOnCallPath is where the On-Call Scheduling plugin publishes OnCallRotation.whoIsOnCall().
// ServiceNow documents who is on call now only as that server-side API (OnCallRotation, in
// the Server API reference) and the On-Call Scheduling tables; the REST path itself is not
// in the REST API reference. Its answer is whoIsOnCall()'s documented list: {"result":
// [{userId, userIds, group, rota, roster, order, isOverride, isDevice, deviceId, ...}]}.
const whoIsOnCallPath = "api/now/on_call_rota/whoisoncall"

// onCallEntry is one whoIsOnCall element; order may arrive as a number or a string.
type onCallEntry struct {
	UserID     string          `json:"userId"`
	UserIDs    []string        `json:"userIds"` // custom escalation: several users at one order
	Group      string          `json:"group"`
	Order      json.RawMessage `json:"order"`
	IsOverride bool            `json:"isOverride"`
	IsDevice   bool            `json:"isDevice"`
}

// users returns the people of an entry: userId, else userIds; none for a device.
func (e onCallEntry) users() []string {
	if e.IsDevice {
		return nil
	}
	if e.UserID != "" {
		return []string{e.UserID}
	}
	return e.UserIDs
}

// Responders asks whoisoncall for the target CI's support group. The people on call and the
// group are named from the reference memo (users warmed by Warm, groups resolved by the
// catalog), so that whoisoncall is normally the only request; anyone else is looked up in
// one batch. An override (isOverride) is marked as one; a notification device, not a
// person, is counted in Responders.Note.
//
// When the endpoint is missing (HTTP 400 or 404) or answers in an unexpected shape, on-call
// is reported as unavailable in Responders.Note rather than as a failure of the source, and
// the documented On-Call Scheduling tables say who takes part (see rosters): the group's
// active shifts, their rosters in escalation order and the members in rotation order.
// Whose turn it is now is computed only by the OnCallRotation API, so nobody is listed as on
// call from the tables.
func (s *Source) Responders(ctx context.Context, t model.Target) (model.Responders, error) {
	groups, err := s.supportGroups(ctx, t)
	if err != nil || len(groups) == 0 {
		return model.Responders{}, err
	}
	now := t.Until
	if now.IsZero() {
		now = time.Now()
	}
	res, err := s.c.Get(ctx, whoIsOnCallPath, url.Values{"group_ids": {strings.Join(groups, ",")}})
	if st := httpx.StatusOf(err); st == 400 || st == 404 {
		return s.unavailable(ctx, groups, now, fmt.Sprintf("%s answered HTTP %d (On-Call Scheduling REST API not available on this instance)",
			"/"+whoIsOnCallPath, st))
	}
	if err != nil {
		return model.Responders{}, s.wrap(err, "on-call rotas")
	}
	var body struct {
		Result []onCallEntry `json:"result"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		return s.unavailable(ctx, groups, now, "unexpected whoisoncall answer ("+err.Error()+")")
	}
	want := refs{}
	want.add("sys_user_group", groups...)
	devices := 0
	for _, e := range body.Result {
		want.add("sys_user", e.users()...)
		if e.IsDevice {
			devices++
		}
	}
	names, err := s.resolve(ctx, want)
	if err != nil {
		return model.Responders{}, err
	}
	out := model.Responders{Policy: name(names, groups[0])}
	for _, e := range body.Result {
		for _, id := range e.users() {
			u, ok := names[id]
			if !ok {
				continue
			}
			out.OnCall = append(out.OnCall, model.OnCall{Name: u.str("name"), Email: u.str("email"), Level: level(e.Order),
				Schedule: name(names, e.Group), Override: e.IsOverride, Source: SourceName})
		}
	}
	if devices > 0 {
		out.Note = fmt.Sprintf("%d on-call entr%s from ServiceNow %s a notification device, not a person (not listed)",
			devices, plural(devices, "y", "ies"), plural(devices, "is", "are"))
	}
	return out, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// unavailable is the answer when whoisoncall cannot say: "on-call unavailable from
// ServiceNow: why", followed by the rosters the tables name, when they can be read.
func (s *Source) unavailable(ctx context.Context, groups []string, now time.Time, why string) (model.Responders, error) {
	out := model.Responders{Note: "on-call unavailable from ServiceNow: " + why}
	ros, policy, err := s.rosters(ctx, groups, now)
	if err != nil {
		return model.Responders{}, err
	}
	out.Policy = policy
	if ros != "" {
		out.Note += "; " + ros
	}
	return out, nil
}

// maxListed is how many members of a roster the note names.
const maxListed = 10

// rosters reads the documented On-Call Scheduling tables for groups — their active shifts
// (cmn_rota), each shift's active rosters in escalation order (cmn_rota_roster) and each
// roster's members in rotation order (cmn_rota_member, within their From and To dates) — and
// says who takes part in each: `shift "24x7" (cmn_rota): Primary: Sam Okafor, Priya Nair;
// Secondary: Lee Chan`. policy names the first group. Tables this account may not read
// (HTTP 400, 403 or 404) make the text say so; nothing else is made of them.
func (s *Source) rosters(ctx context.Context, groups []string, now time.Time) (text, policy string, err error) {
	soft := func(err error) bool {
		st := httpx.StatusOf(err)
		return st == 400 || st == 403 || st == 404
	}
	want := refs{}
	want.add("sys_user_group", groups...)
	gn, err := s.resolve(ctx, want)
	if err != nil {
		return "", "", err
	}
	policy = name(gn, groups[0])
	shifts, _, err := s.list(ctx, list{table: "cmn_rota", query: and(orGroup(anyOf("group", groups)), "active=true", "ORDERBYname"),
		fields: []string{"sys_id", "name"}})
	if soft(err) {
		return "the On-Call Scheduling tables cannot be read either (" + fmt.Sprintf("HTTP %d", httpx.StatusOf(err)) + ")", policy, nil
	}
	if err != nil {
		return "", "", err
	}
	if len(shifts) == 0 {
		return "no active on-call shift for the group in cmn_rota", policy, nil
	}
	var shiftIDs []string
	for _, r := range shifts {
		shiftIDs = append(shiftIDs, r.str("sys_id"))
	}
	ros, _, err := s.list(ctx, list{table: "cmn_rota_roster", query: and(orGroup(anyOf("rota", shiftIDs)), "active=true", "ORDERBYorder"),
		fields: []string{"sys_id", "name", "rota"}})
	if soft(err) {
		return "the On-Call Scheduling rosters cannot be read (" + fmt.Sprintf("HTTP %d", httpx.StatusOf(err)) + ")", policy, nil
	}
	if err != nil {
		return "", "", err
	}
	var rosterIDs []string
	for _, r := range ros {
		rosterIDs = append(rosterIDs, r.str("sys_id"))
	}
	var members []row
	if len(rosterIDs) > 0 {
		members, _, err = s.list(ctx, list{table: "cmn_rota_member", query: and(orGroup(anyOf("roster", rosterIDs)), "ORDERBYorder"),
			fields: []string{"member", "roster", "order", "from", "to"}})
		if soft(err) {
			return "the On-Call Scheduling roster members cannot be read (" + fmt.Sprintf("HTTP %d", httpx.StatusOf(err)) + ")", policy, nil
		}
		if err != nil {
			return "", "", err
		}
	}
	today := now.UTC().Format(time.DateOnly)
	users, byRoster := refs{}, map[string][]string{}
	for _, m := range members {
		if f, u := m.str("from"), m.str("to"); f != "" && f[:min(len(f), 10)] > today || u != "" && u[:min(len(u), 10)] < today {
			continue // not a member today
		}
		users.add("sys_user", m.str("member"))
		byRoster[m.str("roster")] = append(byRoster[m.str("roster")], m.str("member"))
	}
	un, err := s.resolve(ctx, users)
	if err != nil {
		return "", "", err
	}
	var parts []string
	for _, sh := range shifts {
		var rs []string
		for _, r := range ros {
			if r.str("rota") != sh.str("sys_id") {
				continue
			}
			var who []string
			for _, m := range byRoster[r.str("sys_id")] {
				who = append(who, cmp.Or(name(un, m), m))
			}
			if len(who) > maxListed {
				who = append(who[:maxListed], fmt.Sprintf("%d more", len(who)-maxListed))
			}
			rs = append(rs, cmp.Or(r.str("name"), "roster")+": "+cmp.Or(strings.Join(who, ", "), "no members"))
		}
		parts = append(parts, fmt.Sprintf("shift %q (cmn_rota): %s", sh.str("name"), cmp.Or(strings.Join(rs, "; "), "no active roster")))
	}
	return "who takes part, not whose turn it is now — " + strings.Join(parts, " | "), policy, nil
}

// Warm keeps the users of every on-call rota member in the reference memo: the members
// (cmn_rota_member), then their sys_user rows in batches of batchSize. Rows kept for more
// than half the memo's lifetime are read again, so that warming once per catalog refresh
// keeps them fresh. An instance without readable rota tables (HTTP 400, 403 or 404) has
// nothing to warm.
func (s *Source) Warm(ctx context.Context) error {
	rows, _, err := s.list(ctx, list{table: "cmn_rota_member", query: "ORDERBYsys_id", fields: []string{"member"}})
	if st := httpx.StatusOf(err); st == 400 || st == 403 || st == 404 {
		return nil
	}
	if err != nil {
		return err
	}
	users := make([]string, 0, len(rows))
	for _, r := range rows {
		users = append(users, r.str("member"))
	}
	_, err = s.lookup(ctx, "sys_user", users, lookupFields["sys_user"], memoTTL/2)
	return err
}

// level parses an order (1 = primary); missing or invalid is 1.
func level(raw json.RawMessage) int {
	n, err := strconv.Atoi(strings.Trim(string(raw), `"`))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// supportGroups returns the support_group sys_ids of the target's CI: from this source's own
// record when the target has one, else by reading the CI by sys_id or name.
func (s *Source) supportGroups(ctx context.Context, t model.Target) ([]string, error) {
	if t.Name == "" {
		return nil, nil
	}
	if r, ok := t.RecordFrom(s.name); ok {
		if g := r.Annotations[AnnotationSupportGroup]; g != "" {
			return []string{g}, nil
		}
		return nil, nil
	}
	c := refsOf(s.name, t, false)
	if c.empty() {
		return nil, nil
	}
	conds := append(anyOf("sys_id", c.ids), anyOf("name", c.names)...)
	rows, _, err := s.list(ctx, list{table: "cmdb_ci", query: orGroup(conds), fields: []string{"sys_id", "name", "support_group"}, max: 20})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range rows {
		if c.keeps(r, names{r.str("sys_id"): r.str("name")}, "sys_id") {
			ids = append(ids, r.str("support_group"))
		}
	}
	return unique(ids), nil
}

// Kept returns the rows kept (groups, people, rota names: what Warm and the catalog
// resolved), for a snapshot (connectors.Keeper).
func (s *Source) Kept() (json.RawMessage, error) { return json.Marshal(s.memo) }

// Keep takes back rows Kept returned; Warm and the catalog read them again.
func (s *Source) Keep(data json.RawMessage) error { return json.Unmarshal(data, s.memo) }
