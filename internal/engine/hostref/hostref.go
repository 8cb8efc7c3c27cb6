// Package hostref resolves a host reference — a host name, FQDN or address in any form an
// alert label carries it, a host record's id, a Kubernetes namespace/workload — to the
// services running there, with how each was found. It is pure: it reads the directory and
// alerts it is given.
package hostref

import (
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/directory/hosts"
	"github.com/opsctx/opsctx/internal/model"
)

// Match is one service a host reference leads to, with how.
type Match struct {
	Entity *directory.Entity
	Via    string // "runs on host db-prod-01 (servicenow Runs on::Runs)"
	Source string // the source that placed it there
}

// Lookup resolves a host reference to the services that run there: a host name, FQDN
// or address, a host record's id (a CI sys_id, a Dynatrace HOST-… id) through the directory's
// host index and runs-on edges, or a Kubernetes workload ("namespace/id" or "id") through the
// catalogs' backstage.io/kubernetes-id annotations and Dynatrace namespaces. named are the
// hosts it named (for the error when nothing runs there).
func Lookup(d *directory.Directory, input string) (ms []Match, named []*hosts.Host) {
	add := func(e *directory.Entity, via, source string) {
		if e == nil || slices.ContainsFunc(ms, func(m Match) bool { return m.Entity == e }) {
			return
		}
		ms = append(ms, Match{Entity: e, Via: via, Source: source})
	}
	// namespace/workload: one slash, no scheme or port (a URL is a host's).
	ns, workload, isWorkload := strings.Cut(input, "/")
	isWorkload = isWorkload && ns != "" && workload != "" && !strings.ContainsAny(input, ":@") && !strings.Contains(workload, "/")
	if !isWorkload {
		named = d.LookupHost(input)
		for _, h := range named {
			for _, name := range d.RunsHere(h) {
				via, src := placement(d, name, h)
				add(d.Entity(name), via, src)
			}
		}
	}
	for _, w := range d.LookupWorkload(input) {
		via := "annotation backstage.io/kubernetes-id " + w.ID
		if w.Namespace != "" {
			via += " in namespace " + w.Namespace
		}
		add(w.Entity, via+" ("+w.Source+")", w.Source)
	}
	if isWorkload && len(ms) == 0 {
		// A Dynatrace namespace: the services running in it whose name is the workload's.
		for _, h := range d.LookupHost(ns) {
			if h.Kind != model.HostKindNamespace {
				continue
			}
			for _, name := range d.RunsHere(h) {
				if e := d.Entity(name); e != nil && entityCalled(e, workload) {
					via, src := placement(d, name, h)
					add(e, via, src)
				}
			}
		}
	}
	return ms, named
}

// placement says how the service runs on h ("runs on host db-prod-01 (servicenow Runs
// on::Runs)", or through a node of a cluster) and the source that states it.
func placement(d *directory.Directory, service string, h *hosts.Host) (string, string) {
	for _, p := range d.RunsOn(service) {
		if p.Host != h {
			continue
		}
		via := strings.Join(p.Sources, ", ") + " " + strings.Join(p.Via, ", ")
		if p.Through != "" {
			return fmt.Sprintf("runs on %s %s through %s (%s)", h.Kind, h.Name, p.Through, via), p.Sources[0]
		}
		return fmt.Sprintf("runs on %s %s (%s)", h.Kind, h.Name, via), p.Sources[0]
	}
	return fmt.Sprintf("runs on %s %s", h.Kind, h.Name), h.Records[0].Source
}

// entityCalled reports whether one of e's records is called name (its name or id).
func entityCalled(e *directory.Entity, name string) bool {
	if strings.EqualFold(e.Name, name) {
		return true
	}
	return slices.ContainsFunc(e.Records, func(r model.Service) bool {
		return strings.EqualFold(r.Name, name) || strings.EqualFold(r.ID, name)
	})
}

// hostLabels are the alert labels that name the machine an alert is about, as exporters
// and Kubernetes write them.
var hostLabels = []string{"instance", "node", "host", "hostname", "nodename", "pod"}

// Alerted finds the services whose open alerts name the host in a label, for a host no
// catalog places a service on: an "instance", "node", "host", "hostname", "nodename" or
// "pod" label naming it (any form ParseHostName accepts; short names match FQDNs whose
// domain does not disagree), or, for "namespace/workload", a "namespace" label with a pod,
// deployment, job or container label naming the workload. Only alerts that carry a service
// label known to the directory count.
func Alerted(d *directory.Directory, alerts []model.Alert, input string) []Match {
	var ms []Match
	for _, a := range alerts {
		label, ok := labelNaming(a.Labels, input)
		if !ok || a.Service == "" {
			continue
		}
		e := d.Entity(d.Canonical(a.Source, a.Service))
		if e == nil || slices.ContainsFunc(ms, func(m Match) bool { return m.Entity == e }) {
			continue
		}
		ms = append(ms, Match{Entity: e, Source: a.Source,
			Via: fmt.Sprintf("alert label %s=%s on %q (%s), whose service label is %s", label, a.Labels[label], a.Title, a.Source, a.Service)})
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
