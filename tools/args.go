package tools

import (
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/timeutil"
)

// required rejects an empty argument.
func required(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return badArg("%s is required", name)
	}
	return nil
}

// duration parses an optional duration argument with a default.
func duration(name, v string, def time.Duration) (time.Duration, error) {
	if strings.TrimSpace(v) == "" {
		return def, nil
	}
	d, err := timeutil.ParseDuration(v)
	if err != nil {
		return 0, badArg("%s: %v", name, err)
	}
	return d, nil
}

// bounded applies a default to 0 and rejects values outside 1..maxV.
func bounded(name string, v, def, maxV int) (int, error) {
	if v == 0 {
		return def, nil
	}
	if v < 1 || v > maxV {
		return 0, badArg("%s must be between 1 and %d, not %d", name, maxV, v)
	}
	return v, nil
}
