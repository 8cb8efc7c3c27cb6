package servicenow

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
)

// whoIsOnCallPath is the On-Call Scheduling plugin's scripted REST endpoint. It is not in
// ServiceNow's official REST reference; its answer is assumed to be {"result": [{userId,
// group, rota, roster, order, isOverride, ...}]}, the shape of OnCallRotation.whoIsOnCall().
const whoIsOnCallPath = "api/now/on_call_rota/whoisoncall"

// onCallEntry is one whoIsOnCall element; order may arrive as a number or a string.
type onCallEntry struct {
	UserID string          `json:"userId"`
	Group  string          `json:"group"`
	Order  json.RawMessage `json:"order"`
}

// Responders asks whoisoncall for the target CI's support group. The people on call and the
// group are named from the reference memo (users warmed by Warm, groups resolved by the
// catalog), so that whoisoncall is normally the only request; anyone else is looked up in
// one batch. When the endpoint is missing (HTTP 400 or 404) or answers in an unexpected
// shape, on-call is reported as unavailable in Responders.Note rather than as a failure of
// the source.
func (s *Source) Responders(ctx context.Context, t model.Target) (model.Responders, error) {
	groups, err := s.supportGroups(ctx, t)
	if err != nil || len(groups) == 0 {
		return model.Responders{}, err
	}
	res, err := s.c.Get(ctx, whoIsOnCallPath, url.Values{"group_ids": {strings.Join(groups, ",")}})
	if st := httpx.StatusOf(err); st == 400 || st == 404 {
		return model.Responders{Note: fmt.Sprintf("on-call unavailable from ServiceNow: %s answered HTTP %d "+
			"(On-Call Scheduling REST API not available on this instance)", "/"+whoIsOnCallPath, st)}, nil
	}
	if err != nil {
		return model.Responders{}, s.wrap(err, "on-call rotas")
	}
	var body struct {
		Result []onCallEntry `json:"result"`
	}
	if err := json.Unmarshal(res.Body, &body); err != nil {
		return model.Responders{Note: "on-call unavailable from ServiceNow: unexpected whoisoncall answer (" + err.Error() + ")"}, nil
	}
	want := refs{}
	want.add("sys_user_group", groups...)
	for _, e := range body.Result {
		want.add("sys_user", e.UserID)
	}
	names, err := s.resolve(ctx, want)
	if err != nil {
		return model.Responders{}, err
	}
	out := model.Responders{Policy: name(names, groups[0])}
	for _, e := range body.Result {
		u, ok := names[e.UserID]
		if !ok {
			continue
		}
		out.OnCall = append(out.OnCall, model.OnCall{Name: u.str("name"), Email: u.str("email"), Level: level(e.Order),
			Schedule: name(names, e.Group), Source: SourceName})
	}
	return out, nil
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
	rows, _, err := s.list(ctx, list{table: "cmdb_ci", query: orGroup(conds), fields: []string{"sys_id", "support_group"}, max: 20})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.str("support_group"))
	}
	return unique(ids), nil
}
