package redact

import (
	"errors"
	"fmt"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"token=canary-123 ok", "token=[REDACTED] ok"},
		{"two canary-123 canary-123", "two [REDACTED] [REDACTED]"},
		{"abc stays", "abc stays"}, // secrets under 4 chars are ignored
		{"nothing", "nothing"},
	}
	for _, tt := range tests {
		if got := String(tt.in, "canary-123", "abc"); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestError(t *testing.T) {
	base := errors.New("auth failed for canary-123")
	err := Error(fmt.Errorf("wrap: %w", base), "canary-123")
	if err.Error() != "wrap: auth failed for [REDACTED]" || !errors.Is(err, base) {
		t.Errorf("Error = %q, Is=%v", err, errors.Is(err, base))
	}
	if Error(nil, "x") != nil {
		t.Error("nil error must stay nil")
	}
	clean := errors.New("fine")
	if Error(clean, "canary-123") != clean {
		t.Error("an error without secrets must be returned as is")
	}
}
