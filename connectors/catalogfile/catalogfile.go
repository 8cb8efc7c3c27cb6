// Package catalogfile is the embedded default catalog source: it reads Backstage
// catalog-info.yaml documents from files and directories (OPSCTX_CATALOG), validates
// them and maps them to internal/model through internal/catalogmodel.
package catalogfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/model"
)

// SourceName is the name of this source in answers.
const SourceName = "catalogfile"

// Limits that keep a hostile or mistaken catalog from exhausting memory.
const (
	MaxFileSize      = 10 << 20  // bytes per file
	MaxTotalSize     = 256 << 20 // bytes per load
	MaxDocuments     = 10000     // YAML documents per file
	MaxFiles         = 10000     // files per load
	MaxLocationDepth = 16        // nesting of Location entities
)

// Options configure a Source.
type Options struct {
	// Name is the source name in answers: SourceName for the unnamed instance (the
	// default), or SourceName/<instance> for a named one (model.SourceName).
	Name string
	// Paths are files or directories; directories are read recursively (*.yaml, *.yml,
	// skipping hidden directories). Every YAML file found must hold catalog documents.
	Paths []string
	// FS, if set, is read instead of the OS and Paths are relative to it ("." if empty).
	FS fs.FS
}

// Source reads the catalog files on every call; the caller caches.
type Source struct{ opts Options }

var _ connectors.Catalog = (*Source)(nil)

// New returns a Source for o.
func New(o Options) *Source {
	if o.Name == "" {
		o.Name = SourceName
	}
	if o.FS != nil && len(o.Paths) == 0 {
		o.Paths = []string{"."}
	}
	return &Source{opts: o}
}

// Name returns the source name: "catalogfile", or "catalogfile/<instance>".
func (s *Source) Name() string { return s.opts.Name }

// Check loads and validates every document. It fails when no paths are configured,
// a path is unreadable, any document is invalid, or no entities are found.
func (s *Source) Check(ctx context.Context) error {
	_, err := s.load(ctx)
	return err
}

// Catalog loads, validates and maps the catalog. Any invalid document fails the whole
// catalog, so the source is reported as failing until the file is fixed.
func (s *Source) Catalog(ctx context.Context) (model.Catalog, error) {
	entities, err := s.load(ctx)
	if err != nil {
		return model.Catalog{}, err
	}
	return catalogmodel.ToCatalog(entities, s.opts.Name), nil
}

func (s *Source) load(ctx context.Context) ([]catalogmodel.Entity, error) {
	entities, err := Load(ctx, s.opts)
	if err != nil {
		return nil, err
	}
	for _, e := range entities {
		if !strings.EqualFold(e.Kind, "Location") {
			return entities, nil
		}
	}
	return nil, fmt.Errorf("no catalog entities found in %s", strings.Join(s.opts.Paths, ", "))
}

// errNoPaths reports a Source without paths.
var errNoPaths = errors.New("no catalog paths configured (set OPSCTX_CATALOG)")
