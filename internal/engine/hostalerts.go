package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/directory/hosts"
	"github.com/opsctx/opsctx/internal/model"
)

// hostLabels are the alert labels that name the machine an alert is about, as exporters
// and Kubernetes write them.
var hostLabels = []string{"instance", "node", "host", "hostname", "nodename", "pod"}

// alertedHere finds the services whose open alerts name the host in a label, for a host no
// catalog places a service on: an "instance", "node", "host", "hostname", "nodename" or
// "pod" label naming it (any form ParseHostName accepts; short names match FQDNs whose
// domain does not disagree), or, for "namespace/workload", a "namespace" label with a pod,
// deployment, job or container label naming the workload. Only alerts that carry a service
// label known to the directory count.
func alertedHere(d *directory.Directory, alerts []model.Alert, input string) []hostMatch {
	var ms []hostMatch
	for _, a := range alerts {
		label, ok := labelNaming(a.Labels, input)
		if !ok || a.Service == "" {
			continue
		}
		e := d.Entity(d.Canonical(a.Source, a.Service))
		if e == nil || slices.ContainsFunc(ms, func(m hostMatch) bool { return m.ent == e }) {
			continue
		}
		ms = append(ms, hostMatch{ent: e, source: a.Source,
			via: fmt.Sprintf("alert label %s=%s on %q (%s), whose service label is %s", label, a.Labels[label], a.Title, a.Source, a.Service)})
	}
	return ms
}

// labelNaming returns the label of labels that names input, if one does.
func labelNaming(labels map[string]string, input string) (string, bool) {
	if ns, wl, ok := strings.Cut(input, "/"); ok && !strings.ContainsAny(input, ":@") {
		if !strings.EqualFold(labels["namespace"], ns) {
			return "", false
		}
		for _, l := range []string{"deployment", "job", "container", "pod"} {
			v := strings.ToLower(labels[l])
			if v == strings.ToLower(wl) || (l == "pod" && strings.HasPrefix(v, strings.ToLower(wl)+"-")) {
				return l, true
			}
		}
		return "", false
	}
	want := hosts.ParseHostName(input)
	if want.Full == "" {
		return "", false
	}
	for _, l := range hostLabels {
		if v, ok := labels[l]; ok && sameHost(hosts.ParseHostName(v), want) {
			return l, true
		}
	}
	return "", false
}

// sameHost reports whether two parsed host names name one machine: equal, or the same
// short name where at most one carries a domain.
func sameHost(a, b hosts.HostName) bool {
	switch {
	case a.Full == "" || b.Full == "":
		return false
	case a.Full == b.Full:
		return true
	case a.IP || b.IP:
		return false
	}
	return a.Short == b.Short && (a.Domain() == "" || b.Domain() == "")
}
