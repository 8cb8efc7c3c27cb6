package alertmanager

import (
	"regexp"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/alertlabels"
)

var valueEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// quoteValue renders a matcher value in double quotes, escaping \ and " and newlines.
func quoteValue(v string) string {
	return `"` + valueEscaper.Replace(v) + `"`
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
// label matches, or it is absent and the first present of the other service labels (Sloth's
// sloth_service, the fallbacks) matches; plus the alerts of Pyrra's SLOs that name no
// service at all, which the answer attributes through their SLO. Each set is one request
// (Alertmanager ANDs the matchers of one request); Groups asks them, Alerts selects the same
// alerts from one listing (alertlabels.Selector).
func (s *Source) filterSets(names []string) [][]string {
	re := quoteValue(anyOf(names))
	var sets [][]string
	var absent []string
	for _, l := range s.serviceLabels() {
		sets = append(sets, append(slices.Clone(absent), l+"=~"+re))
		absent = append(absent, l+`=""`)
	}
	return append(sets, append(absent, alertlabels.PyrraSLO+`=~".+"`))
}

// serviceLabels are the labels that name an alert's service, in order of precedence.
func (s *Source) serviceLabels() []string {
	return alertlabels.ServiceLabels(s.o.Labels.Service, s.o.Fallbacks)
}

// service is the service an alert's labels name (see serviceLabels).
func (s *Source) service(labels map[string]string) string {
	return alertlabels.Service(labels, s.o.Labels.Service, s.o.Fallbacks)
}
