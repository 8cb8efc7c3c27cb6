package args

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		arg  string
		v    any
		ok   bool
	}{
		{"short service", "service", "checkout", true},
		{"service at the limit", "service", strings.Repeat("a", 256), true},
		{"service one past", "service", strings.Repeat("a", 257), false},
		{"multibyte at the limit", "service", strings.Repeat("é", 256), true},
		{"multibyte past", "service", strings.Repeat("é", 257), false},
		{"4-byte runes at the limit", "service", strings.Repeat("𝄞", 256), true},
		{"1 MB", "service", strings.Repeat("x", 1<<20), false},
		{"long path", "path", strings.Repeat("p", 4000), true},
		{"duration", "since", strings.Repeat("9", 40), false},
		{"unknown name gets the default", "whatever", strings.Repeat("a", 257), false},
		{"number", "depth", 3.0, true},
		{"list", "environment", []any{"eu-west-1", "us-east-1"}, true},
		{"long item", "environment", []any{strings.Repeat("e", 65)}, false},
		{"too many items", "environment", make([]any, 33), false},
		{"string list", "environment", []string{"a", strings.Repeat("e", 65)}, false},
		{"object", "service", map[string]any{"a": 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.arg, tt.v)
			if (err == nil) != tt.ok {
				t.Fatalf("Check(%s) = %v, want ok=%v", tt.arg, err, tt.ok)
			}
			var ae *Error
			if err != nil && !errors.As(err, &ae) {
				t.Fatalf("error %T is not *args.Error", err)
			}
			if err != nil && len(err.Error()) > 200 {
				t.Fatalf("error echoes too much (%d bytes): %.300s", len(err.Error()), err)
			}
		})
	}
}

func TestCheckNamesTheLimit(t *testing.T) {
	err := Check("service", strings.Repeat("a", 10240))
	if err == nil || !strings.Contains(err.Error(), "service") || !strings.Contains(err.Error(), "256") {
		t.Fatalf("error %v does not name the argument and its limit", err)
	}
	if err := CheckAll(map[string]any{strings.Repeat("k", 100): "x"}); err == nil || len(err.Error()) > 120 {
		t.Fatalf("a huge argument name: %v", err)
	}
}

func TestQuote(t *testing.T) {
	for _, s := range []string{"", "checkout", strings.Repeat("é", 41), strings.Repeat("x", 1<<20), "a\u202Eb\x1b[31m", "\xff\xfe"} {
		q := Quote(s)
		if n := utf8.RuneCountInString(q); n > 2*quoteRunes*4+4 {
			t.Errorf("Quote of %d bytes is %d characters", len(s), n)
		}
		if strings.ContainsAny(q, "\u202E\x1b") {
			t.Errorf("Quote(%q) = %q keeps a control character", s, q)
		}
	}
	if got := Quote(strings.Repeat("a", 50)); got != `"`+strings.Repeat("a", 40)+`"…` {
		t.Errorf("Quote cut = %s", got)
	}
}
