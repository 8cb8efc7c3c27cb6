package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRunPrintsOneTable runs the cheap sections and checks the markdown they print.
func TestRunPrintsOneTable(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-sections", "economy,tokens"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut.String())
	}
	s := out.String()
	if n := strings.Count(s, "| measurement | value | target | met |"); n != 1 {
		t.Errorf("%d measurement tables, want 1:\n%s", n, s)
	}
	for _, want := range []string{"Upstream requests per cold incident_context on the demo: pagerduty", "brief incident_context on the demo",
		"| demo | checkout | brief |", "tokens ≈ ceil(bytes / 4)"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestRunRejectsUnknownSection(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-sections", "fanout,bogus"}, &out, &errOut); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), `unknown section "bogus"`) {
		t.Errorf("stderr does not name the bad section: %s", errOut.String())
	}
}
