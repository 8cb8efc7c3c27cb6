package config

import (
	"os"
	"path/filepath"
	"testing"
)

func FuzzLoadYAML(f *testing.F) {
	f.Add(fullYAML)
	f.Add("sources:\n  pagerduty:\n    tokn: x\n")
	f.Add("sources: {prometheus: &p {url: \"http://p\"}, alertmanager: *p}\n")
	f.Add("aliases: {a: [b, c], d: e}\ncache: {alerts: 3d}\n")
	f.Add("http: {auth_token: \"${HTTP_TOKEN}$$\", addr: \"[::1]:80\"}\n")
	f.Add("- just\n- a list\n")
	f.Add("a: &a [*a]\n")
	env := envMap(map[string]string{"HTTP_TOKEN": "canary-secret-123", "SN_HOST": "x.service-now.com", "PD_TOKEN": "p"})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data string) {
		path := filepath.Join(dir, "fuzz.yaml")
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, env)
		if err != nil {
			return
		}
		// A loaded config is valid and stays valid.
		if err := c.Validate(); err != nil {
			t.Fatalf("Validate after Load: %v", err)
		}
		_ = c.String()
		_ = c.Enabled()
	})
}
