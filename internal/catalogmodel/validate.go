package catalogmodel

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// FieldError is a problem with one field of an entity, named by its path, e.g. "spec.owner".
type FieldError struct {
	Field string
	Msg   string
}

// Error returns "field: message".
func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

const maxNameLen = 63

var (
	nameRE      = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	namespaceRE = regexp.MustCompile(`^[a-z0-9]+(-+[a-z0-9]+)*$`)
	kindRE      = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*$`)
)

// knownAPIVersions are the apiVersions the built-in kinds accept.
var knownAPIVersions = map[string]bool{"backstage.io/v1alpha1": true, "backstage.io/v1beta1": true}

// kindRules lists, per built-in kind (lowercase), the required spec strings, the
// optional spec strings, the optional spec string lists, and the required spec lists.
var kindRules = map[string]struct{ reqStr, optStr, optList, reqList []string }{
	"component": {
		reqStr:  []string{"type", "lifecycle", "owner"},
		optStr:  []string{"system", "subcomponentOf"},
		optList: []string{"providesApis", "consumesApis", "dependsOn", "dependencyOf"},
	},
	"resource": {
		reqStr:  []string{"type", "owner"},
		optStr:  []string{"system"},
		optList: []string{"dependsOn", "dependencyOf"},
	},
	"system": {reqStr: []string{"owner"}, optStr: []string{"domain", "type"}},
	"domain": {reqStr: []string{"owner"}, optStr: []string{"subdomainOf", "type"}},
	"api": {
		reqStr: []string{"type", "lifecycle", "owner", "definition"},
		optStr: []string{"system"},
	},
	"group": {
		reqStr:  []string{"type"},
		optStr:  []string{"parent"},
		optList: []string{"members"},
		reqList: []string{"children"},
	},
	"user":     {optList: []string{"memberOf"}},
	"location": {optStr: []string{"type", "target", "presence"}, optList: []string{"targets"}},
}

// refFields are the spec fields holding entity refs, with the kind assumed when a ref names none.
var refFields = map[string]string{
	"owner": "group", "system": "system", "domain": "domain", "subdomainOf": "domain",
	"subcomponentOf": "component", "parent": "group", "children": "group", "members": "user",
	"memberOf": "group", "dependsOn": "component", "dependencyOf": "component",
	"providesApis": "api", "consumesApis": "api",
}

// Validate checks one entity against the Backstage catalog-model rules: the envelope
// (apiVersion, kind, metadata.name and namespace formats), links, relations, and the spec
// of the built-in kinds (Component, Resource, System, Domain, API, Group, User, Location).
// Other kinds get envelope checks only. Every problem is reported as a *FieldError
// naming the field; several are joined with errors.Join.
func Validate(e Entity) error {
	c := checker{}
	c.envelope(e)
	c.spec(e)
	for i, r := range e.Relations {
		if r.Type == "" {
			c.fail(fmt.Sprintf("relations[%d].type", i), "required")
		}
		if r.TargetRef == "" {
			c.fail(fmt.Sprintf("relations[%d].targetRef", i), "required")
		}
	}
	return errors.Join(c.errs...)
}

type checker struct{ errs []error }

func (c *checker) fail(field, format string, args ...any) {
	c.errs = append(c.errs, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) envelope(e Entity) {
	if e.APIVersion == "" {
		c.fail("apiVersion", "required")
	}
	switch {
	case e.Kind == "":
		c.fail("kind", "required")
	case len(e.Kind) > maxNameLen || !kindRE.MatchString(e.Kind):
		c.fail("kind", "%q is not a valid kind (letters and digits, starting with a letter)", e.Kind)
	}
	if _, builtin := kindRules[strings.ToLower(e.Kind)]; builtin && e.APIVersion != "" && !knownAPIVersions[e.APIVersion] {
		c.fail("apiVersion", "%q is not valid for kind %s, want backstage.io/v1alpha1", e.APIVersion, e.Kind)
	}
	md := e.Metadata
	switch {
	case md.Name == "":
		c.fail("metadata.name", "required")
	case len(md.Name) > maxNameLen:
		c.fail("metadata.name", "%q is longer than %d characters", md.Name, maxNameLen)
	case !nameRE.MatchString(md.Name):
		c.fail("metadata.name", "%q is not a valid name (letters, digits, '-', '_' and '.', starting and ending with a letter or digit)", md.Name)
	}
	if md.Namespace != "" && (len(md.Namespace) > maxNameLen || !namespaceRE.MatchString(md.Namespace)) {
		c.fail("metadata.namespace", "%q is not a valid namespace (lowercase letters, digits and '-')", md.Namespace)
	}
	for i, t := range md.Tags {
		if t == "" {
			c.fail(fmt.Sprintf("metadata.tags[%d]", i), "must not be empty")
		}
	}
	for i, l := range md.Links {
		if l.URL == "" {
			c.fail(fmt.Sprintf("metadata.links[%d].url", i), "required")
		}
	}
}

func (c *checker) spec(e Entity) {
	kind := strings.ToLower(e.Kind)
	rules, builtin := kindRules[kind]
	if !builtin {
		return
	}
	if e.Spec == nil {
		if kind != "user" {
			c.fail("spec", "required")
		}
		return
	}
	ns := e.Metadata.Namespace
	for _, k := range rules.reqStr {
		c.str(e.Spec, k, ns, true)
	}
	for _, k := range rules.optStr {
		c.str(e.Spec, k, ns, false)
	}
	for _, k := range rules.reqList {
		c.list(e.Spec, k, ns, true)
	}
	for _, k := range rules.optList {
		c.list(e.Spec, k, ns, false)
	}
	if p, ok := e.Spec["profile"]; ok && (kind == "group" || kind == "user") {
		pm, ok := p.(map[string]any)
		if !ok {
			c.fail("spec.profile", "must be a mapping, got %s", describe(p))
		}
		for _, k := range []string{"displayName", "email", "picture"} {
			if v, ok := pm[k]; ok {
				if _, ok := v.(string); !ok {
					c.fail("spec.profile."+k, "must be a string, got %s", describe(v))
				}
			}
		}
	}
	if p := e.SpecString("presence"); kind == "location" && p != "" && p != "required" && p != "optional" {
		c.fail("spec.presence", "%q is not valid, want required or optional", p)
	}
}

func (c *checker) str(spec map[string]any, key, ns string, required bool) {
	field := "spec." + key
	v, ok := spec[key]
	if !ok || v == nil {
		if required {
			c.fail(field, "required")
		}
		return
	}
	s, ok := v.(string)
	switch {
	case !ok:
		c.fail(field, "must be a string, got %s", describe(v))
	case s == "":
		c.fail(field, "must not be empty")
	default:
		c.ref(field, s, key, ns)
	}
}

func (c *checker) list(spec map[string]any, key, ns string, required bool) {
	field := "spec." + key
	v, ok := spec[key]
	if !ok || v == nil {
		if required {
			c.fail(field, "required (may be an empty list)")
		}
		return
	}
	l, ok := v.([]any)
	if !ok {
		c.fail(field, "must be a list of strings, got %s", describe(v))
		return
	}
	for i, it := range l {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, ok := it.(string)
		switch {
		case !ok:
			c.fail(f, "must be a string, got %s", describe(it))
		case s == "":
			c.fail(f, "must not be empty")
		default:
			c.ref(f, s, key, ns)
		}
	}
}

// ref checks that s parses as an entity ref when key is a ref field.
func (c *checker) ref(field, s, key, ns string) {
	kind, ok := refFields[key]
	if !ok {
		return
	}
	if _, err := ParseRefIn(s, kind, ns); err != nil {
		c.fail(field, "%v", err)
	}
}
