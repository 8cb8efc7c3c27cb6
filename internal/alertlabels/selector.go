package alertlabels

import (
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// Names returns the names t and its Related services may carry as label values: each
// canonical name and every record's name and aliases, trimmed. Record ids (catalog refs,
// entity ids) and titles are left out: labels do not use them. Names are deduplicated
// without case, since alerts are matched without case.
func Names(t model.Target) []string {
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

// Selector tells which alerts are about a target, by their labels, as Alertmanager's filter
// matchers select them (anchored, case ignored; see NewSelector). The zero Selector selects
// every alert.
type Selector struct {
	named      bool
	names      []string
	service    string
	fallbacks  []string
	hostLabels []string
	onHost     func(string) bool
}

// NewSelector returns the Selector of the alerts about t (every alert for a zero target):
// those whose service (see Service: the service label, else Sloth's sloth_service, else a
// fallback) is one of Names(t); those naming no service that carry Pyrra's slo label (the
// answer attributes them through their SLO); and those without a service label (the
// configured one) whose host label, any of hostLabels (nil: DefaultHostLabels), names a host
// t runs on (HostMatch).
func NewSelector(t model.Target, service string, fallbacks, hostLabels []string) Selector {
	if t.Name == "" {
		return Selector{}
	}
	if hostLabels == nil {
		hostLabels = DefaultHostLabels
	}
	return Selector{named: true, names: Names(t), service: service, fallbacks: fallbacks, hostLabels: hostLabels,
		onHost: HostMatch(HostNames(t))}
}

// Selects reports whether the alert with these labels is about the Selector's target.
func (s Selector) Selects(labels map[string]string) bool {
	if !s.named {
		return true
	}
	svc := Service(labels, s.service, s.fallbacks)
	if svc != "" {
		if slices.ContainsFunc(s.names, func(n string) bool { return strings.EqualFold(n, svc) }) {
			return true
		}
	} else if v := labels[PyrraSLO]; v != "" && !strings.Contains(v, "\n") { // slo=~".+"
		return true
	}
	if s.onHost == nil || labels[s.service] != "" {
		return false
	}
	return slices.ContainsFunc(s.hostLabels, func(l string) bool { return s.onHost(labels[l]) })
}
