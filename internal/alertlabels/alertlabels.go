// Package alertlabels reads what Prometheus-style alert labels say about an alert: which
// service it is about and which SLO it belongs to. Prometheus and Alertmanager carry the
// same labels, so both connectors read them here, the same way.
//
// SLO tools generate alerting rules whose labels name the SLO, not a `service` label:
// Sloth's carry sloth_service, sloth_slo and sloth_id ("<service>-<slo>", the id its
// recording rules and opsctx's SLO names use); Pyrra's carry slo (the SLO's name) and the
// equality matchers of its selector (often job).
package alertlabels

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
