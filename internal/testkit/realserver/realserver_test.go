package realserver

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recordTB records Skipf and Fatalf instead of stopping the test.
type recordTB struct {
	testing.TB
	skipped, failed string
}

func (r *recordTB) Helper()                      {}
func (r *recordTB) Skipf(f string, args ...any)  { r.skipped = fmt.Sprintf(f, args...) }
func (r *recordTB) Fatalf(f string, args ...any) { r.failed = fmt.Sprintf(f, args...) }

func TestBinary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "alertmanager")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, ci   string
		names      []string
		want       string
		skip, fail bool
	}{
		{"found second name", "", []string{"prometheus-alertmanager", "alertmanager"}, exe, false, false},
		{"missing skips locally", "", []string{"no-such-server"}, "", true, false},
		{"missing fails in CI", "true", []string{"no-such-server"}, "", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PATH", dir)
			t.Setenv("CI", tc.ci)
			r := &recordTB{TB: t}
			if got := Binary(r, tc.names...); got != tc.want || (r.skipped != "") != tc.skip || (r.failed != "") != tc.fail {
				t.Errorf("Binary = %q, skipped %q, failed %q", got, r.skipped, r.failed)
			}
		})
	}
}
