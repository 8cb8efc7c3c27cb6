// Package toolsnaps snapshots tool definitions (name, description, schemas, annotations) in
// __toolsnaps__/<tool>.snap so that any change to the public tool contract is a visible diff.
// UPDATE_TOOLSNAPS=true rewrites snapshots; a missing snapshot is written locally but fails
// under CI (CI=true), so CI never passes on an unreviewed contract.
package toolsnaps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Dir is where snapshots live, relative to the test's package directory.
const Dir = "__toolsnaps__"

// Test compares the JSON of tool with its snapshot.
func Test(name string, tool any) error {
	got, err := canonical(tool)
	if err != nil {
		return err
	}
	path := filepath.Join(Dir, name+".snap")
	if os.Getenv("UPDATE_TOOLSNAPS") == "true" {
		return write(path, got)
	}
	want, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		if os.Getenv("CI") == "true" {
			return fmt.Errorf("tool snapshot %s is missing: run UPDATE_TOOLSNAPS=true go test ./tools/ and commit it", path)
		}
		return write(path, got)
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(bytes.TrimSpace(want), bytes.TrimSpace(got)) {
		return fmt.Errorf("tool %s differs from %s (the public contract changed): review, then UPDATE_TOOLSNAPS=true go test ./tools/\n--- want\n%s\n--- got\n%s", name, path, want, got)
	}
	return nil
}

// canonical marshals v with sorted keys and indentation.
func canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		return nil, err
	}
	return json.MarshalIndent(generic, "", "  ") // maps marshal with sorted keys
}

func write(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
