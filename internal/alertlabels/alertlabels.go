// Package alertlabels reads what Prometheus-style alert labels say about an alert: which
// service it is about, which SLO it belongs to, and which host. Prometheus and Alertmanager carry the
// same labels, so both connectors read them here, the same way.
//
// SLO tools generate alerting rules whose labels name the SLO, not a `service` label:
// Sloth's carry sloth_service, sloth_slo and sloth_id ("<service>-<slo>", the id its
// recording rules and opsctx's SLO names use); Pyrra's carry slo (the SLO's name) and the
// equality matchers of its selector (often job).
package alertlabels

import (
	"regexp"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
)

// The labels SLO tools put on their alerts.
const (
	SlothService = "sloth_service"
	SlothID      = "sloth_id"
	SlothSLO     = "sloth_slo"
	PyrraSLO     = "slo"
)

// ServiceLabels are the labels that name an alert's service, in order of precedence: the
// configured service label, Sloth's sloth_service (the SLO tool's explicit statement), then
// the fallbacks (job, app, ...).
func ServiceLabels(service string, fallbacks []string) []string {
	out := []string{service}
	for _, l := range append([]string{SlothService}, fallbacks...) {
		if l != service && !contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// Service is the service the labels name: the value of the first of ServiceLabels present.
func Service(labels map[string]string, service string, fallbacks []string) string {
	for _, l := range ServiceLabels(service, fallbacks) {
		if v := labels[l]; v != "" {
			return v
		}
	}
	return ""
}

// SLO is the SLO an SLO tool's alert belongs to, by the name opsctx's SLOs carry: Sloth's
// sloth_id, else Pyrra's slo label; "" for other alerts.
func SLO(labels map[string]string) string {
	if v := labels[SlothID]; v != "" {
		return v
	}
	if labels[SlothService] != "" && labels[SlothSLO] != "" {
		return labels[SlothService] + "-" + labels[SlothSLO]
	}
	return labels[PyrraSLO]
}

func contains(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// DefaultHostLabels are the labels that name the host an alert is about, most specific
// first: node exporters' instance ("app-01.shop.example:9100"), Kubernetes' node, and the
// host or nodename labels some exporters and relabelling rules set.
var DefaultHostLabels = []string{"instance", "node", "host", "nodename"}

// Host is the host the labels name, as written (a port kept): the value of the first of
// hostLabels (nil: DefaultHostLabels) present.
func Host(labels map[string]string, hostLabels []string) string {
	if hostLabels == nil {
		hostLabels = DefaultHostLabels
	}
	for _, l := range hostLabels {
		if v := labels[l]; v != "" {
			return v
		}
	}
	return ""
}

// HostNames are the names t's hosts (its Hosts of kind host) go by in labels: every record's
// name, FQDN and addresses. Clusters and namespaces are not matched by host labels.
func HostNames(t model.Target) []string {
	var out []string
	for _, h := range t.Hosts {
		for _, r := range h.Records {
			if r.Type != "" && r.Type != model.HostKindHost {
				continue
			}
			for _, n := range append([]string{r.Name}, r.Aliases...) {
				if n = strings.ToLower(strings.TrimSpace(n)); n != "" && !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
	}
	return out
}

// HostPattern is a regular expression matching a host label value that names one of names:
// the name itself, an address (an IPv6 one in brackets or not), a short name followed by
// any domain, each with an optional port; case is ignored. The whole value must match, as
// Alertmanager anchors its matchers (HostMatch anchors it for local matching). "" for no names.
func HostPattern(names []string) string {
	if len(names) == 0 {
		return ""
	}
	alts := make([]string, 0, len(names))
	for _, n := range names {
		q := regexp.QuoteMeta(n)
		switch {
		case strings.Contains(n, ":"): // IPv6
			q = `\[?` + q + `\]?`
		case !strings.Contains(n, "."): // a short name: any domain
			q += `(?:\.[^:]+)?`
		}
		alts = append(alts, q)
	}
	return `(?i:(?:` + strings.Join(alts, "|") + `)(?::[0-9]+)?)`
}

// HostMatch returns a matcher of host label values for names (see HostPattern); nil for no names.
func HostMatch(names []string) func(string) bool {
	p := HostPattern(names)
	if p == "" {
		return nil
	}
	re := regexp.MustCompile(`^` + p + `$`)
	return re.MatchString
}
