package snapshot

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const (
	canarySecret   = "cs-canary-5c1e7"
	canaryPassword = "pw-canary-90ab"
	canaryToken    = "at-canary-3f8d2e41b7"
)

// debugStore is store logging at debug level too.
func debugStore(t *testing.T, dir string, now time.Time, logs *bytes.Buffer) *Store {
	s := store(t, dir, now, logs)
	s.o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return s
}

func canaryTok() *oauth2.Token {
	return &oauth2.Token{AccessToken: canaryToken, TokenType: "Bearer", Expiry: t0.Add(30 * time.Minute)}
}

// TestTokenRoundTrip: what Save kept, Load returns (access token, type, times); the file has
// mode 0600 and holds neither the client secret, nor the password, nor the access token,
// as written or in base64 (standard or URL alphabet); nothing is logged.
func TestTokenRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "opsctx")
	var logs bytes.Buffer
	s := debugStore(t, dir, t0, &logs)
	f := s.Token("servicenow", canarySecret, canaryPassword)
	if f == nil {
		t.Fatal("no token file for a source with a key and a credential")
	}
	f.Save(canaryTok(), t0)
	tok, issued, ok := f.Load()
	if !ok || tok.AccessToken != canaryToken || tok.TokenType != "Bearer" || !tok.Expiry.Equal(canaryTok().Expiry) || !issued.Equal(t0) {
		t.Fatalf("Load = %+v, %v, %v; want the token issued at %v", tok, issued, ok, t0)
	}
	if fi, err := os.Stat(f.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, %v; want mode 0600", fi, err)
	}
	if filepath.Dir(f.Path()) != dir || f.Path() == s.Path("servicenow") {
		t.Errorf("token file %s: want a file of its own beside the snapshot", f.Path())
	}
	s.Save("servicenow", entry())
	canary(t, dir, canarySecret, canaryPassword, canaryToken)
	if logs.Len() > 0 {
		t.Errorf("logs: %s", logs.String())
	}
	if s.Token("pagerduty", canarySecret) != nil || s.Token("servicenow") != nil || s.Token("servicenow", "", "") != nil {
		t.Error("a token file for a source without a key, or without a credential")
	}
}

// canary fails when a file of dir holds one of secrets as written or base64-encoded.
func canary(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) == 0 {
		t.Fatalf("cache directory: %v, %v", ents, err)
	}
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		for _, sec := range secrets {
			for _, form := range []string{sec, base64.StdEncoding.EncodeToString([]byte(sec)), base64.RawStdEncoding.EncodeToString([]byte(sec)),
				base64.URLEncoding.EncodeToString([]byte(sec)), base64.RawURLEncoding.EncodeToString([]byte(sec))} {
				if bytes.Contains(b, []byte(form)) {
					t.Errorf("%s holds %q", e.Name(), form)
				}
			}
		}
	}
}

// TestTokenIgnored: a token file that does not open — sealed under another credential (the
// secret or the password rotated), written for other settings, corrupt — or whose token has
// expired is not used, with one debug log; Discard removes the file only for the token it
// holds.
func TestTokenIgnored(t *testing.T) {
	cases := []struct {
		name string
		load func(t *testing.T, dir string, logs *bytes.Buffer) *TokenFile
		says string
	}{
		{"secret rotated", func(t *testing.T, dir string, logs *bytes.Buffer) *TokenFile {
			return debugStore(t, dir, t0, logs).Token("servicenow", "cs-rotated", canaryPassword)
		}, "does not open"},
		{"password rotated", func(t *testing.T, dir string, logs *bytes.Buffer) *TokenFile {
			return debugStore(t, dir, t0, logs).Token("servicenow", canarySecret, "pw-rotated")
		}, "does not open"},
		{"other settings", func(t *testing.T, dir string, logs *bytes.Buffer) *TokenFile {
			s := debugStore(t, dir, t0, logs)
			s.o.Keys["servicenow"] = strings.Repeat("ab", 16)
			f := s.Token("servicenow", canarySecret, canaryPassword)
			copyFile(t, debugStore(t, dir, t0, logs).Token("servicenow", canarySecret, canaryPassword).Path(), f.Path())
			return f
		}, "does not open"},
		{"corrupt", func(t *testing.T, dir string, logs *bytes.Buffer) *TokenFile {
			f := debugStore(t, dir, t0, logs).Token("servicenow", canarySecret, canaryPassword)
			b, _ := os.ReadFile(f.Path())
			b[len(b)/2] ^= 1
			_ = os.WriteFile(f.Path(), b, 0o600)
			return f
		}, "does not open"},
		{"not json", func(t *testing.T, dir string, logs *bytes.Buffer) *TokenFile {
			f := debugStore(t, dir, t0, logs).Token("servicenow", canarySecret, canaryPassword)
			_ = os.WriteFile(f.Path(), []byte("\x00garbage"), 0o600)
			return f
		}, "does not open"},
		{"expired", func(t *testing.T, dir string, logs *bytes.Buffer) *TokenFile {
			return debugStore(t, dir, t0.Add(30*time.Minute), logs).Token("servicenow", canarySecret, canaryPassword)
		}, "expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var logs bytes.Buffer
			debugStore(t, dir, t0, &logs).Token("servicenow", canarySecret, canaryPassword).Save(canaryTok(), t0)
			f := tc.load(t, dir, &logs)
			if tok, _, ok := f.Load(); ok {
				t.Fatalf("Load = %+v, want nothing", tok)
			}
			if n := strings.Count(logs.String(), "level=DEBUG"); n != 1 || !strings.Contains(logs.String(), tc.says) || strings.Contains(logs.String(), "WARN") {
				t.Errorf("want one debug log saying %q, got:\n%s", tc.says, logs.String())
			}
		})
	}
	t.Run("discard", func(t *testing.T) {
		var logs bytes.Buffer
		f := store(t, t.TempDir(), t0, &logs).Token("servicenow", canarySecret)
		f.Save(canaryTok(), t0)
		f.Discard(&oauth2.Token{AccessToken: "another process's"})
		if _, _, ok := f.Load(); !ok {
			t.Fatal("Discard of another token removed the kept one")
		}
		f.Discard(canaryTok())
		if _, err := os.Stat(f.Path()); !os.IsNotExist(err) {
			t.Errorf("after Discard: %v, want no file", err)
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
