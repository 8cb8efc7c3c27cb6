package alertmanager

import (
	"context"
	"net/url"
	"sort"
	"time"

	"github.com/sourcegraph/conc/iter"

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
// whose host label names a host t runs on (a node exporter's alert), using Alertmanager
// filter matchers; every alert for a zero target. A silenced alert names its silences (whose
// creator, comment and end Mutes reads in the same round), an inhibited one the alerts
// that inhibit it. Alerts are deduplicated by fingerprint and ordered by start.
func (s *Source) Alerts(ctx context.Context, t model.Target) ([]model.Alert, error) {
	sets := [][]string{nil}
	var cut error
	if t.Name != "" {
		hs, hostCut := s.hostSets(t)
		sets, cut = append(s.filterSets(names(t)), hs...), hostCut
	}
	// The filter sets are disjoint (the service label, then each fallback where the ones
	// before it are absent), so they are asked concurrently: one round trip, not one per
	// set. Merged in set order.
	fetch := iter.Mapper[[]string, []gettableAlert]{MaxGoroutines: len(sets)}
	pages, err := fetch.MapErr(sets, func(filters *[]string) ([]gettableAlert, error) {
		var got []gettableAlert
		q := url.Values{"active": {"true"}, "silenced": {"true"}, "inhibited": {"true"}}
		if len(*filters) > 0 {
			q["filter"] = *filters
		}
		_, err := s.o.Client.GetJSON(ctx, "api/v2/alerts", q, &got)
		return got, err
	})
	if err != nil {
		return nil, wrap(err)
	}
	var out []model.Alert
	seen := map[string]bool{}
	for _, got := range pages {
		for _, a := range got {
			if !seen[a.Fingerprint] {
				seen[a.Fingerprint] = true
				out = append(out, s.alert(a))
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out, cut
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
