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
	alerts, silences := alertmanagerAlerts(s), alertmanagerSilences(s)
	s.edit(config.SourceAlertmanager, &alerts)
	s.edit(config.SourceAlertmanager, &silences)
	srv := amfake.Start(amfake.Options{GroupBy: []string{"alertname", "service"}, Receiver: "shop-oncall",
		Now: func() time.Time { return s.T0.Add(time.Since(started)) }}, alerts, silences)
	cfg.Sources.Alertmanager = []*config.Alertmanager{{URL: srv.URL, Labels: demoLabels}}
	return srv.Server, nil
}

// alertmanagerSilences: Aiko silenced cart's latency alert for its session store migration,
// until the migration's maintenance window ends.
func alertmanagerSilences(s Scenario) []amfake.Silence {
	return []amfake.Silence{{ID: "5f2c8e1a-7b3d-4c6e-9a0f-1d2e3f4a5b6c", Matchers: []amfake.Matcher{{Name: "alertname", Value: CartSilenced}},
		StartsAt: s.At(40 * time.Minute), EndsAt: s.At(-SilenceEndsIn), CreatedBy: "aiko.tanaka", Comment: "cart session store migration"}}
}

// alertmanagerAlerts are the scenario's firing alerts as Prometheus posted them:
// Alertmanager's startsAt is when the rule started firing.
func alertmanagerAlerts(s Scenario) []amfake.Alert {
	var out []amfake.Alert
	for _, a := range demoAlerts(s) {
		if a.pending {
			continue // Prometheus sends only firing alerts
		}
		out = append(out, amfake.Alert{Labels: a.alertLabels(), Annotations: a.annotations,
			StartsAt: s.At(a.firingSince), GeneratorURL: a.generatorURL()})
	}
	return out
}
