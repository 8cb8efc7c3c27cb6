package config

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/redact"
	"github.com/opsctx/opsctx/internal/timeutil"
	"go.yaml.in/yaml/v3"
)

// Secret is a credential. Every printed or encoded form is redact.Mask ("[REDACTED]")
// when the secret is set and "" when it is empty; Value returns the real string.
type Secret string

// Value returns the secret itself. Use it only where the credential is sent upstream.
func (s Secret) Value() string { return string(s) }

// String returns "[REDACTED]", or "" for an empty secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redact.Mask
}

// GoString returns the same as String, so %#v never shows the value.
func (s Secret) GoString() string { return s.String() }

// Format implements fmt.Formatter so that every verb (%v, %s, %q, %x, %d, ...) is redacted.
func (s Secret) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, s.GoString())
		return
	}
	_, _ = fmt.Fprintf(f, fmt.FormatString(f, verb), s.String())
}

// MarshalJSON encodes the redacted form.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalText encodes the redacted form.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalYAML encodes the redacted form.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// LogValue makes slog print the redacted form.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// maxSecretFile caps how much of a secret file is read.
const maxSecretFile = 64 << 10

// ReadSecretFile reads a secret (such as a bearer token) from a file and trims surrounding
// whitespace. Errors name the file but never include its content.
func ReadSecretFile(path string) (Secret, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read secret file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("cannot read secret file: %w", err)
	}
	switch s := strings.TrimSpace(string(b)); {
	case len(b) > maxSecretFile:
		return "", fmt.Errorf("secret file %s is larger than %d KiB: point to a file holding only the token", path, maxSecretFile>>10)
	case s == "":
		return "", fmt.Errorf("secret file %s is empty: write the token into it", path)
	case strings.ContainsAny(s, "\r\n"):
		return "", fmt.Errorf("secret file %s has more than one line: keep only the token", path)
	default:
		return Secret(s), nil
	}
}

// Duration is a time.Duration that decodes from Go syntax plus days ("90s", "2m", "3d").
type Duration time.Duration

// String formats d compactly, e.g. "10m" rather than "10m0s".
func (d Duration) String() string { return formatDuration(time.Duration(d)) }

// MarshalText encodes d as String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a positive duration such as "90s", "2m" or "3d".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := timeutil.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// UnmarshalYAML parses a scalar node as UnmarshalText does.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a duration such as 90s, 2m or 3d", n.Line)
	}
	if err := d.UnmarshalText([]byte(n.Value)); err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	return nil
}

// formatDuration drops zero trailing units: 10m0s -> 10m, 1h0m0s -> 1h.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
