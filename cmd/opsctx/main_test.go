package main

import (
	"fmt"
	"os"
	"testing"
)

// TestMain points the user cache directory (where commands keep their snapshot by default)
// at a temporary directory, so tests neither read nor leave snapshots in the real one.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "opsctx-cmd-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
