// Package specsubset writes the part of a vendor's full API document that a fake's tests
// validate against: the operations the fake serves and every definition they reference,
// unchanged. Each fake with a subset has a generator program (go generate) that calls Main.
package specsubset

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Subset says which part of a vendor's full spec document a fake's tests keep in testdata.
type Subset struct {
	// File is the checked-in subset, such as testdata/openapi-subset.json.
	File string
	// Info is the subset's info object: its title and where the full document comes from.
	Info map[string]any
	// Ops are the paths of the GET operations the fake serves.
	Ops []string
	// Keep, if set, returns further references to keep, such as "#/definitions/UserRecipient"
	// for discriminator subtypes that nothing references.
	Keep func(full map[string]any) []string
}

// Write reads the full document in the file from and writes to s.File its swagger or
// openapi version and host, s.Info, the operations s.Ops with only their operationId and
// responses, and every definition, parameter, response or component those reference,
// directly or not, unchanged. The examples of the operations' response media types are left
// out, and references inside examples are not followed.
func (s Subset) Write(from string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	var full map[string]any
	if err := json.Unmarshal(b, &full); err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	sub := map[string]any{"info": s.Info, "paths": map[string]any{}}
	for _, k := range []string{"swagger", "openapi", "host"} {
		if v, ok := full[k]; ok {
			sub[k] = v
		}
	}
	var walk func(v any)
	take := func(ref string) {
		section, name, ok := splitRef(ref)
		if !ok {
			return
		}
		dst := sub
		for _, k := range section {
			next, _ := dst[k].(map[string]any)
			if next == nil {
				next = map[string]any{}
				dst[k] = next
			}
			dst = next
		}
		if _, done := dst[name]; !done {
			src, _ := lookup(full, section...).(map[string]any)
			dst[name] = src[name]
			walk(dst[name])
		}
	}
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				take(r)
			}
			for k, e := range x {
				if k != "examples" {
					walk(e)
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	if s.Keep != nil {
		for _, r := range s.Keep(full) {
			take(r)
		}
	}
	for _, p := range s.Ops {
		get, ok := lookup(full, "paths", p, "get").(map[string]any)
		if !ok {
			return fmt.Errorf("%s has no GET %s", from, p)
		}
		resp, _ := get["responses"].(map[string]any)
		for _, r := range resp {
			content, _ := lookup(r, "content").(map[string]any)
			for _, mt := range content {
				if m, ok := mt.(map[string]any); ok {
					delete(m, "examples")
				}
			}
		}
		sub["paths"].(map[string]any)[p] = map[string]any{"get": map[string]any{"operationId": get["operationId"], "responses": get["responses"]}}
		walk(get["responses"])
	}
	out, err := json.MarshalIndent(sub, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(s.File, append(out, '\n'), 0o644)
}

// Main is a generator's main: it writes s from the full document named by the environment
// variable env, or says how to regenerate when env is not set (the checked-in subset then
// stays as it is).
func Main(s Subset, env string) {
	from := os.Getenv(env)
	if from == "" {
		fmt.Fprintf(os.Stderr, "%s: keeping %s (set %s to the full document to regenerate it)\n", s.Info["title"], s.File, env)
		return
	}
	if err := s.Write(from); err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		os.Exit(1)
	}
}

// lookup returns the value at keys inside nested objects, or nil.
func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// splitRef splits a local reference to a reusable part of a document, such as
// #/definitions/Alert or #/components/schemas/Alert/properties/id, into the keys of its
// section (definitions; components, schemas) and the part's name.
func splitRef(ref string) (section []string, name string, ok bool) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, "", false
	}
	keys := strings.Split(rest, "/")
	n := 1
	if keys[0] == "components" {
		n = 2
	}
	if keys[0] == "paths" || len(keys) <= n {
		return nil, "", false
	}
	return keys[:n], strings.ReplaceAll(strings.ReplaceAll(keys[n], "~1", "/"), "~0", "~"), true
}
