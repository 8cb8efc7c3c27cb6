package fetch

import (
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// Environment narrows an answer to the source instances it names: instance names
// ("eu-west-1") or source names ("alertmanager/eu-west-1"). A source kind with an instance
// the environment names is asked only there; a kind it names no instance of is asked as
// usual (an environment "prod" narrows Dynatrace to its prod tenant and leaves a single
// PagerDuty alone). Catalogs are always read: they say what exists.
type Environment []string

// ParseEnvironment splits a comma- or space-separated list of names.
func ParseEnvironment(s string) Environment {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// names reports whether the environment names the source (by instance or source name).
func (e Environment) names(source string) bool {
	inst := model.SourceInstance(source)
	return slices.ContainsFunc(e, func(n string) bool { return n == source || inst != "" && n == inst })
}

// Selects reports whether source is asked under the environment, among every source.
func (e Environment) Selects(source string, all []string) bool {
	if len(e) == 0 || e.names(source) {
		return true
	}
	kind := model.SourceKind(source)
	return !slices.ContainsFunc(all, func(s string) bool { return model.SourceKind(s) == kind && e.names(s) })
}

// Unknown returns the names that name no source of all.
func (e Environment) Unknown(all []string) []string {
	var out []string
	for _, n := range e {
		if !slices.ContainsFunc(all, func(s string) bool { return Environment{n}.names(s) }) {
			out = append(out, n)
		}
	}
	return out
}

// Within narrows the round's per-service fetches (Gather, FindIncident) to the sources the
// environment selects; the others are reported as skipped.
func (r *Round) Within(env Environment) { r.env = env }

// selected returns the sources of srcs the round's environment selects.
func (r *Round) selected(srcs []string) func(string) bool {
	return func(s string) bool { return r.env.Selects(s, srcs) }
}
