package main

import (
	"strings"
	"testing"

	dynatraceconn "github.com/opsctx/opsctx/connectors/dynatrace"
	dtfake "github.com/opsctx/opsctx/internal/fake/dynatrace"
	ogfake "github.com/opsctx/opsctx/internal/fake/opsgenie"
	pdfake "github.com/opsctx/opsctx/internal/fake/pagerduty"
	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
)

// checkLine is one line of `opsctx check`.
type checkLine struct{ source, capability, status, detail string }

// checkLines parses check's table: SOURCE, CAPABILITY, STATUS, LATENCY, DETAIL columns.
func checkLines(t *testing.T, out string) map[string]checkLine {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	header := lines[0]
	col := func(name string) int { return strings.Index(header, name) }
	cut := func(l string, from, to int) string {
		if from >= len(l) {
			return ""
		}
		if to < 0 || to > len(l) {
			to = len(l)
		}
		return strings.TrimSpace(l[from:to])
	}
	out2 := map[string]checkLine{}
	for _, l := range lines[1:] {
		cl := checkLine{source: cut(l, 0, col("CAPABILITY")), capability: cut(l, col("CAPABILITY"), col("STATUS")),
			status: cut(l, col("STATUS"), col("LATENCY")), detail: cut(l, col("DETAIL"), -1)}
		out2[cl.source+"/"+cl.capability] = cl
	}
	return out2
}

// TestCheckNamesEachMissingPermission: for each vendor and each permission an answer needs,
// a tenant that withholds it (its fake refusing as the vendor does) makes `check` fail that
// capability's line, naming the missing permission, while the others pass; an optional
// capability warns without failing the command.
func TestCheckNamesEachMissingPermission(t *testing.T) {
	type vendorCase struct {
		name  string
		start func(t *testing.T) map[string]string // env pointing at a restricted fake
		line  string                               // source/capability expected to fail
		want  string                               // status: FAIL or WARN
		needs string                               // the missing permission named
		also  map[string]string                    // other lines the restriction fails, and how
	}
	serviceNow := func(denied string) func(t *testing.T) map[string]string {
		return func(t *testing.T) map[string]string {
			srv := snfake.Start(snfake.Data{OnCall: map[string][]snfake.OnCall{}}, snfake.Options{Username: "int", ClientID: "cid", ClientSecret: "cs-canary-1", Denied: []string{denied}})
			t.Cleanup(srv.Close)
			return map[string]string{"SERVICENOW_INSTANCE_URL": srv.URL, "SERVICENOW_CLIENT_ID": "cid", "SERVICENOW_CLIENT_SECRET": "cs-canary-1"}
		}
	}
	opsgenie := func(a ogfake.Access) func(t *testing.T) map[string]string {
		return func(t *testing.T) map[string]string {
			srv := ogfake.Start(ogfake.Data{Key: a}, "og-key-canary")
			t.Cleanup(srv.Close)
			return map[string]string{"OPSGENIE_API_URL": srv.URL, "OPSGENIE_API_KEY": "og-key-canary"}
		}
	}
	dynatrace := func(missing string) func(t *testing.T) map[string]string {
		return func(t *testing.T) map[string]string {
			var scopes []string
			for _, s := range []string{"problems.read", "events.read", "entities.read", "slo.read"} {
				if s != missing {
					scopes = append(scopes, s)
				}
			}
			srv := dtfake.Start(dtfake.Options{Token: "dt-token-canary", Scopes: scopes}, dtfake.Data{})
			t.Cleanup(srv.Close)
			return map[string]string{"DYNATRACE_ENV_URL": srv.EnvURL(), "DYNATRACE_API_TOKEN": "dt-token-canary"}
		}
	}
	// dynatracePlatform signs in with an OAuth client that may not have the scope missing.
	dynatracePlatform := func(missing string) func(t *testing.T) map[string]string {
		return func(t *testing.T) map[string]string {
			var scopes []string
			for _, s := range dynatraceconn.PlatformScopes {
				if s != missing {
					scopes = append(scopes, s)
				}
			}
			srv := dtfake.Start(dtfake.Options{OAuth: &dtfake.OAuthClient{ClientID: "dt0s02.CHECK", ClientSecret: "dt-secret-canary",
				Resource: "urn:dtaccount:acc-1", Scopes: scopes}}, dtfake.Data{})
			t.Cleanup(srv.Close)
			return map[string]string{"DYNATRACE_ENV_URL": srv.EnvURL(), "DYNATRACE_CLIENT_ID": "dt0s02.CHECK",
				"DYNATRACE_CLIENT_SECRET": "dt-secret-canary", "DYNATRACE_ACCOUNT_URN": "urn:dtaccount:acc-1",
				"DYNATRACE_TOKEN_URL": srv.URL + dtfake.TokenPath}
		}
	}
	pagerDuty := func(missing string) func(t *testing.T) map[string]string {
		return func(t *testing.T) map[string]string {
			app := &pdfake.App{ClientID: "pd-client", ClientSecret: "pd-secret-canary", Account: "as_account-us.shop"}
			for _, s := range []string{"services.read", "incidents.read", "oncalls.read", "escalation_policies.read", "change_events.read"} {
				if s != missing {
					app.Scopes = append(app.Scopes, s)
				}
			}
			srv := pdfake.Start(pdfake.Data{App: app}, "")
			t.Cleanup(srv.Close)
			return map[string]string{"PAGERDUTY_API_URL": srv.URL, "PAGERDUTY_CLIENT_ID": "pd-client", "PAGERDUTY_CLIENT_SECRET": "pd-secret-canary",
				"PAGERDUTY_SUBDOMAIN": "shop", "PAGERDUTY_TOKEN_URL": srv.URL + "/oauth/token"}
		}
	}
	cases := []vendorCase{
		{"servicenow services table", serviceNow("cmdb_ci_service"), "servicenow/services (cmdb_ci_service)", "FAIL", "role cmdb_read or itil to read cmdb_ci_service", nil},
		{"servicenow relations", serviceNow("cmdb_rel_ci"), "servicenow/dependencies (cmdb_rel_ci)", "FAIL", "role cmdb_read or itil to read cmdb_rel_ci", nil},
		{"servicenow related CIs", serviceNow("cmdb_ci"), "servicenow/related CIs (cmdb_ci)", "FAIL", "to read cmdb_ci", nil},
		{"servicenow groups", serviceNow("sys_user_group"), "servicenow/owner groups (sys_user_group)", "FAIL", "to read sys_user_group", nil},
		{"servicenow users", serviceNow("sys_user"), "servicenow/people (sys_user)", "FAIL", "to read sys_user", nil},
		{"servicenow changes", serviceNow("change_request"), "servicenow/changes (change_request)", "FAIL", "role itil (or change read access) to read change_request", nil},
		{"servicenow incidents", serviceNow("incident"), "servicenow/incidents (incident)", "FAIL", "role itil to read incident", nil},
		{"servicenow on-call now", serviceNow("whoisoncall"), "servicenow/on-call now (/api/now/on_call_rota/whoisoncall)", "WARN", "oc_read", nil},
		{"servicenow on-call shifts", serviceNow("cmn_rota"), "servicenow/on-call shifts (cmn_rota)", "WARN", "(On-Call Scheduling) to read cmn_rota (", nil},
		{"servicenow on-call rosters", serviceNow("cmn_rota_roster"), "servicenow/on-call rosters (cmn_rota_roster)", "WARN", "to read cmn_rota_roster", nil},
		{"servicenow on-call members", serviceNow("cmn_rota_member"), "servicenow/on-call members (cmn_rota_member)", "WARN", "to read cmn_rota_member", nil},
		{"opsgenie read access", opsgenie(ogfake.Access{NoRead: true}), "opsgenie/alerts", "FAIL", "missing Read access", nil},
		{"opsgenie configuration access", opsgenie(ogfake.Access{NoConfiguration: true}), "opsgenie/schedules (on-call)", "FAIL", "missing Configuration access",
			map[string]string{"opsgenie/escalations": "FAIL", "opsgenie/teams": "FAIL", "opsgenie/users (full names)": "WARN"}},
		{"opsgenie team key: users", opsgenie(ogfake.Access{Team: "checkout"}), "opsgenie/users (full names)", "WARN", "not a team integration's key", nil},
		{"dynatrace problems.read", dynatrace("problems.read"), "dynatrace/problems", "FAIL", "missing token scope problems.read", nil},
		{"dynatrace events.read", dynatrace("events.read"), "dynatrace/changes (events)", "FAIL", "missing token scope events.read", nil},
		{"dynatrace entities.read", dynatrace("entities.read"), "dynatrace/services (entities)", "FAIL", "missing token scope entities.read", nil},
		{"dynatrace slo.read", dynatrace("slo.read"), "dynatrace/SLOs", "FAIL", "missing token scope slo.read", nil},
		{"dynatrace platform problems", dynatracePlatform("environment-api:problems:read"), "dynatrace/problems", "FAIL", "missing scope environment-api:problems:read", nil},
		{"dynatrace platform events", dynatracePlatform("environment-api:events:read"), "dynatrace/changes (events)", "FAIL", "missing scope environment-api:events:read", nil},
		{"dynatrace platform entities", dynatracePlatform("environment-api:entities:read"), "dynatrace/services (entities)", "FAIL", "missing scope environment-api:entities:read", nil},
		{"dynatrace platform classic SLOs", dynatracePlatform("environment-api:slo:read"), "dynatrace/SLOs (classic)", "WARN", "missing scope environment-api:slo:read", nil},
		{"dynatrace platform SLO service", dynatracePlatform("slo:slos:read"), "dynatrace/SLOs (platform SLO service)", "WARN", "missing scope slo:slos:read", nil},
		{"pagerduty services.read", pagerDuty("services.read"), "pagerduty/services", "FAIL", "missing scope services.read",
			map[string]string{"pagerduty/maintenance windows": "FAIL"}}, // the listing takes services.read too
		{"pagerduty incidents.read", pagerDuty("incidents.read"), "pagerduty/incidents and alerts", "FAIL", "missing scope incidents.read", nil},
		{"pagerduty oncalls.read", pagerDuty("oncalls.read"), "pagerduty/on-call", "FAIL", "missing scope oncalls.read", nil},
		{"pagerduty escalation_policies.read", pagerDuty("escalation_policies.read"), "pagerduty/escalation policies", "FAIL", "missing scope escalation_policies.read", nil},
		{"pagerduty change_events.read", pagerDuty("change_events.read"), "pagerduty/change events", "FAIL", "missing scope change_events.read", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.start(t)
			code, out, errOut := runCLI(t, env, "check")
			lines := checkLines(t, out)
			got, ok := lines[tc.line]
			if !ok {
				t.Fatalf("no line %q in\n%s%s", tc.line, out, errOut)
			}
			if got.status != tc.want || !strings.Contains(got.detail, tc.needs) || !strings.Contains(got.detail, "403") {
				t.Errorf("%s: %s %q; want %s naming %q and the 403\n%s", tc.line, got.status, got.detail, tc.want, tc.needs, out)
			}
			source, _, _ := strings.Cut(tc.line, "/")
			for k, l := range lines {
				want := tc.also[k]
				if want == "" {
					want = "ok"
				}
				if k != tc.line && l.source == source && (l.status != want || want != "ok" && !strings.Contains(l.detail, tc.needs)) {
					t.Errorf("%s: %s %s; want %s\n%s", k, l.status, l.detail, want, out)
				}
			}
			if wantCode := map[string]int{"FAIL": 1, "WARN": 0}[tc.want]; code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			if l := leaks(out + errOut); len(l) > 0 {
				t.Errorf("leaked %v", l)
			}
		})
	}
}

// TestCheckProbesEveryInstance: each instance of a source is checked on its own line with
// its own credentials; one that fails fails the command, the others pass.
func TestCheckProbesEveryInstance(t *testing.T) {
	eu := pdfake.Start(pdfake.Data{}, "pd-eu-token")
	defer eu.Close()
	us := pdfake.Start(pdfake.Data{}, "pd-us-token")
	defer us.Close()
	env := map[string]string{"PAGERDUTY_INSTANCES": "eu,us",
		"PAGERDUTY_EU_API_URL": eu.URL, "PAGERDUTY_EU_API_TOKEN": "pd-eu-token",
		"PAGERDUTY_US_API_URL": us.URL, "PAGERDUTY_US_API_TOKEN": "pd-us-wrong"}
	code, out, errOut := runCLI(t, env, "check")
	if code != 1 {
		t.Errorf("exit %d, want 1 (us fails)\n%s%s", code, out, errOut)
	}
	var euOK, usFail int
	for _, l := range checkLines(t, out) {
		switch {
		case l.source == "pagerduty/eu" && l.status == "ok":
			euOK++
		case l.source == "pagerduty/us" && l.status == "FAIL" && strings.Contains(l.detail, "401"):
			usFail++
		case strings.HasPrefix(l.source, "pagerduty"):
			t.Errorf("unexpected line %+v", l)
		}
	}
	if euOK == 0 || usFail == 0 {
		t.Errorf("want every pagerduty/eu line ok and pagerduty/us lines failing with 401:\n%s", out)
	}
	if strings.Contains(out, "pd-us-wrong") || strings.Contains(out, "pd-eu-token") {
		t.Error("a token was printed")
	}
}

// TestCheckSignInFirst: a source that signs in with OAuth is checked on a sign-in line first;
// a refused client is that one line, failing with the OAuth error and the settings to fix,
// no secret printed; a credential sent as is has no sign-in line.
func TestCheckSignInFirst(t *testing.T) {
	const wrong = "wrong-secret-canary"
	sn := snfake.Start(snfake.Data{OnCall: map[string][]snfake.OnCall{}}, snfake.Options{Username: "int", Password: "pw-canary", ClientID: "cid", ClientSecret: "cs-canary-1"})
	defer sn.Close()
	pd := pdfake.Start(pdfake.Data{App: &pdfake.App{ClientID: "pd-client", ClientSecret: "pd-secret-canary", Account: "as_account-us.shop"}}, "")
	defer pd.Close()
	dt := dtfake.Start(dtfake.Options{OAuth: &dtfake.OAuthClient{ClientID: "dt0s02.CHECK", ClientSecret: "dt-secret-canary",
		Resource: "urn:dtaccount:acc-1"}}, dtfake.Data{})
	defer dt.Close()
	for _, tc := range []struct {
		name, source string
		env          map[string]string
		want         string   // the sign-in line's status; "" = no such line
		says         []string // in its detail
	}{
		{"servicenow client refused", "servicenow", map[string]string{"SERVICENOW_INSTANCE_URL": sn.URL, "SERVICENOW_CLIENT_ID": "cid",
			"SERVICENOW_CLIENT_SECRET": wrong}, "FAIL", []string{"401", "invalid_client", "SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET"}},
		{"servicenow signed in", "servicenow", map[string]string{"SERVICENOW_INSTANCE_URL": sn.URL, "SERVICENOW_CLIENT_ID": "cid",
			"SERVICENOW_CLIENT_SECRET": "cs-canary-1"}, "ok", nil},
		{"servicenow basic auth", "servicenow", map[string]string{"SERVICENOW_INSTANCE_URL": sn.URL, "SERVICENOW_USERNAME": "int",
			"SERVICENOW_PASSWORD": "pw-canary"}, "", nil},
		{"pagerduty app refused", "pagerduty", map[string]string{"PAGERDUTY_API_URL": pd.URL, "PAGERDUTY_CLIENT_ID": "pd-client",
			"PAGERDUTY_CLIENT_SECRET": wrong, "PAGERDUTY_SUBDOMAIN": "shop", "PAGERDUTY_TOKEN_URL": pd.URL + "/oauth/token"},
			"FAIL", []string{"invalid_client", "PAGERDUTY_CLIENT_ID"}},
		{"dynatrace client refused", "dynatrace", map[string]string{"DYNATRACE_ENV_URL": dt.EnvURL(), "DYNATRACE_CLIENT_ID": "dt0s02.CHECK",
			"DYNATRACE_CLIENT_SECRET": wrong, "DYNATRACE_ACCOUNT_URN": "urn:dtaccount:acc-1", "DYNATRACE_TOKEN_URL": dt.URL + dtfake.TokenPath},
			"FAIL", []string{"401", "OAuth token refused", "DYNATRACE_CLIENT_ID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.env, "check")
			lines := checkLines(t, out)
			got, ok := lines[tc.source+"/sign-in (OAuth token)"]
			switch {
			case tc.want == "" && ok:
				t.Fatalf("a sign-in line for a credential sent as is:\n%s", out)
			case tc.want != "" && (!ok || got.status != tc.want):
				t.Fatalf("sign-in line %+v, want %s\n%s%s", got, tc.want, out, errOut)
			}
			for _, w := range tc.says {
				if !strings.Contains(got.detail, w) {
					t.Errorf("sign-in detail %q does not say %q", got.detail, w)
				}
			}
			var others int
			for k, l := range lines {
				if l.source == tc.source && k != tc.source+"/sign-in (OAuth token)" {
					others++
				}
			}
			if tc.want == "FAIL" && (others != 0 || code != 1) {
				t.Errorf("a refused sign-in: %d capability lines besides it, exit %d; want 0 and 1\n%s", others, code, out)
			}
			if tc.want != "FAIL" && others == 0 {
				t.Errorf("no capability lines\n%s", out)
			}
			if strings.Contains(out+errOut, wrong) || strings.Contains(out+errOut, "cs-canary-1") {
				t.Error("a secret was printed")
			}
		})
	}
}
