package catalogmodel

import (
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// decodeYAML decodes one YAML document with Decode, failing the test on type errors.
func decodeYAML(t testing.TB, src string) Entity {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatalf("yaml: %v\n%s", err, src)
	}
	e, err := Decode(v)
	if err != nil {
		t.Fatalf("Decode: %v\n%s", err, src)
	}
	return e
}
