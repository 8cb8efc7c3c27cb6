package config

import (
	"os"
	"path/filepath"
	"testing"
)

// envMap returns a getenv that looks names up in m.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes content to name in a fresh temp dir and returns its path.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// load writes yamlText (if non-empty) to a temp file and calls Load.
func load(t testing.TB, yamlText string, env map[string]string) (*Config, error) {
	t.Helper()
	path := ""
	if yamlText != "" {
		path = writeFile(t, "opsctx.yaml", yamlText)
	}
	return Load(path, envMap(env))
}
