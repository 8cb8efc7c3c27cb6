package alertmanager

import (
	"regexp"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// names returns the names t and its Related services may carry as label values: each
// canonical name and every record's name and aliases. Record ids (catalog refs, entity
// ids) and titles are left out: labels do not use them, and they would only lengthen the
// request URL. Names are deduplicated without case, since the filter ignores case.
func names(t model.Target) []string {
	var out []string
	add := func(n string) {
		if n = strings.TrimSpace(n); n != "" && !slices.ContainsFunc(out, func(x string) bool { return strings.EqualFold(x, n) }) {
			out = append(out, n)
		}
	}
	for _, x := range append([]model.Target{t}, t.Related...) {
		add(x.Name)
		for _, r := range x.Records {
			add(r.Name)
			for _, a := range r.Aliases {
				add(a)
			}
		}
	}
	return out
}

// quoteValue renders a matcher value in double quotes, escaping \ and " and newlines.
func quoteValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}

// anyOf is a regex matching exactly one of names, ignoring case.
func anyOf(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = regexp.QuoteMeta(n)
	}
	return "(?i:" + strings.Join(q, "|") + ")"
}

// filterSets returns the filter matcher sets that select the alerts of names: the service
// label matches, or it is absent and the first present fallback label matches. Each set
// is one request (Alertmanager ANDs the matchers of one request).
func (s *Source) filterSets(names []string) [][]string {
	re := quoteValue(anyOf(names))
	sets := [][]string{{s.o.Labels.Service + "=~" + re}}
	absent := []string{s.o.Labels.Service + `=""`}
	for _, fb := range s.o.Fallbacks {
		if fb == s.o.Labels.Service {
			continue
		}
		sets = append(sets, append(slices.Clone(absent), fb+"=~"+re))
		absent = append(absent, fb+`=""`)
	}
	return sets
}

// service is the service an alert's labels name: the service label, else a fallback.
func (s *Source) service(labels map[string]string) string {
	if v := labels[s.o.Labels.Service]; v != "" {
		return v
	}
	for _, fb := range s.o.Fallbacks {
		if v := labels[fb]; v != "" {
			return v
		}
	}
	return ""
}
