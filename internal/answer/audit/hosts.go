package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/directory/hosts"
	"github.com/opsctx/opsctx/internal/model"
)

// hostRules are the gaps looked for on each host, cluster or namespace that services in
// scope run on: a rule reports the detail of its finding, or "" when the host has no such
// gap. services are the services in scope that run there. A namespace is owned through its
// services, not on its own; drift is judged on hosts, which both CMDBs and telemetry list.
var hostRules = []struct {
	kind, severity string
	check          func(a *audit, h *hosts.Host, services []string) string
}{
	{"host_no_owner", "high", func(_ *audit, h *hosts.Host, svcs []string) string {
		return when(h.Kind != model.HostKindNamespace && h.Owner() == "", fmt.Sprintf("%s runs on %s %s, which no source names an owner for: nobody is known to fix it",
			strings.Join(svcs, ", "), h.Kind, h.Name))
	}},
	{"host_no_oncall", "medium", func(a *audit, h *hosts.Host, svcs []string) string {
		onCall := slices.ContainsFunc(h.Records, func(r model.Host) bool { return slices.Contains(a.o.OnCall, r.Source) })
		return when(h.Kind != model.HostKindNamespace && h.Owner() != "" && len(a.o.OnCall) > 0 && !onCall,
			fmt.Sprintf("%s runs on %s %s, owned by %s, which no on-call source (%s) knows: nobody is paged for it",
				strings.Join(svcs, ", "), h.Kind, h.Name, h.Owner(), strings.Join(a.o.OnCall, ", ")))
	}},
	{"host_telemetry_only", "medium", func(a *audit, h *hosts.Host, svcs []string) string {
		return when(h.Kind == model.HostKindHost && a.hostsDeclared && h.Observed() && !h.Declared(),
			fmt.Sprintf("%s runs on %s %s in production (%s), which no CMDB or catalog declares", strings.Join(svcs, ", "), h.Kind, h.Name,
				strings.Join(hostSources(h), ", ")))
	}},
	{"host_cmdb_only", "low", func(a *audit, h *hosts.Host, svcs []string) string {
		seen := slices.ContainsFunc(svcs, a.measured)
		return when(h.Kind == model.HostKindHost && a.hostsObserved && a.measuredAnswered && seen && h.Declared() && !h.Observed(),
			fmt.Sprintf("%s is declared to run on %s %s (%s), which telemetry never saw", strings.Join(svcs, ", "), h.Kind, h.Name,
				strings.Join(hostSources(h), ", ")))
	}},
}

// judgeHosts applies hostRules to every host a service in scope runs on, once per host.
func (a *audit) judgeHosts(inScope func(string) bool) {
	for _, h := range a.d.Hosts {
		a.hostsDeclared = a.hostsDeclared || h.Declared()
		a.hostsObserved = a.hostsObserved || h.Observed()
	}
	for _, h := range a.d.Hosts {
		svcs := slices.DeleteFunc(a.d.RunsHere(h), func(s string) bool { return !inScope(s) })
		if len(svcs) == 0 {
			continue
		}
		for _, r := range hostRules {
			if detail := r.check(a, h, svcs); detail != "" {
				a.add(Finding{Kind: r.kind, Service: svcs[0], Target: h.Name, Severity: r.severity, Detail: detail})
			}
		}
	}
}

// hostSources are the sources that have a record of h.
func hostSources(h *hosts.Host) []string {
	var out []string
	for _, r := range h.Records {
		if !slices.Contains(out, r.Source) {
			out = append(out, r.Source)
		}
	}
	return out
}
