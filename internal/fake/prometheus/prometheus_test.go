package prometheus

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

var now = time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)

func testGroups() []Group {
	firing := Alert{Labels: map[string]string{"alertname": "A", "service": "checkout"}, State: "firing", ActiveAt: now.Add(-time.Minute)}
	return []Group{
		{Name: "g1", File: "/r/1.yml", Interval: time.Second, Rules: []Rule{
			{Name: "A", Query: "vector(1)", Labels: map[string]string{"service": "checkout"}, Alerts: []Alert{firing}},
			{Type: "recording", Name: "rec", Query: "x"}}},
		{Name: "g2", File: "/r/2.yml", Interval: time.Minute, Rules: []Rule{
			{Name: "P", Query: "up == 0", Duration: 5 * time.Minute, Alerts: []Alert{{Labels: map[string]string{"alertname": "P"}, State: "pending", ActiveAt: now}}}}},
		{Name: "g3", File: "/r/3.yml", Rules: []Rule{{Type: "recording", Name: "rec2", Query: "y"}}},
	}
}

func startTest(t *testing.T, o Options) *Server {
	o.Now = func() time.Time { return now }
	s := Start(o, testGroups())
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, u string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	resp, b := faketest.Do(t, req)
	return resp.StatusCode, b
}

func spec(t *testing.T) *faketest.Spec {
	return faketest.LoadSpec(t, "testdata/spec-subset.json", faketest.Options{})
}

func TestResponsesFollowTheSpec(t *testing.T) {
	s := startTest(t, Options{})
	sp := spec(t)
	cases := []struct {
		path   string
		status int
		schema string
	}{
		{"/api/v1/alerts", 200, "AlertsOutputBody"},
		{"/api/v1/rules", 200, "RulesOutputBody"},
		{"/api/v1/rules?type=alert&group_limit=1", 200, "RulesOutputBody"},
		{"/api/v1/status/buildinfo", 200, "StatusBuildInfoOutputBody"},
		{"/api/v1/rules?type=bogus", 400, "Error"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			status, body := get(t, s.URL+tc.path)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			faketest.Validate(t, sp.Schema(t, tc.schema), body)
			if !strings.HasPrefix(tc.path, "/api/v1/rules") || status != 200 {
				return
			}
			var env struct {
				Data struct {
					Groups []struct{ Rules []map[string]any }
				}
			}
			_ = json.Unmarshal(body, &env)
			alert := sp.Schema(t, "Alert")
			for _, g := range env.Data.Groups {
				for _, r := range g.Rules {
					as, _ := r["alerts"].([]any)
					for _, a := range as {
						faketest.ValidateValue(t, alert, a)
					}
				}
			}
		})
	}
}

func TestRulesQueries(t *testing.T) {
	cases := []struct {
		name   string
		old    bool
		query  string
		status int
		groups []string
		next   bool
	}{
		{"all", false, "", 200, []string{"g1", "g2", "g3"}, false},
		{"alerting only", false, "type=alert", 200, []string{"g1", "g2"}, false},
		{"recording only", false, "type=record", 200, []string{"g1", "g3"}, false},
		{"by name", false, "rule_name[]=P", 200, []string{"g2"}, false},
		{"by file", false, "file[]=/r/3.yml", 200, []string{"g3"}, false},
		{"first page", false, "type=alert&group_limit=1", 200, []string{"g1"}, true},
		{"token without limit", false, "group_next_token=abc", 400, nil, false},
		{"bad token", false, "group_limit=1&group_next_token=abc", 400, nil, false},
		{"old server ignores group_limit", true, "group_limit=1", 200, []string{"g1", "g2", "g3"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startTest(t, Options{OldServer: tc.old})
			status, body := get(t, s.URL+"/api/v1/rules?"+tc.query)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			var env struct {
				Status string
				Data   struct {
					Groups         []struct{ Name string }
					GroupNextToken string
				}
			}
			_ = json.Unmarshal(body, &env)
			var names []string
			for _, g := range env.Data.Groups {
				names = append(names, g.Name)
			}
			if !slices.Equal(names, tc.groups) || (env.Data.GroupNextToken != "") != tc.next {
				t.Errorf("groups %v next %q, want %v next %v", names, env.Data.GroupNextToken, tc.groups, tc.next)
			}
			if tc.next {
				_, body = get(t, s.URL+"/api/v1/rules?type=alert&group_limit=1&group_next_token="+env.Data.GroupNextToken)
				if !strings.Contains(string(body), `"g2"`) || strings.Contains(string(body), "groupNextToken") {
					t.Errorf("second page %s", body)
				}
			}
		})
	}
}

func TestRuleState(t *testing.T) {
	s := startTest(t, Options{})
	_, body := get(t, s.URL+"/api/v1/rules?type=alert&exclude_alerts=true")
	for _, want := range []string{`"state":"firing"`, `"state":"pending"`, `"duration":300`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("rules lack %s: %s", want, body)
		}
	}
	if strings.Contains(string(body), `"alerts"`) {
		t.Errorf("exclude_alerts ignored: %s", body)
	}
	_, body = get(t, s.URL+"/api/v1/alerts")
	if strings.Count(string(body), `"state"`) != 2 {
		t.Errorf("alerts %s", body)
	}
}

func queryData() ([]Sample, map[string]Answer) {
	series := []Sample{
		{Labels: map[string]string{"__name__": "slo:sli_error:ratio_rate5m", "sloth_id": "checkout-availability", "sloth_service": "checkout"}, Value: 0.04},
		{Labels: map[string]string{"__name__": "slo:sli_error:ratio_rate1h", "sloth_id": "checkout-availability", "sloth_service": "checkout"}, Value: 0.015},
		{Labels: map[string]string{"__name__": "slo:sli_error:ratio_rate5m", "sloth_id": "search-availability", "sloth_service": "search"}, Value: 0.0001},
		{Labels: map[string]string{"__name__": "up", "job": "x"}, Value: 1},
	}
	answers := map[string]Answer{
		`sum(rate(errs[5m]))`:  {Samples: []Sample{{Value: 3}}},
		`sum(rate(total[5m]))`: {Samples: []Sample{{Value: 200}}},
		`sum(rate(errs[1h]))`:  {},
		`sum(rate(total[1h]))`: {Samples: []Sample{{Value: 100}}},
		`sum(rate(errs[6h]))`:  {Samples: []Sample{{Value: 0}}},
		`sum(rate(total[6h]))`: {Samples: []Sample{{Value: 0}}},
		`sum(rate(total[3d]))`: {},
		`broken[5m]`:           {Error: `1:7: parse error: ranges only allowed for vector selectors`},
		`slow[30d]`:            {Status: 503, ErrorType: "timeout", Error: "query timed out in expression evaluation"},
	}
	return series, answers
}

// TestQuery: the evaluated PromQL subset and canned answers, as the SLO connector uses them.
func TestQuery(t *testing.T) {
	s := startTest(t, Options{})
	s.SetQueryData(queryData())
	sp := spec(t)
	ratio := func(w string) string {
		return `label_replace((sum(sum(rate(errs[` + w + `]))) or vector(0)) / sum(sum(rate(total[` + w + `]))), "opsctx_window", "` + w + `", "", "")`
	}
	cases := []struct {
		name   string
		query  string
		status int
		want   string // rendered result: labels=value; ...
	}{
		{"regex selector", `{__name__=~"slo:sli_error:ratio_rate5m|slo:sli_error:ratio_rate1h", sloth_id=~"checkout-availability|nope"}`, 200,
			`{__name__=slo:sli_error:ratio_rate1h,sloth_id=checkout-availability,sloth_service=checkout}=0.015; {__name__=slo:sli_error:ratio_rate5m,sloth_id=checkout-availability,sloth_service=checkout}=0.04`},
		{"case-insensitive regex, negative matcher", `slo:sli_error:ratio_rate5m{sloth_service=~"(?i)SEARCH", sloth_id!="x"}`, 200,
			`{__name__=slo:sli_error:ratio_rate5m,sloth_id=search-availability,sloth_service=search}=0.0001`},
		{"empty matchers only", `{sloth_id=~".*"}`, 400, ""},
		{"ratio with errors", ratio("5m"), 200, `{opsctx_window=5m}=0.015`},
		{"no errors series counts as zero", ratio("1h"), 200, `{opsctx_window=1h}=0`},
		{"no traffic is NaN", ratio("6h"), 200, `{opsctx_window=6h}=NaN`},
		{"no total is no sample", ratio("3d"), 400, ""}, // errs[3d] has no answer: a loud failure
		{"windows joined by or", ratio("5m") + " or " + ratio("1h"), 200, `{opsctx_window=5m}=0.015; {opsctx_window=1h}=0`},
		{"good ratio", `1 - (sum(rate(total[5m])) - sum(rate(errs[5m]))) / sum(rate(total[5m]))`, 200, `{}=0.015000000000000013`}, // float64, as Prometheus computes it
		{"scalar", `2 * 3 - 1e-1`, 200, `scalar=5.9`},
		{"canned failure", `sum(broken[5m])`, 400, ""},
		{"canned failure inside", `sum(broken[5m]) / 2`, 400, ""},
		{"canned timeout", `slow[30d]`, 503, ""},
		{"unknown function", `rate(up[5m])`, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, s.URL+"/api/v1/query?query="+url.QueryEscape(tc.query))
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, body)
			}
			sch := "QueryOutputBody"
			if status != 200 {
				sch = "Error"
			}
			faketest.Validate(t, sp.Schema(t, sch), body)
			if status != 200 {
				return
			}
			var env struct {
				Data struct {
					ResultType string          `json:"resultType"`
					Result     json.RawMessage `json:"result"`
				}
			}
			_ = json.Unmarshal(body, &env)
			var got []string
			if env.Data.ResultType == "scalar" {
				var v [2]any
				_ = json.Unmarshal(env.Data.Result, &v)
				got = append(got, fmt.Sprint("scalar=", v[1]))
			} else {
				var vs []struct {
					Metric map[string]string
					Value  [2]any
				}
				_ = json.Unmarshal(env.Data.Result, &vs)
				for _, v := range vs {
					keys := slices.Sorted(maps.Keys(v.Metric))
					var kv []string
					for _, k := range keys {
						kv = append(kv, k+"="+v.Metric[k])
					}
					got = append(got, "{"+strings.Join(kv, ",")+"}="+fmt.Sprint(v.Value[1]))
					if v.Value[0] != float64(now.Unix()) {
						t.Errorf("timestamp %v, want %d", v.Value[0], now.Unix())
					}
				}
			}
			if g := strings.Join(got, "; "); g != tc.want {
				t.Errorf("result %s\nwant   %s", g, tc.want)
			}
		})
	}
}

func TestQueryParameters(t *testing.T) {
	s := startTest(t, Options{})
	s.SetQueryData(queryData())
	cases := []struct {
		name   string
		do     func() (int, []byte)
		status int
		want   string
	}{
		{"missing query", func() (int, []byte) { return get(t, s.URL+"/api/v1/query") }, 400, `"errorType":"bad_data"`},
		{"bad time", func() (int, []byte) { return get(t, s.URL+"/api/v1/query?query=up&time=yesterday") }, 400, `invalid parameter \"time\"`},
		{"explicit time", func() (int, []byte) { return get(t, s.URL+"/api/v1/query?query=up&time=1700000000.5") }, 200, `[1700000000.5,"1"]`},
		{"POST form", func() (int, []byte) {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/query", strings.NewReader(url.Values{"query": {"up"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, b := faketest.Do(t, req)
			return resp.StatusCode, b
		}, 200, `"job":"x"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := tc.do()
			if status != tc.status || !strings.Contains(string(body), tc.want) {
				t.Errorf("%d %s, want %d with %s", status, body, tc.status, tc.want)
			}
		})
	}
}
