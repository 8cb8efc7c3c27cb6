package realserver

import "testing"

// DefaultAlertmanagerConfig routes everything to one receiver without notifications and
// without waiting: group_wait 0s, group_interval 1s.
const DefaultAlertmanagerConfig = `route:
  receiver: default
  group_by: [alertname, service]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: default
`

// StartAlertmanager starts Alertmanager (prometheus-alertmanager or alertmanager) with
// config (empty: DefaultAlertmanagerConfig), clustering off, in a temporary directory.
func StartAlertmanager(t testing.TB, config string) *Server {
	t.Helper()
	bin := Binary(t, "prometheus-alertmanager", "alertmanager")
	if config == "" {
		config = DefaultAlertmanagerConfig
	}
	dir := t.TempDir()
	cfg := writeFile(t, dir, "alertmanager.yml", config)
	return start(t, "alertmanager", bin, dir, func(port int) []string {
		return []string{
			"--config.file=" + cfg,
			"--storage.path=" + dir + "/data",
			"--web.listen-address=127.0.0.1:" + itoa(port),
			"--cluster.listen-address=", // no gossip port
			"--log.level=warn",
		}
	})
}
