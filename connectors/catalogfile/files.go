package catalogfile

import (
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// files abstracts the OS file system and an fs.FS, with their path syntax.
type files interface {
	open(name string) (fs.File, error)
	stat(name string) (fs.FileInfo, error)
	walk(root string, fn fs.WalkDirFunc) error
	glob(pattern string) ([]string, error)
	join(dir, rel string) string
	dir(name string) string
	isAbs(name string) bool
	// key identifies a file, so the same file reached twice is read once.
	key(name string) string
}

type osFiles struct{}

func (osFiles) open(name string) (fs.File, error)         { return os.Open(name) }
func (osFiles) stat(name string) (fs.FileInfo, error)     { return os.Stat(name) }
func (osFiles) walk(root string, fn fs.WalkDirFunc) error { return filepath.WalkDir(root, fn) }
func (osFiles) glob(pattern string) ([]string, error)     { return filepath.Glob(pattern) }
func (osFiles) join(dir, rel string) string               { return filepath.Join(dir, rel) }
func (osFiles) dir(name string) string                    { return filepath.Dir(name) }
func (osFiles) isAbs(name string) bool                    { return filepath.IsAbs(name) }
func (osFiles) key(name string) string {
	if abs, err := filepath.Abs(name); err == nil {
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			return real
		}
		return abs
	}
	return filepath.Clean(name)
}

type fsFiles struct{ fsys fs.FS }

func (f fsFiles) open(name string) (fs.File, error)         { return f.fsys.Open(name) }
func (f fsFiles) stat(name string) (fs.FileInfo, error)     { return fs.Stat(f.fsys, name) }
func (f fsFiles) walk(root string, fn fs.WalkDirFunc) error { return fs.WalkDir(f.fsys, root, fn) }
func (f fsFiles) glob(pattern string) ([]string, error)     { return fs.Glob(f.fsys, pattern) }
func (fsFiles) join(dir, rel string) string                 { return path.Join(dir, rel) }
func (fsFiles) dir(name string) string                      { return path.Dir(name) }
func (fsFiles) isAbs(name string) bool                      { return strings.HasPrefix(name, "/") }
func (fsFiles) key(name string) string                      { return path.Clean(name) }

// isYAML reports whether name has a YAML extension.
func isYAML(name string) bool {
	ext := strings.ToLower(path.Ext(filepath.ToSlash(name)))
	return ext == ".yaml" || ext == ".yml"
}

// readFile reads a regular file of at most MaxFileSize bytes.
func readFile(fsys files, name string) ([]byte, error) {
	f, err := fsys.open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errNotRegular}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errTooLarge}
	}
	return data, nil
}
