package model

// AlertState is where an alert stands in its notification life, on one vocabulary across
// sources. Connectors map their vendor's words onto it.
type AlertState string

// Alert states.
const (
	// AlertFiring is open and notifying (Prometheus firing, Alertmanager active, a triggered
	// page).
	AlertFiring AlertState = "firing"
	// AlertPending has met its condition but not yet for its `for` duration (Prometheus):
	// it is not firing, and it is not reported among the firing alerts.
	AlertPending AlertState = "pending"
	// AlertAcknowledged is open and someone has taken it (PagerDuty, Opsgenie, JSM).
	AlertAcknowledged AlertState = "acknowledged"
	// AlertSilenced is open but its notifications are silenced (an Alertmanager silence, an
	// Opsgenie snooze).
	AlertSilenced AlertState = "silenced"
	// AlertInhibited is open but suppressed by another alert (an Alertmanager inhibition rule).
	AlertInhibited AlertState = "inhibited"
	// AlertMuted is open but muted by a time interval (Alertmanager mute_time_intervals).
	AlertMuted AlertState = "muted"
	// AlertResolved is over.
	AlertResolved AlertState = "resolved"
)

// Suppressed reports whether the alert is open but nobody is notified of it: silenced,
// inhibited or muted.
func (s AlertState) Suppressed() bool {
	return s == AlertSilenced || s == AlertInhibited || s == AlertMuted
}

// Open reports whether the alert is not over (any state but resolved; unknown counts as
// open, as every source lists open alerts unless it says otherwise).
func (s AlertState) Open() bool { return s != AlertResolved }
