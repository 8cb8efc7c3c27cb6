package alertmanager

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/alertlabels"
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
// (Alertmanager ANDs the matchers of one request).
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

// maxHostNames bounds the host names one answer's host matchers carry (a host goes by its
// name, FQDN and addresses), so that a service on many hosts keeps its request URL within
// what proxies accept.
const maxHostNames = 96

// hostSets returns the filter matcher sets that select the alerts about the hosts t runs on:
// no service label, and a host label (each its own set) naming one of the hosts. Beyond
// maxHostNames names, the rest are not asked and the *connectors.Incomplete says so.
func (s *Source) hostSets(t model.Target) ([][]string, error) {
	hosts := alertlabels.HostNames(t)
	var cut error
	if len(hosts) > maxHostNames {
		cut = &connectors.Incomplete{What: "alerts on the hosts the service runs on",
			Why: fmt.Sprintf("%d host names, the first %d asked", len(hosts), maxHostNames)}
		hosts = hosts[:maxHostNames]
	}
	p := alertlabels.HostPattern(hosts)
	if p == "" {
		return nil, nil
	}
	var sets [][]string
	for _, l := range s.hostLabels() {
		sets = append(sets, []string{s.o.Labels.Service + `=""`, l + "=~" + quoteValue(p)})
	}
	return sets, cut
}

// hostLabels are the labels that name an alert's host, most specific first.
func (s *Source) hostLabels() []string {
	if s.o.Labels.Hosts == nil {
		return alertlabels.DefaultHostLabels
	}
	return s.o.Labels.Hosts
}

// serviceLabels are the labels that name an alert's service, in order of precedence.
func (s *Source) serviceLabels() []string {
	return alertlabels.ServiceLabels(s.o.Labels.Service, s.o.Fallbacks)
}

// service is the service an alert's labels name (see serviceLabels).
func (s *Source) service(labels map[string]string) string {
	return alertlabels.Service(labels, s.o.Labels.Service, s.o.Fallbacks)
}
