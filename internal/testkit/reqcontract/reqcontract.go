// Package reqcontract checks the requests opsctx sends against each vendor's API reference:
// the path and method of an operation the reference has, only the query parameters it
// declares in their declared array form, enum values it lists, integers within its bounds,
// required parameters present, and the Authorization scheme it declares. Our fakes answer
// what a real API may reject or silently ignore (a misspelt parameter, statuses[] for
// statuses, an enum value that does not exist); these checks keep the requests to the
// contract. The contracts are cut from the official documents (FromSpec; kept in
// contracts/ and embedded) or, where a vendor publishes none, transcribed from its
// reference pages (each contract's "from" says which).
package reqcontract

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/opsctx/opsctx/internal/fake"
)

// A Contract is the part of a vendor's API reference that the requests opsctx sends
// must follow: for each operation they use, its method, path template, query parameters and
// the Authorization schemes it accepts. Most are cut from the vendor's official OpenAPI or
// Swagger document (see Vendors); the rest are transcribed from the reference pages.
type Contract struct {
	// From says where the operations come from.
	From string `json:"from"`
	// Operations are the operations opsctx uses, by path template.
	Operations []Op `json:"operations"`
}

// Op is one operation of a contract.
type Op struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	// Auth are the Authorization header schemes the operation accepts ("Token", "Basic");
	// empty when the document declares none.
	Auth   []string `json:"auth,omitempty"`
	Params []Param  `json:"params,omitempty"`
}

// Param is one query parameter of an operation.
type Param struct {
	Name string `json:"name"`
	// In is "header" for a request header; "" for a query parameter.
	In       string   `json:"in,omitempty"`
	Required bool     `json:"required,omitempty"`
	Enum     []string `json:"enum,omitempty"`
	// Array says how a list is sent: "repeat" (the name once per value: OpenAPI form/explode,
	// Swagger multi) or "csv" (one comma-separated value); "" for a single value.
	Array string `json:"array,omitempty"`
	// Type is "integer", "number" or "boolean" when the value must be one; Min and Max bound a
	// number.
	Type string   `json:"type,omitempty"`
	Min  *float64 `json:"min,omitempty"`
	Max  *float64 `json:"max,omitempty"`
	// Alone, when set, says the parameter must be sent without any other but these (a
	// Dynatrace nextPageKey: "you must omit all other query parameters except fields").
	Alone *[]string `json:"alone,omitempty"`
}

// Vendor names a vendor's contract file and how its requests' paths map onto it.
type Vendor struct {
	// Spec is the official document under /work/shared/contracts ("" = transcribed by hand).
	Spec string
	// Base matches the part of a request path before the document's path templates.
	Base *regexp.Regexp
	// Gateway, if set, matches a prefix under which another front serves the same operations
	// with its own Authorization schemes, GatewayAuth (the Dynatrace platform serves the
	// classic API under /platform/classic/environment-api/v2 to Bearer tokens).
	Gateway     *regexp.Regexp
	GatewayAuth []string
	// Paths, if set, are the paths of the source's requests this contract covers: a source
	// speaking two APIs has a contract for each (see Route).
	Paths *regexp.Regexp
	// words, if set, adds to the operations cut from Spec what the document says only in a
	// description.
	words func(ops []Op)
	// rules, if set, checks what the reference says of a value in words (Backstage: the
	// conditions of one filter set are ANDed).
	rules func(op Op, q url.Values) []string
}

// Vendors are the contracts of every source the demo runs, by source name (and, for a second
// API of a source, source-api).
var Vendors = map[string]Vendor{
	"pagerduty": {Spec: "pagerduty/openapiv3.json", Base: regexp.MustCompile(`^`)},
	"opsgenie":  {Spec: "opsgenie/swagger.json", Base: regexp.MustCompile(`^`)},
	"dynatrace": {Spec: "dynatrace/environment-api-v2.spec3.json", Base: regexp.MustCompile(`^(/e/[^/]+)?(/platform/classic/environment-api/v2|/api/v2)`),
		Gateway: regexp.MustCompile(`^/platform/classic/environment-api/v2/`), GatewayAuth: []string{"Bearer"}, words: dynatraceWords},
	"dynatrace-platform-slo": {Base: regexp.MustCompile(`^/platform/slo/v1`), Paths: regexp.MustCompile(`^/platform/slo/`)},
	"backstage": {Spec: "backstage/catalog-openapi.json", Base: regexp.MustCompile(`^/api/catalog`),
		rules: backstageRules},
	"alertmanager": {Spec: "alertmanager/openapi.yaml", Base: regexp.MustCompile(`^/api/v2`)},
	"prometheus":   {Spec: "prometheus/openapi-3.1.yaml", Base: regexp.MustCompile(`^/api/v1`)},
	"jsm":          {Base: regexp.MustCompile(`^(/jsm/ops/api/[^/]+)?`)},
	"servicenow":   {Base: regexp.MustCompile(`^`)},
}

// dynatraceWords: a problem's fields are a comma-separated list of evidenceDetails,
// impactAnalysis and recentComments ("for example, `evidenceDetails,impactAnalysis`"), unlike
// the entities' +name form.
func dynatraceWords(ops []Op) {
	for i := range ops {
		if !strings.HasPrefix(ops[i].Path, "/problems") {
			continue
		}
		for j, p := range ops[i].Params {
			if p.Name == "fields" {
				ops[i].Params[j].Array, ops[i].Params[j].Enum = "csv", []string{"evidenceDetails", "impactAnalysis", "recentComments"}
			}
		}
	}
}

// backstageRules: "each filter set is a number of conditions that all have to match", so a
// key given twice in one set asks for an entity whose key has two values at once; "return all
// users and groups" is filter=kind=user&filter=kind=group.
func backstageRules(op Op, q url.Values) []string {
	var out []string
	for _, set := range q["filter"] {
		seen := map[string]bool{}
		for cond := range strings.SplitSeq(set, ",") {
			key, _, _ := strings.Cut(strings.TrimSpace(cond), "=")
			if seen[strings.ToLower(key)] {
				out = append(out, fmt.Sprintf("filter %q gives %s twice in one set, whose conditions are ANDed (one filter per alternative)", set, key))
				break
			}
			seen[strings.ToLower(key)] = true
		}
	}
	return out
}

//go:embed contracts/*.json
var contracts embed.FS

// Load reads a vendor's contract (contracts/<vendor>.json).
func Load(vendor string) (Contract, error) {
	var c Contract
	b, err := contracts.ReadFile("contracts/" + vendor + ".json")
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(b, &c)
}

// Save writes a vendor's contract into this package's contracts/ in the source tree.
func Save(vendor string, c Contract) error {
	b, err := json.MarshalIndent(c, "", " ")
	if err != nil {
		return err
	}
	_, self, _, _ := runtime.Caller(0)
	return os.WriteFile(filepath.Join(filepath.Dir(self), "contracts", vendor+".json"), append(b, '\n'), 0o644)
}

// matchOp returns the index of the operation with the method whose path template matches
// path (a literal segment before a parameter one), or -1.
func matchOp(ops []Op, method, path string) int {
	best, bestScore := -1, -1
	for i, op := range ops {
		if op.Method != method {
			continue
		}
		if score, ok := matchPath(op.Path, path); ok && score > bestScore {
			best, bestScore = i, score
		}
	}
	return best
}

// matchPath reports whether path fits the template and how many of its segments are literal.
func matchPath(template, path string) (int, bool) {
	ts := strings.Split(strings.Trim(template, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return 0, false
	}
	literal := 0
	for i, t := range ts {
		switch {
		case strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}"):
			if ps[i] == "" {
				return 0, false
			}
		case t == ps[i]:
			literal++
		default:
			return 0, false
		}
	}
	return literal, true
}

// Violations says how a request breaks the contract: an operation it has no path for, an
// Authorization scheme the operation does not accept, a required parameter or header
// missing, a query parameter it does not declare, a list sent in another form than the
// declared one, a value outside the enum or bounds, a parameter that must go alone in
// company. Secrets are never named: only the Authorization scheme word.
func (c Contract) Violations(v Vendor, r fake.Request) []string {
	path := v.Base.ReplaceAllString(r.Path, "")
	i := matchOp(c.Operations, r.Method, path)
	if i < 0 {
		return []string{fmt.Sprintf("%s %s: no such operation in the contract", r.Method, path)}
	}
	op := c.Operations[i]
	if v.Gateway != nil && v.Gateway.MatchString(r.Path) {
		op.Auth = v.GatewayAuth
	}
	var out []string
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if len(op.Auth) > 0 && !slices.Contains(op.Auth, scheme) {
		out = append(out, fmt.Sprintf("Authorization scheme %q, the contract accepts %v", scheme, op.Auth))
	}
	if v.rules != nil {
		out = append(out, v.rules(op, r.Query)...)
	}
	out = append(out, op.headerViolations(r.Header)...)
	out = append(out, op.queryViolations(r.Query)...)
	for k := range out {
		out[k] = r.Method + " " + op.Path + ": " + out[k]
	}
	return out
}

// headerViolations: a declared header missing or with a value the contract does not allow.
func (op Op) headerViolations(h http.Header) []string {
	var out []string
	for _, p := range op.Params {
		if p.In != "header" {
			continue
		}
		switch v := h.Get(p.Name); {
		case v == "" && p.Required:
			out = append(out, fmt.Sprintf("required header %s missing", p.Name))
		case v != "":
			if msg := p.check(v); msg != "" {
				out = append(out, fmt.Sprintf("header %s: %q %s", p.Name, v, msg))
			}
		}
	}
	return out
}

// queryViolations: a query parameter missing, undeclared, in another array form, not alone
// when it must be, or with a value the contract does not allow.
func (op Op) queryViolations(q url.Values) []string {
	var out []string
	declared := map[string]Param{}
	for _, p := range op.Params {
		if p.In == "header" {
			continue
		}
		declared[p.Name] = p
		if _, sent := q[p.Name]; p.Required && !sent {
			out = append(out, fmt.Sprintf("required parameter %s missing", p.Name))
		}
	}
	for _, name := range sortedKeys(anyMap(q)) {
		vals := q[name]
		p, ok := declared[name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("query parameter %s is not declared (declared: %s)", name, paramNames(op.Params)))
			continue
		case len(vals) > 1 && p.Array != "repeat":
			out = append(out, fmt.Sprintf("%s sent %d times, the contract takes it once (array form %q)", name, len(vals), p.Array))
		}
		if p.Alone != nil {
			for _, other := range sortedKeys(anyMap(q)) {
				if other != name && !slices.Contains(*p.Alone, other) {
					out = append(out, fmt.Sprintf("%s sent with %s, the contract takes it alone (but for %v)", name, other, *p.Alone))
				}
			}
		}
		for _, v := range vals {
			each := []string{v}
			if p.Array == "csv" {
				each = strings.Split(v, ",")
			}
			for _, e := range each {
				if msg := p.check(e); msg != "" {
					out = append(out, fmt.Sprintf("%s=%q %s", name, e, msg))
				}
			}
		}
	}
	return out
}

// check says how one value breaks the parameter's enum, type or bounds ("" = it does not).
func (p Param) check(v string) string {
	if len(p.Enum) > 0 && !slices.Contains(p.Enum, v) {
		return fmt.Sprintf("is not one of %v", p.Enum)
	}
	switch p.Type {
	case "boolean":
		if v != "true" && v != "false" {
			return "is not a boolean"
		}
	case "integer", "number":
		n, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || (p.Type == "integer" && n != float64(int64(n))):
			return "is not an " + p.Type
		case p.Min != nil && n < *p.Min:
			return fmt.Sprintf("is below the minimum %v", *p.Min)
		case p.Max != nil && n > *p.Max:
			return fmt.Sprintf("is above the maximum %v", *p.Max)
		}
	}
	return ""
}

// Route names the contract of a source's request to path: the one of the source's second
// APIs whose Paths match, else the source's own.
func Route(source, path string) string {
	for name, v := range Vendors {
		if strings.HasPrefix(name, source+"-") && v.Paths != nil && v.Paths.MatchString(path) {
			return name
		}
	}
	return source
}

// Shape is a request's method, the path template it matched (else its path) and its sorted
// query parameter names.
func (c Contract) Shape(v Vendor, r fake.Request) string {
	path := v.Base.ReplaceAllString(r.Path, "")
	if i := matchOp(c.Operations, r.Method, path); i >= 0 {
		path = c.Operations[i].Path
	}
	return r.Method + " " + path + "?" + strings.Join(sortedKeys(anyMap(r.Query)), "&")
}

func anyMap(q url.Values) map[string]any {
	m := make(map[string]any, len(q))
	for k := range q {
		m[k] = nil
	}
	return m
}

func paramNames(ps []Param) string {
	var n []string
	for _, p := range ps {
		if p.In == "" {
			n = append(n, p.Name)
		}
	}
	return strings.Join(n, ", ")
}
