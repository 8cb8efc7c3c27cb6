package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestWriteText(t *testing.T) {
	r := NewRegistry()
	r.Observe("x_seconds", "help text", 30*time.Millisecond, "tool", `a"b`)
	r.Observe("x_seconds", "help text", 2*time.Second, "tool", `a"b`)
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"# TYPE x_seconds histogram",
		`x_seconds_bucket{tool="a\"b",le="0.05"} 1`,
		`x_seconds_bucket{tool="a\"b",le="2.5"} 2`,
		`x_seconds_bucket{tool="a\"b",le="+Inf"} 2`,
		`x_seconds_count{tool="a\"b"} 2`,
		`x_seconds_sum{tool="a\"b"} 2.03`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}
