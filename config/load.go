package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"github.com/opsctx/opsctx/internal/redact"
	"go.yaml.in/yaml/v3"
)

// Where a setting came from, recorded in Config.from.
const (
	fromFile = "file"
	fromEnv  = "env"
)

// Load reads the optional YAML file at path ("" = none), then applies the environment
// (which wins over the file for the same setting), applies defaults and validates.
// getenv is os.Getenv in production (nil means os.Getenv); tests pass a map lookup.
//
// In the file, ${VAR} in values is replaced from getenv ($$ is a literal $), and
// relative paths (sources.catalog.paths, http.auth_token_file) are relative to the
// file's directory. All problems are reported together; no error contains a secret.
func Load(path string, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := &Config{from: map[string]string{}}
	hide := envSecretValues(getenv)
	if path != "" {
		h, err := c.loadFile(path, getenv)
		hide = append(hide, h...)
		if err != nil {
			return nil, redact.Error(err, append(hide, c.Secrets()...)...)
		}
	}
	errs := c.applyEnv(getenv)
	if c.HTTP.AuthTokenFile != "" && c.from["http.auth_token"] != fromEnv {
		tok, err := ReadSecretFile(c.HTTP.AuthTokenFile)
		if err != nil {
			errs = append(errs, fmt.Errorf("http.auth_token_file: %w", err))
		}
		c.HTTP.AuthToken = tok
	}
	errs = append(errs, c.Validate())
	if err := errors.Join(errs...); err != nil {
		return nil, redact.Error(err, append(hide, c.Secrets()...)...)
	}
	return c, nil
}

// loadFile decodes the YAML file into c. It returns values that must be redacted from
// errors (those of secret-looking variables referenced by ${...}).
func (c *Config) loadFile(path string, getenv func(string) string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // empty file
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("config file %s: must hold exactly one YAML document", path)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil
		}
		root = root.Content[0]
	}
	d := &decoder{file: path, getenv: getenv, from: c.from}
	d.decode("", root, reflect.ValueOf(c).Elem())
	if len(d.errs) > 0 {
		return d.hide, errors.Join(d.errs...)
	}
	if c.from["http.auth_token"] == fromFile && c.from["http.auth_token_file"] == fromFile {
		return d.hide, fmt.Errorf("config file %s: http.auth_token and http.auth_token_file are both set: keep one", path)
	}
	dir := filepath.Dir(path)
	if p := c.HTTP.AuthTokenFile; p != "" && !filepath.IsAbs(p) {
		c.HTTP.AuthTokenFile = filepath.Join(dir, p)
	}
	for _, cf := range c.Sources.CatalogFile {
		for i, p := range cf.Paths {
			if p = strings.TrimSpace(p); p != "" && !filepath.IsAbs(p) {
				cf.Paths[i] = filepath.Join(dir, p)
			}
		}
	}
	return d.hide, nil
}

// decoder walks a yaml.Node tree into a struct using its yaml tags. Unlike
// yaml.Decoder.KnownFields, its errors name the full key path and the valid keys.
type decoder struct {
	file   string
	getenv func(string) string
	from   map[string]string
	errs   []error
	hide   []string
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	if path == "" {
		path = "top level"
	}
	d.errs = append(d.errs, fmt.Errorf("%s:%d: %s: %s", d.file, n.Line, path, fmt.Sprintf(format, args...)))
}

func (d *decoder) decode(path string, n *yaml.Node, v reflect.Value) {
	if n = deref(n); n == nil {
		return
	}
	switch {
	case isInstances(v.Type()):
		d.decodeInstances(path, n, v)
	case v.Kind() == reflect.Struct:
		d.decodeStruct(path, n, v)
	case isNull(n):
		// unset
	case v.Kind() == reflect.Map:
		d.decodeMap(path, n, v)
	case v.Kind() == reflect.Slice:
		d.decodeList(path, n, v)
	case n.Kind != yaml.ScalarNode:
		d.fail(n, path, "expected a single value, got a %s", kindName(n))
	default:
		s, ok := d.expand(path, n)
		if !ok {
			return
		}
		if err := setScalar(v, s); err != nil {
			d.fail(n, path, "%v", err)
			return
		}
		d.from[path] = fromFile
	}
}

func (d *decoder) decodeStruct(path string, n *yaml.Node, v reflect.Value) {
	if isNull(n) {
		return
	}
	valid := strings.Join(keysOf(v.Type()), ", ")
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping with keys %s, got a %s", valid, kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := deref(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			d.fail(n.Content[i], path, "keys must be plain names (valid: %s)", valid)
			continue
		}
		kp := joinPath(path, k.Value)
		if seen[k.Value] {
			d.fail(k, kp, "duplicate key")
			continue
		}
		seen[k.Value] = true
		f, ok := fieldByKey(v, k.Value)
		if !ok {
			d.fail(k, kp, "unknown key (valid: %s)", valid)
			continue
		}
		d.decode(kp, val, f)
	}
}

func (d *decoder) decodeMap(path string, n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got a %s", kindName(n))
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := deref(n.Content[i]), deref(n.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode || k.Value == "" {
			d.fail(n.Content[i], path, "keys must be non-empty names")
			continue
		}
		kp := joinPath(path, k.Value)
		if seen[k.Value] {
			d.fail(k, kp, "duplicate key")
			continue
		}
		seen[k.Value] = true
		if val == nil || isNull(val) {
			continue
		}
		before := len(d.errs)
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(kp, val, elem)
		if len(d.errs) == before {
			v.SetMapIndex(reflect.ValueOf(k.Value).Convert(v.Type().Key()), elem)
		}
	}
}

// isInstances reports whether t is a source kind's list of instances ([]*Block).
func isInstances(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Pointer && t.Elem().Elem().Kind() == reflect.Struct
}

// decodeInstances reads a source kind: one block (present, even empty, means enabled) or a
// list of blocks. Each instance is named in errors by its path (InstancePath), so an error
// in a list names the instance it is about.
func (d *decoder) decodeInstances(path string, n *yaml.Node, v reflect.Value) {
	key := strings.TrimPrefix(path, "sources.")
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			d.fail(n, path, "empty list: give one block, or a list of blocks each with a name")
			return
		}
	}
	out := reflect.MakeSlice(v.Type(), 0, len(items))
	for i, e := range items {
		e = deref(e)
		if e == nil {
			continue
		}
		name := nameOf(e)
		ip := InstancePath(key, name)
		if name == "" && len(items) > 1 {
			ip = fmt.Sprintf("%s[%d]", path, i)
		}
		b := reflect.New(v.Type().Elem().Elem())
		d.from[ip] = fromFile
		d.decodeStruct(ip, e, b.Elem())
		out = reflect.Append(out, b)
	}
	v.Set(out)
}

// nameOf returns the value of a mapping's name key, or "".
func nameOf(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, val := deref(n.Content[i]), deref(n.Content[i+1]); k != nil && val != nil && k.Value == "name" && val.Kind == yaml.ScalarNode {
			return strings.TrimSpace(val.Value)
		}
	}
	return ""
}

// decodeList accepts a sequence of strings, or one string as a one-element list; or, for a
// list of blocks (slos), a sequence of mappings.
func (d *decoder) decodeList(path string, n *yaml.Node, v reflect.Value) {
	if v.Type().Elem().Kind() == reflect.Struct {
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "expected a list, got a %s", kindName(n))
			return
		}
		out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
		for i, e := range n.Content {
			item := reflect.New(v.Type().Elem()).Elem()
			d.decodeStruct(fmt.Sprintf("%s[%d]", path, i), deref(e), item)
			out = reflect.Append(out, item)
		}
		v.Set(out)
		d.from[path] = fromFile
		return
	}
	var items []string
	switch n.Kind {
	case yaml.ScalarNode:
		s, ok := d.expand(path, n)
		if !ok {
			return
		}
		items = []string{s}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			ep := fmt.Sprintf("%s[%d]", path, i)
			if e = deref(e); e == nil || e.Kind != yaml.ScalarNode || isNull(e) {
				d.fail(n.Content[i], ep, "expected a string, got a %s", kindName(e))
				continue
			}
			if s, ok := d.expand(ep, e); ok {
				items = append(items, s)
			}
		}
	default:
		d.fail(n, path, "expected a list of strings, got a %s", kindName(n))
		return
	}
	v.Set(reflect.ValueOf(items).Convert(v.Type()))
	d.from[path] = fromFile
}

// expand applies ${VAR} expansion to a scalar, reporting unset variables.
func (d *decoder) expand(path string, n *yaml.Node) (string, bool) {
	s, names, err := expandVars(n.Value, d.getenv)
	if err != nil {
		d.fail(n, path, "%v", err)
		return "", false
	}
	ok := true
	for _, name := range names {
		val := d.getenv(name)
		if val == "" {
			d.fail(n, path, "${%s} is not set: export %s, or write $$ for a literal $", name, name)
			ok = false
		} else if secretLikeName(name) {
			d.hide = append(d.hide, val)
		}
	}
	return s, ok
}

// deref follows YAML aliases to the anchored node.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	if n == nil {
		return "missing value"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		return "single value"
	}
	return "value"
}

// joinPath appends a key to a dotted path, quoting keys that are not plain names.
func joinPath(path, key string) string {
	if !plainKey(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func plainKey(k string) bool {
	if k == "" || len(k) > 100 {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r == '-' || r == ' ' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
