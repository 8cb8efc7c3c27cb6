// Package snapshot keeps what a fresh process needs to answer its first question at once —
// each source's catalog and reference data — in files on disk: one per source instance,
// named by a hash of that instance's non-secret settings, versioned, written atomically with
// mode 0600. It never holds credentials (settings are hashed, not written) nor what an
// incident says (connectors hand over reference data and hints only, see connectors.Keeper).
// Beside it, a source that signs in keeps its OAuth access token in a file of its own, sealed
// with a key derived from the credential that minted it (TokenFile).
package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// Version is the file format; a file of another version is ignored.
const Version = 1

// DefaultMaxAge is how old a snapshot may be and still be used at start.
const DefaultMaxAge = 24 * time.Hour

// Entry is one source's snapshot: its catalog and its reference data, each with when it was
// read from the source.
type Entry struct {
	Catalog       *model.Catalog  `json:"catalog,omitempty"`
	CatalogAsOf   time.Time       `json:"catalog_as_of,omitzero"`
	Reference     json.RawMessage `json:"reference,omitempty"`
	ReferenceAsOf time.Time       `json:"reference_as_of,omitzero"`
}

// empty reports whether e holds nothing worth writing.
func (e Entry) empty() bool { return e.Catalog == nil && len(e.Reference) == 0 }

// file is the on-disk form of an Entry.
type file struct {
	Version int       `json:"version"`
	Source  string    `json:"source"`
	Key     string    `json:"key"`
	Written time.Time `json:"written"`
	Entry
}

// Options configure a Store.
type Options struct {
	// Dir is the directory of the files; it is created (mode 0700) on the first write.
	Dir string
	// MaxAge is how old a catalog or reference data may be and still be loaded (default
	// DefaultMaxAge); older files are removed on the first write.
	MaxAge time.Duration
	// Keys maps each source name to the hash of its settings (Key); a source without one is
	// neither loaded nor saved.
	Keys   map[string]string
	Logger *slog.Logger
	Now    func() time.Time
}

// Store reads and writes the snapshots of a set of sources. It is safe for concurrent use.
type Store struct {
	o      Options
	mu     sync.Mutex // one write at a time
	pruned bool       // old files removed (on the first write)
}

// New returns a Store; it touches no file.
func New(o Options) *Store {
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Store{o: o}
}

// Key returns the key of a source instance: a hash of its kind, name and settings as JSON.
// Settings must marshal their secrets redacted (config.Secret does), so that a key
// changes with where a source is and how it is read, not with a rotated credential.
func Key(kind, name string, settings any) (string, error) {
	b, err := json.Marshal(settings)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", kind, name)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// Dir returns the directory of the files.
func (s *Store) Dir() string { return s.o.Dir }

// Path returns the file of source's snapshot, or "" when the source has no key.
func (s *Store) Path(source string) string { return s.path(source, ".json") }

// path returns source's file with the extension ext, or "" when the source has no key.
func (s *Store) path(source, ext string) string {
	key := s.o.Keys[source]
	if key == "" {
		return ""
	}
	return filepath.Join(s.o.Dir, strings.ReplaceAll(source, "/", "_")+"-"+key[:16]+ext)
}

// Load returns source's snapshot: the parts younger than MaxAge. A missing file is no
// snapshot; a corrupt or foreign one (another version, source or key) is ignored with a
// warning.
func (s *Store) Load(source string) (Entry, bool) {
	p := s.Path(source)
	if p == "" {
		return Entry{}, false
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Entry{}, false
	}
	var f file
	if err == nil {
		err = json.Unmarshal(b, &f)
	}
	switch {
	case err != nil:
		s.o.Logger.Warn("snapshot ignored: unreadable", "source", source, "file", p, "err", err)
		return Entry{}, false
	case f.Version != Version:
		s.o.Logger.Warn("snapshot ignored: written by another version", "source", source, "file", p,
			"version", f.Version, "want", Version)
		return Entry{}, false
	case f.Source != source || f.Key != s.o.Keys[source]:
		s.o.Logger.Warn("snapshot ignored: written for other settings", "source", source, "file", p)
		return Entry{}, false
	}
	now := s.o.Now()
	if f.Catalog != nil && now.Sub(f.CatalogAsOf) > s.o.MaxAge {
		f.Catalog, f.CatalogAsOf = nil, time.Time{}
	}
	if len(f.Reference) > 0 && now.Sub(f.ReferenceAsOf) > s.o.MaxAge {
		f.Reference, f.ReferenceAsOf = nil, time.Time{}
	}
	if f.empty() {
		s.o.Logger.Debug("snapshot too old", "source", source, "max_age", s.o.MaxAge)
		return Entry{}, false
	}
	return f.Entry, true
}

// Save writes source's snapshot atomically (a temporary file renamed over the old one) with
// mode 0600. An empty entry, or a source without a key, writes nothing.
func (s *Store) Save(source string, e Entry) error {
	p := s.Path(source)
	if p == "" || e.empty() {
		return nil
	}
	b, err := json.Marshal(file{Version: Version, Source: source, Key: s.o.Keys[source], Written: s.o.Now().UTC(), Entry: e})
	if err != nil {
		return err
	}
	return s.write(p, b)
}

// write puts b in the file p atomically (a temporary file renamed over the old one) with
// mode 0600, creating the directory (0700) and pruning old files on the first write.
func (s *Store) write(p string, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(s.o.Dir, 0o700); err != nil {
		return err
	}
	if !s.pruned {
		s.pruned = true
		s.prune()
	}
	tmp, err := os.CreateTemp(s.o.Dir, ".snapshot-*.tmp") // created with mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// ours matches the names of snapshot files, token files and their temporary files.
var ours = regexp.MustCompile(`^([A-Za-z0-9_.-]+-[0-9a-f]{16}\.(json|token)|\.snapshot-[0-9]+\.tmp)$`)

// prune removes snapshots (of any configuration) not written for longer than MaxAge, and
// temporary files a crashed write left; s.mu must be held.
func (s *Store) prune() {
	ents, err := os.ReadDir(s.o.Dir)
	if err != nil {
		return
	}
	for _, d := range ents {
		n := d.Name()
		if d.IsDir() || !ours.MatchString(n) {
			continue
		}
		if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > s.o.MaxAge {
			os.Remove(filepath.Join(s.o.Dir, n))
		}
	}
}
