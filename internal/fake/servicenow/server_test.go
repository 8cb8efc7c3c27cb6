package servicenow

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func data() Data {
	dep := SysID("type:dep")
	return Data{Tables: map[string][]Record{
		"cmdb_rel_type":  {{"sys_id": dep, "name": DependsOn}},
		"sys_user_group": {{"sys_id": SysID("g1"), "name": "Checkout Support"}},
		"cmdb_ci_service": {
			{"sys_id": SysID("a"), "name": "A", "support_group": SysID("g1"), "priority": "2"},
			{"sys_id": SysID("b"), "name": "B", "priority": "10"},
			{"sys_id": SysID("c"), "name": "C, Inc", "priority": "3"},
		},
		"cmdb_ci_service_auto": {{"sys_id": SysID("d"), "name": "D"}},
		"cmdb_ci_db_instance":  {{"sys_id": SysID("db"), "name": "db-prod", "support_group": SysID("gone")}}, // dangling
		"cmdb_rel_ci":          {{"sys_id": SysID("r"), "parent": SysID("a"), "child": SysID("db"), "type": dep}},
	}}
}

func TestQuery(t *testing.T) {
	st := newStore(data())
	tests := []struct {
		table, query string
		want         string // names, in order
		err          bool
	}{
		{"cmdb_ci_service", "", "A B C, Inc D", false},
		{"cmdb_ci", "nameINa,db-prod", "db-prod A", false}, // tables in name order
		{"cmdb_ci_service", "name=C, Inc", "C, Inc", false},
		{"cmdb_ci_service", "nameLIKEinc^ORname=b", "B C, Inc", false},
		{"cmdb_ci_service", "name!=A^name!=B", "C, Inc D", false},
		{"cmdb_ci_service", "priority>2^ORDERBYpriority", "C, Inc B", false}, // numeric comparison
		{"cmdb_ci_service", "priorityISNOTEMPTY^ORDERBYDESCname", "C, Inc B A", false},
		{"cmdb_ci_service", "name=A^NQname=D", "A D", false},
		{"cmdb_ci_service", "support_group.name=checkout support", "A", false}, // dot-walk, case-insensitive
		{"cmdb_ci", "sys_class_nameINSTANCEOFcmdb_ci_service^ORDERBYname", "A B C, Inc D", false},
		{"cmdb_ci", "sys_idIN" + SysID("db") + "," + SysID("d") + "^ORDERBYname", "D db-prod", false},
		{"cmdb_ci_service", "Name=A", "", true},
		{"cmdb_ci_service", "name~A", "", true},
		{"cmdb_ci_service", "name=A^^name=B", "", false}, // no escape: "^^" is two separators (an empty term)
		{"cmdb_ci_service", "name=A^^B", "", true},       // ... so "B" is a term without an operator
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := ParseQuery(tt.query)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if tt.err {
				return
			}
			var rows []Record
			for _, r := range st.rows(tt.table) {
				if q.Match(r, st.get) {
					rows = append(rows, r)
				}
			}
			q.Sort(rows, st.get)
			var names []string
			for _, r := range rows {
				names = append(names, r["name"])
			}
			if got := strings.Join(names, " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func get(t *testing.T, srv *Server, path string, q url.Values, user string) (*http.Response, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path+"?"+q.Encode(), nil)
	if user != "" {
		req.SetBasicAuth(user, "pw")
	}
	res, b := faketest.Do(t, req)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return res, body
}

func TestTableAPI(t *testing.T) {
	srv := Start(data(), Options{Username: "u", Password: "pw"})
	defer srv.Close()
	tests := []struct {
		name   string
		path   string
		q      url.Values
		user   string
		status int
		check  func(t *testing.T, h http.Header, body map[string]any)
	}{
		{name: "unauthenticated", path: "/api/now/table/cmdb_ci_service", status: 401, check: func(t *testing.T, h http.Header, b map[string]any) {
			if b["status"] != "failure" || b["error"].(map[string]any)["message"] != "User Not Authenticated" {
				t.Errorf("body %v", b)
			}
		}},
		{name: "page with headers", path: "/api/now/table/cmdb_ci_service", user: "u", status: 200,
			q: url.Values{"sysparm_limit": {"2"}, "sysparm_offset": {"1"}, "sysparm_query": {"ORDERBYname"}, "sysparm_fields": {"name,bogus"}},
			check: func(t *testing.T, h http.Header, b map[string]any) {
				rows := b["result"].([]any)
				if len(rows) != 2 || rows[0].(map[string]any)["name"] != "B" || len(rows[0].(map[string]any)) != 1 {
					t.Errorf("rows %v: want B, C with only name", rows)
				}
				link := h.Get("Link")
				for _, want := range []string{`sysparm_offset=0&sysparm_query=ORDERBYname>;rel="first"`, `sysparm_offset=0&sysparm_query=ORDERBYname>;rel="prev"`,
					`sysparm_offset=3&sysparm_query=ORDERBYname>;rel="next"`, `sysparm_offset=2&sysparm_query=ORDERBYname>;rel="last"`} {
					if !strings.Contains(link, want) {
						t.Errorf("Link %q lacks %q", link, want)
					}
				}
				if h.Get("X-Total-Count") != "4" {
					t.Errorf("X-Total-Count = %q", h.Get("X-Total-Count"))
				}
			}},
		{name: "reference link by default", path: "/api/now/table/cmdb_ci_service", user: "u", status: 200,
			q: url.Values{"sysparm_query": {"name=A"}, "sysparm_fields": {"support_group,sys_id"}},
			check: func(t *testing.T, h http.Header, b map[string]any) {
				r := b["result"].([]any)[0].(map[string]any)
				ref, _ := r["support_group"].(map[string]any)
				if ref["value"] != SysID("g1") || !strings.HasSuffix(ref["link"].(string), "/api/now/table/sys_user_group/"+SysID("g1")) || r["sys_id"] != SysID("a") {
					t.Errorf("row %v", r)
				}
			}},
		{name: "reference excluded", path: "/api/now/table/cmdb_ci_service", user: "u", status: 200,
			q: url.Values{"sysparm_query": {"name=A"}, "sysparm_fields": {"support_group"}, "sysparm_exclude_reference_link": {"true"}},
			check: func(t *testing.T, h http.Header, b map[string]any) {
				if v := b["result"].([]any)[0].(map[string]any)["support_group"]; v != SysID("g1") {
					t.Errorf("support_group = %v", v)
				}
			}},
		{name: "display values", path: "/api/now/table/cmdb_ci_service", user: "u", status: 200,
			q: url.Values{"sysparm_query": {"name=A"}, "sysparm_fields": {"support_group,name"}, "sysparm_display_value": {"all"}},
			check: func(t *testing.T, h http.Header, b map[string]any) {
				r := b["result"].([]any)[0].(map[string]any)
				if r["support_group"].(map[string]any)["display_value"] != "Checkout Support" || r["name"].(map[string]any)["value"] != "A" {
					t.Errorf("row %v", r)
				}
			}},
		{name: "dot-walked fields", path: "/api/now/table/cmdb_ci", user: "u", status: 200,
			q: url.Values{"sysparm_query": {"nameINa,b,db-prod^ORDERBYname"}, "sysparm_fields": {"name,support_group.sys_id,support_group.name"}},
			check: func(t *testing.T, h http.Header, b map[string]any) {
				var got []string
				for _, r := range b["result"].([]any) {
					m := r.(map[string]any)
					got = append(got, fmt.Sprintf("%v:%v:%v", m["name"], m["support_group.sys_id"], m["support_group.name"]))
				}
				// a dot-walked sys_id is a plain value (no link); empty through an empty or dangling reference
				if want := []string{"A:" + SysID("g1") + ":Checkout Support", "B::", "db-prod::"}; !slices.Equal(got, want) {
					t.Errorf("rows %v, want %v", got, want)
				}
			}},
		{name: "dot-walked sys_id displays as itself", path: "/api/now/table/cmdb_ci_service", user: "u", status: 200,
			q: url.Values{"sysparm_query": {"name=A"}, "sysparm_fields": {"sys_id,support_group.sys_id"}, "sysparm_display_value": {"all"}},
			check: func(t *testing.T, h http.Header, b map[string]any) {
				r := b["result"].([]any)[0].(map[string]any)
				for k, want := range map[string]string{"sys_id": SysID("a"), "support_group.sys_id": SysID("g1")} {
					if v, _ := r[k].(map[string]any); v["display_value"] != want || v["value"] != want || v["link"] != nil {
						t.Errorf("%s = %v, want %s displayed as itself", k, r[k], want)
					}
				}
			}},
		{name: "single record", path: "/api/now/table/cmdb_ci/" + SysID("db"), user: "u", status: 200,
			check: func(t *testing.T, h http.Header, b map[string]any) {
				if b["result"].(map[string]any)["name"] != "db-prod" {
					t.Errorf("body %v", b)
				}
			}},
		{name: "record of another class", path: "/api/now/table/cmdb_ci_service/" + SysID("db"), user: "u", status: 404},
		{name: "unknown table", path: "/api/now/table/nope", user: "u", status: 400},
		{name: "bad query", path: "/api/now/table/cmdb_ci", q: url.Values{"sysparm_query": {"Name=x"}}, user: "u", status: 400},
		{name: "no on-call plugin", path: "/api/now/on_call_rota/whoisoncall", user: "u", status: 400},
		{name: "versioned path", path: "/api/now/v2/table/cmdb_rel_type", user: "u", status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, srv, tt.path, tt.q, tt.user)
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (%v)", res.StatusCode, tt.status, body)
			}
			if tt.status >= 400 && body["status"] != "failure" {
				t.Errorf("error body %v", body)
			}
			if tt.check != nil {
				tt.check(t, res.Header, body)
			}
		})
	}
}

func TestWhoIsOnCallAndRateLimit(t *testing.T) {
	d := data()
	d.OnCall = map[string][]OnCall{SysID("g1"): {{UserID: SysID("u1"), Group: SysID("g1"), Order: 1}}}
	srv := Start(d, Options{Token: "tok", RateLimit: 1})
	defer srv.Close()
	req := func() (*http.Response, []byte) {
		r, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/now/on_call_rota/whoisoncall?group_ids="+SysID("g1"), nil)
		r.Header.Set("Authorization", "Bearer tok")
		return faketest.Do(t, r)
	}
	res, b := req()
	var body struct {
		Result []map[string]any `json:"result"`
	}
	_ = json.Unmarshal(b, &body)
	if len(body.Result) != 1 || body.Result[0]["userId"] != SysID("u1") || body.Result[0]["order"] != 1.0 {
		t.Errorf("whoisoncall = %v", body.Result)
	}
	if res.Header.Get("X-RateLimit-Limit") != "1" || res.Header.Get("X-RateLimit-Rule") != RateLimitRule || res.Header.Get("X-RateLimit-Reset") == "" {
		t.Errorf("rate-limit headers %v", res.Header)
	}
	res, _ = req()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
		t.Errorf("second request: %d Retry-After %q, want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
}

func TestJSONEscaping(t *testing.T) {
	name := "Say \"hi\" \\ tab\t newline\n ü €"
	srv := Start(Data{Tables: map[string][]Record{"cmdb_ci_service": {{"sys_id": SysID("x"), "name": name}}}}, Options{})
	defer srv.Close()
	_, body := get(t, srv, "/api/now/table/cmdb_ci_service", url.Values{"sysparm_fields": {"name"}}, "")
	if got := body["result"].([]any)[0].(map[string]any)["name"]; got != name {
		t.Errorf("name = %q, want %q", got, name)
	}
}

// TestRotaTables: the rota, roster and member records that whoisoncall names exist in the
// rota tables, except an override's person (no member) and records Tables already holds.
func TestRotaTables(t *testing.T) {
	g := SysID("g1")
	oc := []OnCall{
		{UserID: SysID("u1"), Group: g, Rota: SysID("rota"), Roster: SysID("roster"), Order: 1},
		{UserID: SysID("u2"), Group: g, Rota: SysID("rota"), Roster: SysID("roster"), Order: 2, IsOverride: true},
		{UserID: SysID("u3"), Group: g, Rota: SysID("rota"), Roster: SysID("roster"), Order: 3},
	}
	own := Record{"sys_id": memberID(oc[2]), "member": SysID("u3"), "roster": SysID("roster"), "order": "3", "from": "2025-01-01"}
	tests := []struct {
		name string
		data Data
	}{
		{"with tables", Data{Tables: map[string][]Record{"cmn_rota_member": {own}}, OnCall: map[string][]OnCall{g: oc}}},
		{"on-call only", Data{OnCall: map[string][]OnCall{g: oc}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := Start(tt.data, Options{})
			defer srv.Close()
			_, body := get(t, srv, "/api/now/on_call_rota/whoisoncall", url.Values{"group_ids": {g}}, "")
			memberOf := map[string]string{} // memberId -> userId
			for _, e := range body["result"].([]any) {
				m := e.(map[string]any)
				memberOf[m["memberId"].(string)] = m["userId"].(string)
			}
			_, body = get(t, srv, "/api/now/table/cmn_rota_member", url.Values{"sysparm_fields": {"sys_id,member,roster,from"},
				"sysparm_exclude_reference_link": {"true"}}, "")
			var members []string
			for _, e := range body["result"].([]any) {
				m := e.(map[string]any)
				if memberOf[m["sys_id"].(string)] != m["member"] || m["roster"] != SysID("roster") {
					t.Errorf("member row %v does not match whoisoncall %v", m, memberOf)
				}
				members = append(members, m["member"].(string))
				if tt.data.Tables != nil && m["member"] == SysID("u3") && m["from"] != "2025-01-01" {
					t.Errorf("member row %v replaced the one in Tables", m)
				}
			}
			slices.Sort(members)
			want := []string{SysID("u1"), SysID("u3")}
			slices.Sort(want)
			if !slices.Equal(members, want) {
				t.Errorf("members = %v, want u1 and u3 (u2 is an override)", members)
			}
			_, body = get(t, srv, "/api/now/table/cmn_rota", url.Values{"sysparm_query": {"sys_id=" + SysID("rota")}}, "")
			if rows := body["result"].([]any); len(rows) != 1 || rows[0].(map[string]any)["group"] != g {
				t.Errorf("cmn_rota = %v, want the rota of group g1", rows)
			}
			_, body = get(t, srv, "/api/now/table/cmn_rota_roster", url.Values{"sysparm_query": {"rota=" + SysID("rota")}}, "")
			if rows := body["result"].([]any); len(rows) != 1 || rows[0].(map[string]any)["sys_id"] != SysID("roster") {
				t.Errorf("cmn_rota_roster = %v, want the roster of the rota", rows)
			}
		})
	}
}
