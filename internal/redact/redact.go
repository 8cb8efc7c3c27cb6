// Package redact removes secret values from text before it is logged, returned or printed.
package redact

import "strings"

// Mask is what a secret is replaced with.
const Mask = "[REDACTED]"

// String returns s with every occurrence of each non-trivial secret replaced by Mask.
// Secrets shorter than 4 characters are ignored to avoid masking ordinary text.
func String(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Mask)
		}
	}
	return s
}

// Error wraps err so that its message has the secrets masked. It returns nil for nil.
func Error(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := String(msg, secrets...)
	if red == msg {
		return err
	}
	return &redacted{msg: red, err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }

// Unwrap keeps errors.Is/As working; the wrapped error's text is never printed by this type.
func (r *redacted) Unwrap() error { return r.err }
