package demo

import (
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/fake"
	amfake "github.com/opsctx/opsctx/internal/fake/alertmanager"
)

func init() { register(config.SourceAlertmanager, startAlertmanager) }

func startAlertmanager(s Scenario, cfg *config.Config) (*fake.Server, error) {
	started := time.Now()
	alerts := alertmanagerAlerts(s)
	s.edit(config.SourceAlertmanager, &alerts)
	srv := amfake.Start(amfake.Options{GroupBy: []string{"alertname", "service"}, Receiver: "shop-oncall",
		Now: func() time.Time { return s.T0.Add(time.Since(started)) }}, alerts, nil)
	cfg.Sources.Alertmanager = []*config.Alertmanager{{URL: srv.URL, Labels: demoLabels}}
	return srv.Server, nil
}

// alertmanagerAlerts are the scenario's firing alerts as Prometheus posted them:
// Alertmanager's startsAt is when the rule started firing.
func alertmanagerAlerts(s Scenario) []amfake.Alert {
	var out []amfake.Alert
	for _, a := range demoAlerts() {
		out = append(out, amfake.Alert{Labels: a.alertLabels(), Annotations: a.annotations,
			StartsAt: s.At(a.firingSince), GeneratorURL: a.generatorURL()})
	}
	return out
}
