package reqcontract

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/opsctx/opsctx/internal/fake"
)

// FromSpec cuts from the vendor's official document under dir (/work/shared/contracts) the
// operations that the requests use: every operation of the document whose method and path
// template one of them matches.
func FromSpec(dir, vendor string, reqs []fake.Request) (Contract, error) {
	vc, ok := Vendors[vendor]
	if !ok || vc.Spec == "" {
		return Contract{}, fmt.Errorf("%s has no official document", vendor)
	}
	file := filepath.Join(dir, vc.Spec)
	from := vc.Spec + " (the vendor's official document, as kept in opsctx's shared contracts)"
	b, err := os.ReadFile(file)
	if err != nil {
		return Contract{}, err
	}
	var doc map[string]any
	if strings.HasSuffix(file, ".yaml") {
		err = yaml.Unmarshal(b, &doc)
	} else {
		err = json.Unmarshal(b, &doc)
	}
	if err != nil {
		return Contract{}, fmt.Errorf("%s: %w", file, err)
	}
	all := specOperations(doc)
	c := Contract{From: from}
	used := map[int]bool{}
	for _, r := range reqs {
		if i := matchOp(all, r.Method, vc.Base.ReplaceAllString(r.Path, "")); i >= 0 {
			used[i] = true
		}
	}
	for i, op := range all {
		if used[i] {
			c.Operations = append(c.Operations, op)
		}
	}
	if vc.words != nil {
		vc.words(c.Operations)
	}
	return c, nil
}

// specOperations reads every operation of an OpenAPI 3 or Swagger 2 document.
func specOperations(doc map[string]any) []Op {
	schemes := map[string]string{}
	secDefs, _ := dig(doc, "components", "securitySchemes").(map[string]any)
	if secDefs == nil {
		secDefs, _ = doc["securityDefinitions"].(map[string]any)
	}
	for name, v := range secDefs {
		schemes[name] = authScheme(name, v.(map[string]any))
	}
	var ops []Op
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		item := paths[p].(map[string]any)
		for _, m := range []string{"get", "post", "put", "delete", "patch"} {
			o, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			op := Op{Method: strings.ToUpper(m), Path: p}
			sec, ok := o["security"].([]any)
			if !ok {
				sec, _ = doc["security"].([]any)
			}
			for _, req := range sec {
				for name := range req.(map[string]any) {
					if s := schemes[name]; s != "" && !slices.Contains(op.Auth, s) {
						op.Auth = append(op.Auth, s)
					}
				}
			}
			sort.Strings(op.Auth)
			params, _ := item["parameters"].([]any)
			own, _ := o["parameters"].([]any)
			for _, raw := range append(slices.Clone(params), own...) {
				pm := resolve(doc, raw)
				switch {
				case pm["in"] == "query":
					op.Params = append(op.Params, specParam(doc, pm))
				case pm["in"] == "header" && !strings.EqualFold(fmt.Sprint(pm["name"]), "Authorization"):
					p := specParam(doc, pm)
					p.In = "header"
					op.Params = append(op.Params, p)
				}
			}
			ops = append(ops, op)
		}
	}
	return ops
}

// specParam reads a query parameter: its name, whether it is required, its enum, and how an
// array of it is sent (OpenAPI 3 style/explode, Swagger 2 collectionFormat).
func specParam(doc map[string]any, pm map[string]any) Param {
	p := Param{Name: pm["name"].(string)}
	p.Required, _ = pm["required"].(bool)
	schema := pm
	if s, ok := pm["schema"]; ok {
		schema = resolve(doc, s)
	}
	scalar := schema
	if schema["type"] == "array" {
		scalar = resolve(doc, schema["items"])
	}
	if t, _ := scalar["type"].(string); t == "integer" || t == "number" || t == "boolean" {
		p.Type = t
	}
	p.Min, p.Max = number(scalar["minimum"]), number(scalar["maximum"])
	desc, _ := pm["description"].(string)
	if m := maxPageSize.FindStringSubmatch(desc); m != nil && p.Max == nil {
		p.Max = number(float64(atoi(m[1])))
	}
	if m := omitOthers.FindStringSubmatch(desc); m != nil {
		others := []string{}
		if m[1] != "" {
			others = append(others, m[1])
		}
		p.Alone = &others
	}
	if schema["type"] == "array" {
		items := scalar
		p.Enum = enumOf(items)
		if _, openAPI3 := doc["openapi"]; openAPI3 {
			p.Array = "repeat"
			if explode, ok := pm["explode"].(bool); ok && !explode {
				p.Array = "csv"
			}
		} else {
			p.Array = "csv"
			if pm["collectionFormat"] == "multi" {
				p.Array = "repeat"
			}
		}
	} else {
		p.Enum = enumOf(schema)
		if explode, _ := pm["explode"].(bool); explode {
			// PagerDuty's lists: a string schema with explode, "pass statuses[] more than once".
			p.Array = "repeat"
		}
	}
	return p
}

// What a parameter's description says beyond its schema (Dynatrace states its page-size
// limits and its cursor rule in words).
var (
	maxPageSize = regexp.MustCompile(`maximal allowed page size is (\d+)`)
	omitOthers  = regexp.MustCompile(`must omit all other query parameters(?: except the optional \*\*(\w+)\*\*)?`)
)

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// number is a JSON or YAML number, or nil.
func number(v any) *float64 {
	switch n := v.(type) {
	case float64:
		return &n
	case int:
		f := float64(n)
		return &f
	}
	return nil
}

func enumOf(schema map[string]any) []string {
	var out []string
	e, _ := schema["enum"].([]any)
	for _, v := range e {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// authScheme is the Authorization header scheme a security scheme asks for: HTTP bearer and
// OAuth 2 "Bearer", HTTP basic "Basic", an API key in the Authorization header the word
// its description shows before the key ("Token token=<API_KEY>", "Api-Token abc") or, failing
// that, the scheme's own name (Opsgenie's "GenieKey").
func authScheme(name string, s map[string]any) string {
	switch s["type"] {
	case "oauth2", "openIdConnect":
		return "Bearer"
	case "http":
		scheme, _ := s["scheme"].(string)
		return strings.ToUpper(scheme[:1]) + strings.ToLower(scheme[1:])
	case "basic":
		return "Basic"
	case "apiKey":
		if !strings.EqualFold(fmt.Sprint(s["name"]), "Authorization") || s["in"] != "header" {
			return ""
		}
		desc, _ := s["description"].(string)
		if m := regexp.MustCompile("`(?:Authorization: )?([A-Za-z-]+) [^`]*`").FindStringSubmatch(desc); m != nil {
			return m[1]
		}
		return name
	}
	return ""
}

// resolve follows a local $ref.
func resolve(doc map[string]any, v any) map[string]any {
	m, _ := v.(map[string]any)
	for i := 0; i < 8 && m != nil; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		var keys []string
		for _, k := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			keys = append(keys, strings.ReplaceAll(strings.ReplaceAll(k, "~1", "/"), "~0", "~"))
		}
		m, _ = dig(doc, keys...).(map[string]any)
	}
	return m
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
