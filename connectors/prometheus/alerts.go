package prometheus

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/alertlabels"
	"github.com/opsctx/opsctx/internal/model"
)

// alert is an active alert of /api/v1/alerts and /api/v1/rules.
type alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
	ActiveAt    time.Time         `json:"activeAt"`
}

// Alerts returns the firing and pending alerts whose service label (or fallback label) names
// t or one of its Related services, and those without a service label whose host label
// names a host t runs on; every alert for a zero target. A pending alert fires
// when its rule's `for` runs out (FiresAt), which the rule listing Warm keeps tells; while
// it is not kept yet (a cold start), a pending alert waits for that listing — the one
// Warm or the SLOs are reading at the same time, or one read now — rather than drop its
// time. Prometheus cannot filter /api/v1/alerts, so the filter runs here.
func (s *Source) Alerts(ctx context.Context, t model.Target) ([]model.Alert, error) {
	var data struct {
		Alerts []alert `json:"alerts"`
	}
	if err := get(ctx, s.o.Client, "api/v1/alerts", nil, &data); err != nil {
		return nil, err
	}
	sel := alertlabels.NewSelector(t, s.o.Labels.Service, s.o.Fallbacks, s.o.Labels.Hosts)
	var out []model.Alert
	for _, a := range data.Alerts {
		// The alerts of t, as the Alertmanager connector selects them: a Pyrra SLO's alert
		// that names no service is kept (the answer attributes it through its SLO), and so is
		// an alert without a service label whose host label names a host t runs on.
		if a.State != "firing" && a.State != "pending" || !sel.Selects(a.Labels) {
			continue
		}
		if a.State == "pending" {
			s.knowFors(ctx)
		}
		out = append(out, s.alert(a))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedAt.Before(out[j].StartedAt) })
	return out, nil
}

// names returns the lower-cased names t and its Related services may carry as label
// values: each canonical name and every record's name and aliases (as alertlabels.Names;
// record ids and titles are not label values).
func names(t model.Target) map[string]bool {
	want := map[string]bool{}
	if t.Name == "" {
		return want
	}
	for _, x := range append([]model.Target{t}, t.Related...) {
		want[strings.ToLower(x.Name)] = true
		for _, r := range x.Records {
			want[strings.ToLower(r.Name)] = true
			for _, a := range r.Aliases {
				want[strings.ToLower(a)] = true
			}
		}
	}
	return want
}

// service is the service an alert's labels name: the service label, else Sloth's
// sloth_service, else a fallback.
func (s *Source) service(labels map[string]string) string {
	return alertlabels.Service(labels, s.o.Labels.Service, s.o.Fallbacks)
}

// hostOf is the host an alert's labels name (see alertlabels.Host).
func (s *Source) hostOf(labels map[string]string) string {
	return alertlabels.Host(labels, s.o.Labels.Hosts)
}

// alert maps an active alert; its id is the Alertmanager fingerprint of its labels.
func (s *Source) alert(a alert) model.Alert {
	title := a.Annotations["summary"]
	if title == "" {
		title = a.Labels["alertname"]
	}
	runbook := a.Annotations["runbook_url"]
	if runbook == "" {
		runbook = a.Annotations["runbook"]
	}
	fp := Fingerprint(a.Labels)
	link, _ := s.o.Client.URL("graph", url.Values{
		"g0.expr": {`ALERTS{alertname="` + strings.ReplaceAll(a.Labels["alertname"], `"`, `\"`) + `"}`}, "g0.tab": {"1"}})
	m := model.Alert{
		ID: fp, Title: title, Service: s.service(a.Labels), Host: s.hostOf(a.Labels), Severity: a.Labels[s.o.Labels.Severity], Status: model.AlertState(a.State),
		DedupKey: fp, StartedAt: a.ActiveAt.UTC(), Labels: a.Labels, Description: a.Annotations["description"],
		RunbookURL: runbook, Source: SourceName, URL: link, SLO: alertlabels.SLO(a.Labels),
	}
	if m.Status == model.AlertPending && !a.ActiveAt.IsZero() {
		if wait, ok := s.pendingFor(a.Labels); ok {
			m.FiresAt = a.ActiveAt.Add(wait).UTC()
		}
	}
	return m
}
