package alertmanager

import (
	"context"
	"net/url"
	"sort"
	"time"

	"github.com/opsctx/opsctx/internal/alertlabels"
	"github.com/opsctx/opsctx/internal/model"
)

// alertStatus is the v2 alertStatus (mutedBy exists from v0.27).
type alertStatus struct {
	State       string   `json:"state"`
	SilencedBy  []string `json:"silencedBy"`
	InhibitedBy []string `json:"inhibitedBy"`
	MutedBy     []string `json:"mutedBy"`
}

// gettableAlert is the v2 gettableAlert, limited to what opsctx reads.
type gettableAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	Fingerprint  string            `json:"fingerprint"`
	StartsAt     time.Time         `json:"startsAt"`
	GeneratorURL string            `json:"generatorURL"`
	Status       alertStatus       `json:"status"`
}

// Alerts returns the active, silenced and inhibited alerts whose service label (or
// fallback label) names t or one of its Related services, and those without a service label
// whose host label names a host t runs on (a node exporter's alert); every alert for a zero
// target. A silenced alert names its silences (whose creator, comment and end Mutes reads in
// the same round), an inhibited one the alerts that inhibit it. Alerts are deduplicated by
// fingerprint and ordered by start.
//
// One request reads every alert and the selection runs here (alertlabels.Selector, as
// Alertmanager's filter matchers would select): Alertmanager ANDs the matchers of a request,
// so asking it to filter takes one request per service label and host label, each a
// connection and a decoding on both ends, for the same alerts (as Prometheus, which cannot
// filter, is read).
func (s *Source) Alerts(ctx context.Context, t model.Target) ([]model.Alert, error) {
	var got []gettableAlert
	q := url.Values{"active": {"true"}, "silenced": {"true"}, "inhibited": {"true"}}
	if _, err := s.o.Client.GetJSON(ctx, "api/v2/alerts", q, &got); err != nil {
		return nil, wrap(err)
	}
	sel := alertlabels.NewSelector(t, s.o.Labels.Service, s.o.Fallbacks, s.o.Labels.Hosts)
	var out []model.Alert
	seen := map[string]bool{}
	for _, a := range got {
		if !seen[a.Fingerprint] && sel.Selects(a.Labels) {
			seen[a.Fingerprint] = true
			out = append(out, s.alert(a))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out, nil
}

// alert maps a gettableAlert.
func (s *Source) alert(a gettableAlert) model.Alert {
	title := a.Annotations["summary"]
	if title == "" {
		title = a.Labels["alertname"]
	}
	runbook := a.Annotations["runbook_url"]
	if runbook == "" {
		runbook = a.Annotations["runbook"]
	}
	return model.Alert{
		ID: a.Fingerprint, Title: title, Service: s.service(a.Labels), Host: alertlabels.Host(a.Labels, s.o.Labels.Hosts),
		Severity: a.Labels[s.o.Labels.Severity],
		Status:   stateOf(a.Status), DedupKey: a.Fingerprint, StartedAt: a.StartsAt.UTC(), Labels: a.Labels,
		Description: a.Annotations["description"], RunbookURL: runbook, Source: SourceName, URL: a.GeneratorURL,
		Notifier: true, SilencedBy: a.Status.SilencedBy, InhibitedBy: a.Status.InhibitedBy, MutedBy: a.Status.MutedBy, SLO: alertlabels.SLO(a.Labels),
	}
}

// stateOf maps the v2 status: silenced, inhibited, muted (by a time interval, or
// suppressed for a reason the version does not say) or firing (active and unprocessed).
func stateOf(st alertStatus) model.AlertState {
	switch {
	case len(st.SilencedBy) > 0:
		return model.AlertSilenced
	case len(st.InhibitedBy) > 0:
		return model.AlertInhibited
	case len(st.MutedBy) > 0 || st.State == "suppressed":
		return model.AlertMuted
	}
	return model.AlertFiring
}
