package snapshot

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func store(t *testing.T, dir string, now time.Time, logs *bytes.Buffer) *Store {
	t.Helper()
	key, err := Key("servicenow", "servicenow", map[string]string{"url": "https://acme.service-now.com"})
	if err != nil {
		t.Fatal(err)
	}
	return New(Options{Dir: dir, Keys: map[string]string{"servicenow": key},
		Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: func() time.Time { return now }})
}

func entry() Entry {
	return Entry{
		Catalog:       &model.Catalog{Services: []model.Service{{ID: "ci1", Name: "checkout", Source: "servicenow"}}},
		CatalogAsOf:   t0.Add(-time.Hour),
		Reference:     json.RawMessage(`{"sys_user1":{"name":"Ada"}}`),
		ReferenceAsOf: t0.Add(-2 * time.Hour),
	}
}

// TestRoundTrip: what Save wrote, Load returns; the file has mode 0600, its directory 0700,
// and no temporary file is left.
func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "opsctx")
	var logs bytes.Buffer
	s := store(t, dir, t0, &logs)
	if err := s.Save("servicenow", entry()); err != nil {
		t.Fatal(err)
	}
	got, ok := s.Load("servicenow")
	if !ok || !reflect.DeepEqual(got, entry()) {
		t.Fatalf("Load = %+v, %v; want %+v", got, ok, entry())
	}
	fi, err := os.Stat(s.Path("servicenow"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", di.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("files in the directory: %v, want the snapshot only", ents)
	}
	if logs.Len() > 0 {
		t.Errorf("logs: %s", logs.String())
	}
	if _, ok := s.Load("pagerduty"); ok {
		t.Error("a source without a key loaded a snapshot")
	}
	if err := s.Save("pagerduty", entry()); err != nil || s.Path("pagerduty") != "" {
		t.Errorf("a source without a key: Save = %v, path %q", err, s.Path("pagerduty"))
	}
}

// TestIgnored: a corrupt file, one of another version and one written for other settings are
// ignored with one warning each; parts older than MaxAge are left out without one.
func TestIgnored(t *testing.T) {
	cases := []struct {
		name string
		edit func(f map[string]any) []byte
		warn string
	}{
		{"corrupt", func(map[string]any) []byte { return []byte(`{"version":1,"source":"servicenow","catalog":{`) }, "unreadable"},
		{"not json", func(map[string]any) []byte { return []byte("\x00\x01garbage") }, "unreadable"},
		{"foreign version", func(f map[string]any) []byte { f["version"] = Version + 1; return marshal(f) }, "another version"},
		{"other settings", func(f map[string]any) []byte { f["key"] = strings.Repeat("0", 32); return marshal(f) }, "other settings"},
		{"other source", func(f map[string]any) []byte { f["source"] = "pagerduty"; return marshal(f) }, "other settings"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			s := store(t, t.TempDir(), t0, &logs)
			if err := s.Save("servicenow", entry()); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(s.Path("servicenow"))
			var f map[string]any
			_ = json.Unmarshal(b, &f)
			if err := os.WriteFile(s.Path("servicenow"), tc.edit(f), 0o600); err != nil {
				t.Fatal(err)
			}
			if got, ok := s.Load("servicenow"); ok {
				t.Fatalf("Load = %+v, want nothing", got)
			}
			if n := strings.Count(logs.String(), "level=WARN"); n != 1 || !strings.Contains(logs.String(), tc.warn) {
				t.Errorf("want one warning saying %q, got:\n%s", tc.warn, logs.String())
			}
		})
	}
	t.Run("old", func(t *testing.T) {
		var logs bytes.Buffer
		dir := t.TempDir()
		if err := store(t, dir, t0, &logs).Save("servicenow", entry()); err != nil {
			t.Fatal(err)
		}
		// 23 h later the catalog (read 1 h before t0) is still young enough, the reference
		// data (2 h before t0) is not; 25 h later neither is.
		got, ok := store(t, dir, t0.Add(DefaultMaxAge-90*time.Minute), &logs).Load("servicenow")
		if !ok || got.Catalog == nil || got.Reference != nil {
			t.Errorf("23 h later: %+v, %v; want the catalog without the reference data", got, ok)
		}
		if got, ok := store(t, dir, t0.Add(DefaultMaxAge), &logs).Load("servicenow"); ok {
			t.Errorf("25 h later: %+v, want nothing", got)
		}
		if strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("an old snapshot is no warning:\n%s", logs.String())
		}
	})
}

func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestKey: the key changes with the settings, the kind and the name, and is stable.
func TestKey(t *testing.T) {
	a, _ := Key("prometheus", "prometheus/eu", map[string]string{"url": "http://a"})
	if b, _ := Key("prometheus", "prometheus/eu", map[string]string{"url": "http://a"}); a != b {
		t.Error("same settings, different keys")
	}
	for _, other := range [][3]string{{"prometheus", "prometheus/eu", "http://b"}, {"prometheus", "prometheus/us", "http://a"}, {"alertmanager", "prometheus/eu", "http://a"}} {
		if b, _ := Key(other[0], other[1], map[string]string{"url": other[2]}); a == b {
			t.Errorf("%v: same key as the first settings", other)
		}
	}
}

// TestPrune: the first write removes snapshots and token files older than MaxAge and stale
// temporary files, and leaves other files alone.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-DefaultMaxAge - time.Hour)
	for _, n := range []string{"pagerduty-0123456789abcdef.json", "servicenow-0123456789abcdef.token", ".snapshot-123.tmp", "notes.json", "keep.txt"} {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		_ = os.Chtimes(p, old, old)
	}
	var logs bytes.Buffer
	s := store(t, dir, t0, &logs)
	if err := s.Save("servicenow", entry()); err != nil {
		t.Fatal(err)
	}
	var names []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{"keep.txt", "notes.json", filepath.Base(s.Path("servicenow"))}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
}
