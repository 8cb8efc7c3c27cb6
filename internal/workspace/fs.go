package workspace

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FS is what Find reads: the local file system (OS), or a test's.
type FS interface {
	// Lstat describes name without following a final symlink.
	Lstat(name string) (fs.FileInfo, error)
	// EvalSymlinks resolves every symlink in name.
	EvalSymlinks(name string) (string, error)
	// ReadFile reads a regular file of at most max bytes; a larger file is an error.
	ReadFile(name string, max int64) ([]byte, error)
}

// OS is the local file system.
var OS FS = osFS{}

type osFS struct{}

func (osFS) Lstat(name string) (fs.FileInfo, error)   { return os.Lstat(name) }
func (osFS) EvalSymlinks(name string) (string, error) { return filepath.EvalSymlinks(name) }

func (osFS) ReadFile(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, err
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file", name)
	case st.Size() > max:
		return nil, fmt.Errorf("%s: larger than %d bytes", name, max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(data)) > max {
		err = fmt.Errorf("%s: larger than %d bytes", name, max)
	}
	return data, err
}
