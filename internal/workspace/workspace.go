// Package workspace reads what a local checkout says about the service it holds: the
// nearest catalog-info.yaml at or above a path, and the checkout's origin remote from
// .git/config (no git binary needed). It is for stdio and the CLI only: over HTTP the
// server's disk is not the caller's, and the tools refuse a path before anything here
// runs. Reads are bounded: at most MaxLevels folders up, files of at most MaxFile bytes,
// and symlinks are not followed out of the checkout.
package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/opsctx/opsctx/connectors/catalogfile"
)

// Bounds of a walk.
const (
	// MaxLevels is how many folders Find looks at, from the path up.
	MaxLevels = 32
	// MaxFile is the largest catalog file or git config Find reads.
	MaxFile = 256 << 10
)

// catalogNames are the catalog file names looked for in each folder, in order.
var catalogNames = []string{"catalog-info.yaml", "catalog-info.yml"}

// Checkout is what a local path says about the service it belongs to.
type Checkout struct {
	// Path is the path asked about, absolute and with symlinks resolved.
	Path string
	// Catalog is the nearest catalog file at or above Path inside the checkout ("" when
	// none), and Entities the refs of the entities it declares ("component:default/cart").
	Catalog  string
	Entities []string
	// Root is the checkout's top folder ("" when Path is in no checkout).
	Root string
	// Remote is the URL of the checkout's origin remote (or of its only remote, named by
	// RemoteName), without credentials; "" when it has none.
	Remote, RemoteName string
	// Dir is Path relative to Root, slash-separated ("" at the root): a folder or a file.
	Dir string
}

// ErrNothing is returned when a path is in no checkout and has no catalog file above it.
var ErrNothing = errors.New("no catalog-info.yaml and no git checkout at or above the path")

// Find walks up from path (a file or folder) to the nearest catalog file and the
// checkout's root, and reads the entities the catalog file declares and the origin
// remote. The walk stops at the checkout's root (a folder holding .git): catalog files
// above it belong to another tree.
func Find(fsys FS, path string) (*Checkout, error) {
	if fsys == nil {
		fsys = OS
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	real, err := fsys.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", abs, unwrapPath(err))
	}
	c := &Checkout{Path: real}
	dir := real
	if st, err := fsys.Lstat(real); err != nil {
		return nil, fmt.Errorf("%s: %w", real, unwrapPath(err))
	} else if !st.IsDir() {
		dir = filepath.Dir(real)
	}
	var catalog string // nearest catalog file, checked against the root once it is known
	for level := 0; level < MaxLevels; level++ {
		if catalog == "" {
			catalog = findCatalog(fsys, dir)
		}
		if gitDir, ok := gitDirOf(fsys, dir); ok {
			c.Root = dir
			c.RemoteName, c.Remote = readRemote(fsys, gitDir)
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	if catalog != "" && c.inTree(fsys, catalog) {
		c.Catalog, c.Entities = catalog, entities(fsys, catalog)
	}
	if c.Root != "" {
		if rel, err := filepath.Rel(c.Root, real); err == nil && rel != "." {
			c.Dir = filepath.ToSlash(rel)
		}
	}
	if c.Catalog == "" && c.Root == "" {
		return nil, fmt.Errorf("%s: %w", real, ErrNothing)
	}
	return c, nil
}

// findCatalog returns the catalog file in dir, or "": a regular file, or a symlink
// (whose target is checked by inTree later).
func findCatalog(fsys FS, dir string) string {
	for _, n := range catalogNames {
		p := filepath.Join(dir, n)
		if st, err := fsys.Lstat(p); err == nil && (st.Mode().IsRegular() || st.Mode()&fs.ModeSymlink != 0) {
			return p
		}
	}
	return ""
}

// inTree reports whether file may be read: a regular file, or a symlink whose target lies
// inside the checkout (never followed without one).
func (c *Checkout) inTree(fsys FS, file string) bool {
	st, err := fsys.Lstat(file)
	if err != nil {
		return false
	}
	if st.Mode().IsRegular() {
		return true
	}
	if c.Root == "" {
		return false
	}
	target, err := fsys.EvalSymlinks(file)
	return err == nil && within(c.Root, target)
}

// entities returns the refs of the entities a catalog file declares (valid ones; a file
// with errors still names what it can).
func entities(fsys FS, file string) []string {
	data, err := fsys.ReadFile(file, MaxFile)
	if err != nil {
		return nil
	}
	es, _ := catalogfile.Parse(file, data)
	var out []string
	for _, e := range es {
		out = append(out, e.Ref().String())
	}
	return out
}

// within reports whether p is root or inside it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// unwrapPath drops the *fs.PathError around err (its path is named by the caller).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
