package demo

import (
	"bytes"
	"io/fs"
	"time"
)

// overlay is an fs.FS that adds one file at the root of another.
type overlay struct {
	fs.FS
	name string
	data []byte
}

// Open opens the extra file, or the underlying FS's.
func (o overlay) Open(name string) (fs.File, error) {
	if name == o.name {
		return &memFile{Reader: bytes.NewReader(o.data), info: memInfo{o.name, int64(len(o.data))}}, nil
	}
	return o.FS.Open(name)
}

// ReadDir lists the underlying root plus the extra file.
func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(o.FS, name)
	if err != nil || name != "." {
		return es, err
	}
	return append(es, fs.FileInfoToDirEntry(memInfo{o.name, int64(len(o.data))})), nil
}

type memFile struct {
	*bytes.Reader
	info memInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
