package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestSecretForms(t *testing.T) {
	const v = "canary-secret-123"
	forms := []struct {
		name string
		f    func(Secret) string
	}{
		{"String", Secret.String},
		{"GoString", Secret.GoString},
		{"%v", func(s Secret) string { return fmt.Sprintf("%v", s) }},
		{"%+v", func(s Secret) string { return fmt.Sprintf("%+v", s) }},
		{"%#v", func(s Secret) string { return fmt.Sprintf("%#v", s) }},
		{"%s", func(s Secret) string { return fmt.Sprintf("%s", s) }},
		{"%q", func(s Secret) string { return fmt.Sprintf("%q", s) }},
		{"%x", func(s Secret) string { return fmt.Sprintf("%x", s) }},
		{"%d", func(s Secret) string { return fmt.Sprintf("%d", s) }},
		{"%10.3s", func(s Secret) string { return fmt.Sprintf("%10.3s", s) }},
		{"json", func(s Secret) string { b, _ := json.Marshal(s); return string(b) }},
		{"text", func(s Secret) string { b, _ := s.MarshalText(); return string(b) }},
		{"yaml", func(s Secret) string { b, _ := yaml.Marshal(struct{ S Secret }{s}); return string(b) }},
		{"slog", func(s Secret) string {
			var buf bytes.Buffer
			slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "s", s)
			return buf.String()
		}},
	}
	for _, tc := range forms {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f(Secret(v)); strings.Contains(got, v) || strings.Contains(got, fmt.Sprintf("%x", v)) {
				t.Errorf("%s leaks the secret: %q", tc.name, got)
			}
		})
	}
	if got := Secret(v).String(); got != "[REDACTED]" {
		t.Errorf("String() = %q, want [REDACTED]", got)
	}
	if got := Secret(v).Value(); got != v {
		t.Errorf("Value() = %q", got)
	}
	for _, tc := range []struct{ name, got, want string }{
		{"String", Secret("").String(), ""},
		{"%v", fmt.Sprintf("%v", Secret("")), ""},
		{"json", func() string { b, _ := json.Marshal(Secret("")); return string(b) }(), `""`},
	} {
		if tc.got != tc.want {
			t.Errorf("empty secret %s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"90s", 90 * time.Second, false},
		{"2m", 2 * time.Minute, false},
		{"3d", 72 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"0s", 0, true},
		{"-5s", 0, true},
		{"5", 0, true},
		{"soon", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var d Duration
			err := yaml.Unmarshal([]byte("d: "+tc.in), &struct{ D *Duration }{&d})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if !tc.wantErr && time.Duration(d) != tc.want {
				t.Errorf("got %v, want %v", time.Duration(d), tc.want)
			}
		})
	}
	if got := Duration(10 * time.Minute).String(); got != "10m" {
		t.Errorf("String() = %q, want 10m", got)
	}
}

func TestReadSecretFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name    string
		path    string
		want    string
		wantErr string
	}{
		{"trimmed", write("tok", "  canary-secret-123\n\n"), "canary-secret-123", ""},
		{"missing", filepath.Join(dir, "nope"), "", "nope"},
		{"empty", write("empty", " \n"), "", "is empty"},
		{"two lines", write("two", "canary-secret-123\nsecond-line\n"), "", "more than one line"},
		{"too big", write("big", strings.Repeat("x", maxSecretFile+1)), "", "larger than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadSecretFile(tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "canary") {
					t.Errorf("error leaks file content: %v", err)
				}
				return
			}
			if err != nil || got.Value() != tc.want {
				t.Fatalf("got %q, %v; want %q", got.Value(), err, tc.want)
			}
		})
	}
}
