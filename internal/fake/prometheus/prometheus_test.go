package prometheus

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
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
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func schema(t *testing.T, name string) *jsonschema.Schema {
	f, err := os.Open("testdata/spec-subset.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("file:///prom.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("file:///prom.json#/components/schemas/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestResponsesFollowTheSpec(t *testing.T) {
	s := startTest(t, Options{})
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
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(body))
			if err := schema(t, tc.schema).Validate(inst); err != nil {
				t.Errorf("%v\n%s", err, body)
			}
			if !strings.HasPrefix(tc.path, "/api/v1/rules") || status != 200 {
				return
			}
			var env struct {
				Data struct {
					Groups []struct{ Rules []map[string]any }
				}
			}
			_ = json.Unmarshal(body, &env)
			alert := schema(t, "Alert")
			for _, g := range env.Data.Groups {
				for _, r := range g.Rules {
					as, _ := r["alerts"].([]any)
					for _, a := range as {
						if err := alert.Validate(a); err != nil {
							t.Errorf("rule alert: %v", err)
						}
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
