// Package timeutil parses user-facing durations and formats times for answers.
package timeutil

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseDuration accepts Go duration syntax plus a day unit: "90m", "2h", "3d", "1d12h".
// Negative and zero durations are rejected.
func ParseDuration(s string) (time.Duration, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, fmt.Errorf("empty duration (use e.g. 90m, 2h, 3d)")
	}
	var total time.Duration
	rest := in
	if i := strings.IndexByte(rest, 'd'); i >= 0 {
		days, err := strconv.Atoi(rest[:i])
		if err != nil || days < 0 || days > 3650 {
			return 0, fmt.Errorf("invalid duration %q (use e.g. 90m, 2h, 3d)", in)
		}
		total = time.Duration(days) * 24 * time.Hour
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q (use e.g. 90m, 2h, 3d)", in)
		}
		total += d
	}
	if total <= 0 {
		return 0, fmt.Errorf("duration %q must be positive", in)
	}
	return total, nil
}

// RFC3339 formats t in UTC, or "" for the zero time.
func RFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
