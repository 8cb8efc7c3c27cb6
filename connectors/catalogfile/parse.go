package catalogfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/opsctx/opsctx/internal/catalogmodel"
	yaml "go.yaml.in/yaml/v3"
)

var (
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = fmt.Errorf("file larger than %d MiB", MaxFileSize>>20)
)

// DocumentError is a problem with one YAML document of a catalog file, e.g.
// `catalog/shop.yaml: document 3 (Component "checkout"): spec.owner: required`.
type DocumentError struct {
	File  string
	Index int // 1-based position of the document in the file, counting empty ones
	// Kind and Name identify the entity when the document states them.
	Kind, Name string
	// Err is the cause: a YAML error (naming the line) or *catalogmodel.FieldError values.
	Err error
}

// Error prefixes every joined cause with the file, document index and entity.
func (e *DocumentError) Error() string {
	prefix := e.File + ": document " + strconv.Itoa(e.Index)
	switch {
	case e.Kind != "" && e.Name != "":
		prefix += fmt.Sprintf(" (%s %q)", e.Kind, e.Name)
	case e.Kind != "":
		prefix += " (" + e.Kind + ")"
	case e.Name != "":
		prefix += fmt.Sprintf(" (%q)", e.Name)
	}
	causes := []error{e.Err}
	if j, ok := e.Err.(interface{ Unwrap() []error }); ok {
		causes = j.Unwrap()
	}
	lines := make([]string, len(causes))
	for i, c := range causes {
		lines[i] = prefix + ": " + c.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the cause.
func (e *DocumentError) Unwrap() error { return e.Err }

// doc is a valid entity and its position in its file.
type doc struct {
	entity catalogmodel.Entity
	index  int
}

// Parse decodes and validates the YAML documents of one file; name is used in errors.
// Empty documents are skipped. Every invalid document is reported (as *DocumentError,
// joined); the valid entities are returned as well. A YAML syntax error ends the file.
func Parse(name string, data []byte) ([]catalogmodel.Entity, error) {
	docs, err := parseDocs(name, data)
	out := make([]catalogmodel.Entity, len(docs))
	for i, d := range docs {
		out[i] = d.entity
	}
	return out, err
}

func parseDocs(name string, data []byte) ([]doc, error) {
	var out []doc
	var errs []error
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for i := 1; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, &DocumentError{File: name, Index: i, Err: err})
			break
		}
		if i > MaxDocuments {
			errs = append(errs, fmt.Errorf("%s: more than %d documents", name, MaxDocuments))
			break
		}
		var v any
		if err := n.Decode(&v); err != nil {
			errs = append(errs, &DocumentError{File: name, Index: i, Err: err})
			continue
		}
		if v == nil {
			continue // empty document
		}
		e, err := catalogmodel.Decode(v)
		if err == nil {
			err = catalogmodel.Validate(e)
		}
		if err != nil {
			kind, entityName := label(v)
			errs = append(errs, &DocumentError{File: name, Index: i, Kind: kind, Name: entityName, Err: err})
			continue
		}
		out = append(out, doc{entity: e, index: i})
	}
	return out, errors.Join(errs...)
}

// label returns the kind and metadata.name of a raw document, where they are strings.
func label(v any) (kind, name string) {
	m, _ := v.(map[string]any)
	kind, _ = m["kind"].(string)
	md, _ := m["metadata"].(map[string]any)
	name, _ = md["name"].(string)
	return kind, name
}
