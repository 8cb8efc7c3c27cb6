// Package args bounds what a caller may send. Every tool argument, prompt argument, resource
// name and CLI argument passes Check before any work is done, so a 1 MB service name is
// refused in microseconds, and no error echoes more than a short prefix of what was sent
// (Quote).
package args

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// DefaultLimit is the length limit, in characters, of an argument not named in Limits.
const DefaultLimit = 256

// MaxItems is the most items a list argument (environment) may hold.
const MaxItems = 32

// Limits are the length limits, in characters, per argument name. Names, ids and
// references are short; a repository URL or a workspace path may be long.
var Limits = map[string]int{
	"service":             DefaultLimit,
	"query":               DefaultLimit,
	"team":                DefaultLimit,
	"incident":            128,
	"host":                320, // a 253-character FQDN, or a 63-character namespace / 253-character workload
	"environment":         64,  // per instance name
	"repo":                2048,
	"path":                4096,
	"since":               32,
	"horizon":             32,
	"detail":              16,
	"min_severity":        16,
	"next_update_minutes": 8,
}

// Limit is the length limit of the argument called name.
func Limit(name string) int {
	if n, ok := Limits[name]; ok {
		return n
	}
	return DefaultLimit
}

// Error is an argument the caller must fix; its message names the limit.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// Check bounds the value of the argument called name: a string within Limit(name), a list
// of at most MaxItems such strings; numbers and booleans pass. It reads at most Limit(name)+1
// characters of a string, whatever its size.
func Check(name string, v any) error {
	switch v := v.(type) {
	case string:
		return checkString(name, v)
	case []string:
		if len(v) > MaxItems {
			return &Error{fmt.Sprintf("%s lists %d items; the limit is %d", Quote(name), len(v), MaxItems)}
		}
		for _, s := range v {
			if err := checkString(name, s); err != nil {
				return err
			}
		}
	case []any:
		if len(v) > MaxItems {
			return &Error{fmt.Sprintf("%s lists %d items; the limit is %d", Quote(name), len(v), MaxItems)}
		}
		for _, s := range v {
			if err := Check(name, s); err != nil {
				return err
			}
		}
	case map[string]any:
		return &Error{fmt.Sprintf("%s must not be an object", Quote(name))}
	}
	return nil
}

// CheckAll checks every argument of a call, and the argument names themselves.
func CheckAll(m map[string]any) error {
	for k, v := range m {
		if len(k) > 64 {
			return &Error{fmt.Sprintf("argument name %s is longer than 64 characters", Quote(k))}
		}
		if err := Check(k, v); err != nil {
			return err
		}
	}
	return nil
}

func checkString(name, s string) error {
	limit := Limit(name)
	if len(s) <= limit || utf8.RuneCountInString(s[:min(len(s), 4*(limit+1))]) <= limit {
		return nil // bytes >= characters; a string past 4(limit+1) bytes has more than limit characters
	}
	return &Error{fmt.Sprintf("%s is too long (%d bytes; the limit is %d characters): %s", name, len(s), limit, Quote(s))}
}

// quoteRunes is how many characters of a caller's input an error repeats.
const quoteRunes = 40

// Quote is s quoted for an error message: at most its first 40 characters, with control and
// invisible characters escaped, and "…" when cut.
func Quote(s string) string {
	n := 0
	for i := range s {
		if n == quoteRunes {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}
