package demo_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"

	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/tools"
)

// snapshotClient is an MCP client of a fresh one-shot process (as `opsctx context` and an IDE
// session's stdio server are) keeping its snapshot in dir, and the engine behind it.
func snapshotClient(t *testing.T, env *demo.Env, dir string) (*client.Client, *engine.Engine) {
	t.Helper()
	eng := app.Engine(env.Config, app.Options{CatalogFS: env.CatalogFS, Logger: slog.New(slog.DiscardHandler), SnapshotDir: dir, OneShot: true})
	t.Cleanup(eng.Close)
	return serve(t, tools.NewServer(tools.Deps{Engine: eng}, "test")), eng
}

// pdFacts are what shows PagerDuty's incident on checkout and its alerts.
var pdFacts = []string{demo.PDIncidentID, "PALCHKP95", "PALCHK5XX"}

// TestSnapshotPagerDutyHints: a process keeps, per PagerDuty service, the ids of the incidents
// it last saw open — ids only — and a fresh process reads their alerts beside its own listing
// of the open incidents (one round trip: the read is asked while the listing hangs); a hint
// is never a fact: while the listing has not answered, and once it says the incident has
// been resolved, neither structuredContent nor the markdown names the incident or its alerts.
func TestSnapshotPagerDutyHints(t *testing.T) {
	env, err := demo.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	pd := env.Servers["pagerduty"]
	dir := t.TempDir()
	ask := func(t *testing.T, c *client.Client) (map[string]any, string, string) {
		t.Helper()
		var out map[string]any
		text := callBoth(t, c, "incident_context", map[string]any{"service": demo.Checkout, "detail": "full"}, &out)
		raw, _ := json.Marshal(out)
		return out, string(raw), text
	}

	first, e := snapshotClient(t, env, dir)
	_, structured, text := ask(t, first)
	for _, f := range pdFacts {
		if !strings.Contains(structured, f) || !strings.Contains(text, f) {
			t.Fatalf("the first answer does not name %s in both channels", f)
		}
	}
	e.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "pagerduty-*.json"))
	if len(files) != 1 {
		t.Fatalf("pagerduty snapshots %v, want one", files)
	}
	kept, _ := os.ReadFile(files[0])
	if !strings.Contains(string(kept), `"id":"`+demo.PDIncidentID+`"`) {
		t.Fatalf("the snapshot keeps no hint of %s:\n%s", demo.PDIncidentID, kept)
	}
	for _, said := range []string{"Checkout p95 latency above 2s", "PALCHKP95", "Sam Okafor"} {
		if strings.Contains(string(kept), said) {
			t.Errorf("the snapshot holds what an incident says (%q), not only its id", said)
		}
	}

	alertsPath := "/incidents/" + demo.PDIncidentID + "/alerts"
	for _, tc := range []struct {
		name   string
		fault  fake.Fault
		failed bool // PagerDuty's status in sources is error
	}{
		{"read ahead while the listing hangs", fake.Fault{Path: "/incidents", Hang: true}, true},
		{"resolved since", fake.Fault{Path: "/incidents", Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: `{"incidents":[],"limit":25,"offset":0,"total":null,"more":false}`}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pd.ClearFaults()
			pd.AddFault(tc.fault)
			pd.Reset()
			if tc.failed { // the answer waits for the hung listing until its deadline
				env.Config.Deadline, env.Config.SourceTimeout = 2*time.Second, 2*time.Second
			}
			c, _ := snapshotClient(t, env, dir)
			out, structured, text := ask(t, c)
			// While the listing hangs the read from the hint is surely sent; when the listing
			// answers at once that the incident is gone, the read may be dropped before it
			// leaves (perIncident cancels reads the listing does not confirm): at most one.
			if n := pd.Count(alertsPath); n > 1 || (tc.failed && n != 1) {
				t.Errorf("%d requests for %s, want 1 (read from the hint, beside the listing; at most 1 when the listing drops it)", n, alertsPath)
			}
			for _, f := range pdFacts {
				if strings.Contains(structured, f) || strings.Contains(text, f) {
					t.Errorf("the answer names %s, known only from a hint", f)
				}
			}
			for _, s := range out["sources"].([]any) {
				if s := s.(map[string]any); s["name"] == "pagerduty" && (s["status"] == "error") != tc.failed {
					t.Errorf("pagerduty %v (%v), want failed %v", s["status"], s["error"], tc.failed)
				}
			}
		})
	}
	pd.ClearFaults()
}
