package realserver

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"
)

// StartPrometheus starts Prometheus with the alerting rules (a rule_files YAML document)
// evaluated every second and sent to the Alertmanager at alertmanagerURL (empty: none).
// Firing alerts are re-sent every second, so Alertmanager has them as soon as Prometheus
// has discovered it (about 5 s after start).
func StartPrometheus(t testing.TB, rules, alertmanagerURL string) *Server {
	t.Helper()
	bin := Binary(t, "prometheus")
	dir := t.TempDir()
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
			"--storage.tsdb.path=" + dir + "/data",
			"--web.listen-address=" + addr,
			"--web.external-url=http://" + addr,
			"--rules.alert.resend-delay=1s",
			"--log.level=warn",
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
