package model

import (
	"slices"
	"strings"
)

// A source name names one configured instance of a source kind: the kind alone
// ("prometheus") for a kind's single unnamed instance, or kind/instance
// ("prometheus/eu-west-1") for a named one. Every item a source returns carries it in its
// Source field, so an answer can always tell two clusters or tenants apart.

// SourceName returns the name of the instance of kind: kind alone when instance is "".
func SourceName(kind, instance string) string {
	if instance == "" {
		return kind
	}
	return kind + "/" + instance
}

// SourceKind returns the kind of a source name: "prometheus" for "prometheus/eu-west-1".
func SourceKind(name string) string {
	kind, _, _ := strings.Cut(name, "/")
	return kind
}

// SourceInstance returns the instance of a source name: "eu-west-1" for
// "prometheus/eu-west-1", "" for an unnamed instance.
func SourceInstance(name string) string {
	_, inst, _ := strings.Cut(name, "/")
	return inst
}

// InstancesAnnotation pins a catalog component to instances: a comma-separated list of
// source names (dynatrace/prod, alertmanager/eu-west-1). For each kind it names, only the
// listed instances hold the component's records and signals; kinds it does not name are
// not restricted.
const InstancesAnnotation = "opsctx.io/instances"

// Pins returns the instances the service is pinned to, as source names (nil: none).
func (s Service) Pins() []string {
	v := s.Annotations[InstancesAnnotation]
	if v == "" {
		return nil
	}
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Serves reports whether source may hold records and signals of a service with these pins:
// true unless the pins name source's kind without naming source itself.
func Serves(pins []string, source string) bool {
	kind, named := SourceKind(source), false
	for _, p := range pins {
		if p == source {
			return true
		}
		named = named || SourceKind(p) == kind
	}
	return !named
}
