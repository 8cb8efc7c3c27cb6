package prometheus

import (
	"testing"
	"time"
)

func TestWindowKey(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{5 * time.Minute, "5m"}, {32 * time.Minute, "30m"}, {64 * time.Minute, "1h"}, {2 * time.Hour, ""},
		{6*time.Hour + 26*time.Minute, "6h"}, {day, ""}, {3 * day, "3d"},
		{4 * day, "3d"}, {4*day + 6*time.Hour + 51*time.Minute, "3d"}, // Pyrra's slow-burn window (28d, 30d SLOs)
		{7 * day, ""}, {30 * day, ""},
	} {
		if got := windowKey(tc.d); got != tc.want {
			t.Errorf("windowKey(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
