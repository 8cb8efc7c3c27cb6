package realserver

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// StartPrometheus starts Prometheus with the alerting rules (a rule_files YAML document)
// evaluated every second and sent to the Alertmanager at alertmanagerURL (empty: none).
// Firing alerts are re-sent every second, so Alertmanager has them as soon as Prometheus
// has discovered it (about 5 s after start).
func StartPrometheus(t testing.TB, rules, alertmanagerURL string) *Server {
	t.Helper()
	return StartPrometheusOn(t, rules, alertmanagerURL, "")
}

// StartPrometheusOn is StartPrometheus on an existing TSDB directory, such as one Backfill
// wrote (empty: a new one). Rules are evaluated every second from the start, over the
// backfilled samples too.
func StartPrometheusOn(t testing.TB, rules, alertmanagerURL, dataDir string) *Server {
	t.Helper()
	bin := Binary(t, "prometheus")
	dir := t.TempDir()
	if dataDir == "" {
		dataDir = filepath.Join(dir, "data")
	}
	rulesFile := writeFile(t, dir, "rules.yml", rules)
	alerting := ""
	if alertmanagerURL != "" {
		u, err := url.Parse(alertmanagerURL)
		if err != nil {
			t.Fatal(err)
		}
		alerting = fmt.Sprintf("alerting:\n  alertmanagers:\n    - scheme: %s\n      path_prefix: %q\n      static_configs:\n        - targets: [%q]\n",
			u.Scheme, u.Path, u.Host)
	}
	cfg := writeFile(t, dir, "prometheus.yml", fmt.Sprintf(
		"global:\n  scrape_interval: 1m\n  evaluation_interval: 1s\nrule_files: [%q]\n%s", rulesFile, alerting))
	return start(t, "prometheus", bin, dir, func(port int) []string {
		addr := "127.0.0.1:" + itoa(port)
		return []string{
			"--config.file=" + cfg,
			"--storage.tsdb.path=" + dataDir,
			"--storage.tsdb.retention.time=30d",
			"--web.listen-address=" + addr,
			"--web.external-url=http://" + addr,
			"--rules.alert.resend-delay=1s",
			"--log.level=warn",
		}
	})
}

// Backfill writes an OpenMetrics document (samples with timestamps, ending in "# EOF")
// into a new TSDB directory with promtool tsdb create-blocks-from openmetrics, and returns
// the directory for StartPrometheusOn. The samples must be older than the moment
// Prometheus starts (the head takes over from there). Blocks span up to 3 days where
// promtool supports it, to keep the import fast.
func Backfill(t testing.TB, openMetrics string) string {
	t.Helper()
	bin := Binary(t, "promtool")
	dir := t.TempDir()
	in := writeFile(t, dir, "backfill.om", openMetrics)
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) ([]byte, error) {
		return exec.Command(bin, append([]string{"tsdb", "create-blocks-from", "openmetrics"}, args...)...).CombinedOutput()
	}
	out, err := run("--max-block-duration=72h", "--quiet", in, data)
	if err != nil && strings.Contains(string(out), "max-block-duration") { // a promtool without the flag
		out, err = run("--quiet", in, data)
	}
	if err != nil {
		t.Fatalf("promtool backfill: %v\n%s", err, out)
	}
	return data
}

func itoa(n int) string { return strconv.Itoa(n) }
