package catalogfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/opsctx/opsctx/internal/catalogmodel"
)

// Load reads and validates every entity reachable from o.Paths, in order: files, then
// directories walked in lexical order. Location entities are kept and their
// spec.target / spec.targets followed: relative paths resolve against the Location's
// file, globs are expanded, and remote (URL) targets are skipped because files cannot
// fetch them. Each file is read once, so cycles end. Every invalid document and every
// duplicate entity ref is reported (errors.Join); the valid entities are returned too.
func Load(ctx context.Context, o Options) ([]catalogmodel.Entity, error) {
	l := &loader{ctx: ctx, fsys: osFiles{}, seen: map[string]bool{}, refs: map[string]origin{}}
	if o.FS != nil {
		l.fsys = fsFiles{o.FS}
		if len(o.Paths) == 0 {
			o.Paths = []string{"."}
		}
	}
	var paths []string
	for _, p := range o.Paths {
		if p = strings.TrimSpace(p); p != "" {
			paths = append(paths, p)
		}
	}
	if len(paths) == 0 {
		return nil, errNoPaths
	}
	for _, p := range paths {
		if o.FS != nil && !fs.ValidPath(path.Clean(p)) {
			l.errs = append(l.errs, fmt.Errorf("%s: not a valid path in the catalog file system", p))
			continue
		}
		if err := l.loadPath(p, 0); err != nil {
			l.errs = append(l.errs, err)
		}
	}
	return l.out, errors.Join(l.errs...)
}

type origin struct {
	file  string
	index int
}

type loader struct {
	ctx   context.Context
	fsys  files
	seen  map[string]bool   // file keys read
	refs  map[string]origin // entity ref → first definition
	bytes int
	out   []catalogmodel.Entity
	errs  []error
	stop  bool
}

// stopped reports whether loading must end (cancelled context or a global limit).
func (l *loader) stopped() bool {
	if !l.stop && l.ctx.Err() != nil {
		l.errs = append(l.errs, l.ctx.Err())
		l.stop = true
	}
	return l.stop
}

func (l *loader) halt(err error) {
	l.errs = append(l.errs, err)
	l.stop = true
}

// loadPath loads a file (any extension) or walks a directory for *.yaml and *.yml,
// skipping hidden entries. It returns the error when p itself cannot be read.
func (l *loader) loadPath(p string, depth int) error {
	info, err := l.fsys.stat(p)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		l.loadFile(p, depth)
		return nil
	}
	return l.fsys.walk(p, func(name string, d fs.DirEntry, err error) error {
		if l.stopped() {
			return fs.SkipAll
		}
		if err != nil {
			l.errs = append(l.errs, err)
			return nil
		}
		hidden := name != p && strings.HasPrefix(d.Name(), ".")
		switch {
		case d.IsDir() && hidden:
			return fs.SkipDir
		case !d.IsDir() && !hidden && isYAML(name):
			l.loadFile(name, depth)
		}
		return nil
	})
}

func (l *loader) loadFile(p string, depth int) {
	if l.stopped() {
		return
	}
	k := l.fsys.key(p)
	if l.seen[k] {
		return
	}
	l.seen[k] = true
	if len(l.seen) > MaxFiles {
		l.halt(fmt.Errorf("more than %d catalog files", MaxFiles))
		return
	}
	data, err := readFile(l.fsys, p)
	if err != nil {
		l.errs = append(l.errs, err)
		return
	}
	if l.bytes += len(data); l.bytes > MaxTotalSize {
		l.halt(fmt.Errorf("%s: catalog files exceed %d MiB in total", p, MaxTotalSize>>20))
		return
	}
	docs, err := parseDocs(p, data)
	if err != nil {
		l.errs = append(l.errs, err)
	}
	for _, d := range docs {
		l.add(p, d, depth)
	}
}

// add records a valid entity, reporting duplicate refs, and follows Locations.
func (l *loader) add(p string, d doc, depth int) {
	e := d.entity
	ref := e.Ref().String()
	if prev, dup := l.refs[ref]; dup {
		l.errs = append(l.errs, &DocumentError{File: p, Index: d.index, Kind: e.Kind, Name: e.Metadata.Name,
			Err: fmt.Errorf("duplicate entity %s, also defined in %s document %d", ref, prev.file, prev.index)})
		return
	}
	l.refs[ref] = origin{file: p, index: d.index}
	l.out = append(l.out, e)
	if strings.EqualFold(e.Kind, "Location") {
		l.follow(p, d, depth)
	}
}

// follow loads the targets of a Location entity found in file p.
func (l *loader) follow(p string, d doc, depth int) {
	e := d.entity
	type target struct{ field, value string }
	var targets []target
	if t := e.SpecString("target"); t != "" {
		targets = append(targets, target{"spec.target", t})
	}
	for i, t := range e.SpecStrings("targets") {
		targets = append(targets, target{fmt.Sprintf("spec.targets[%d]", i), t})
	}
	optional := e.SpecString("presence") == "optional"
	for _, t := range targets {
		fail := func(err error) {
			l.errs = append(l.errs, &DocumentError{File: p, Index: d.index, Kind: e.Kind, Name: e.Metadata.Name,
				Err: &catalogmodel.FieldError{Field: t.field, Msg: err.Error()}})
		}
		if strings.Contains(t.value, "://") {
			continue // remote target: not readable from files
		}
		if depth >= MaxLocationDepth {
			fail(fmt.Errorf("locations nested deeper than %d", MaxLocationDepth))
			continue
		}
		for _, name := range l.resolve(p, t.value, optional, fail) {
			err := l.loadPath(name, depth+1)
			if err != nil && !(optional && errors.Is(err, fs.ErrNotExist)) {
				fail(err)
			}
		}
	}
}

// resolve turns a Location target into paths: relative to the Location's file, globs expanded.
func (l *loader) resolve(p, target string, optional bool, fail func(error)) []string {
	name := target
	if !l.fsys.isAbs(target) {
		name = l.fsys.join(l.fsys.dir(p), target)
	}
	if _, ok := l.fsys.(fsFiles); ok {
		if name = strings.TrimPrefix(name, "/"); !fs.ValidPath(name) {
			fail(fmt.Errorf("%q is outside the catalog file system", target))
			return nil
		}
	}
	if !strings.ContainsAny(target, "*?[") {
		return []string{name}
	}
	matches, err := l.fsys.glob(name)
	if err != nil {
		fail(err)
		return nil
	}
	if len(matches) == 0 && !optional {
		fail(fmt.Errorf("no files match %q", target))
	}
	return matches
}
