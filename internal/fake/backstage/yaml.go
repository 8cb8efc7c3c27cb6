package backstage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/opsctx/opsctx/internal/catalogmodel"
)

// LoadYAML decodes every catalog-info document in the *.yaml and *.yml files at the root of
// fsys with catalogmodel.Decode, in file order, skipping Location entities (the backend
// does not serve them as catalog content). It is how tests and the demo feed the fake.
func LoadYAML(fsys fs.FS) ([]catalogmodel.Entity, error) {
	names, err := fs.Glob(fsys, "*.y*ml")
	if err != nil {
		return nil, err
	}
	var out []catalogmodel.Entity
	for _, name := range names {
		if ext := path.Ext(name); ext != ".yaml" && ext != ".yml" {
			continue
		}
		f, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		dec := yaml.NewDecoder(f)
		for i := 1; ; i++ {
			var doc any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
			}
			if doc == nil {
				continue
			}
			e, err := catalogmodel.Decode(doc)
			if err != nil {
				f.Close()
				return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
			}
			if !strings.EqualFold(e.Kind, "Location") {
				out = append(out, e)
			}
		}
		f.Close()
	}
	return out, nil
}
