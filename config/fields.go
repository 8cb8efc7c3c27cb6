package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/timeutil"
)

// The YAML tags on Config are the single schema used by the file decoder, the
// environment and error messages: a setting is named by its dotted YAML path.

// fieldByKey returns the field of struct v whose yaml tag is key.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	if key == "" {
		return reflect.Value{}, false
	}
	t := v.Type()
	for i := range t.NumField() {
		if yamlName(t.Field(i)) == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// keysOf lists the yaml keys of struct type t in declaration order.
func keysOf(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if k := yamlName(t.Field(i)); k != "" {
			out = append(out, k)
		}
	}
	return out
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// typeAt returns the type of the setting at a dotted YAML path, or nil.
func typeAt(path string) reflect.Type {
	t := reflect.TypeFor[Config]()
	for _, p := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || isInstances(t) {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Map:
			t = t.Elem()
			continue
		case reflect.Struct:
		default:
			return nil
		}
		found := false
		for i := range t.NumField() {
			if yamlName(t.Field(i)) == p {
				t, found = t.Field(i).Type, true
				break
			}
		}
		if !found {
			return nil
		}
	}
	return t
}

// setPath parses s into the global setting at a dotted YAML path (source settings are set
// per instance by applyEnv). Paths are compile-time constants; a bad one panics.
func (c *Config) setPath(path, s string) error {
	v := reflect.ValueOf(c).Elem()
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		if v.Kind() == reflect.Map && i == len(parts)-1 {
			elem := reflect.New(v.Type().Elem()).Elem()
			if err := setScalar(elem, s); err != nil {
				return err
			}
			if v.IsNil() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			v.SetMapIndex(reflect.ValueOf(p), elem)
			return nil
		}
		f, ok := fieldByKey(v, p)
		if !ok {
			panic("config: unknown setting path " + path)
		}
		v = f
	}
	return setScalar(v, s)
}

var durationType = reflect.TypeFor[time.Duration]()

// setScalar parses s into v according to v's type. Lists are comma-separated.
// Errors never quote s for string-typed settings (which include secrets).
func setScalar(v reflect.Value, s string) error {
	switch {
	case v.Type() == durationType:
		d, err := timeutil.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		v.SetFloat(f)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf(splitList(s)).Convert(v.Type()))
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// splitList splits a comma-separated list, trimming items and dropping empty ones.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
