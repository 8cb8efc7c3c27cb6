package cache

import "time"

// Kind names a category of upstream data; each kind has its own freshness TTL.
type Kind string

// Data kinds cached by opsctx.
const (
	KindCatalog   Kind = "catalog"
	KindOnCall    Kind = "oncall"
	KindAlerts    Kind = "alerts"
	KindProblems  Kind = "problems"
	KindIncidents Kind = "incidents"
	KindChanges   Kind = "changes"
	KindSLOs      Kind = "slos"
	KindMutes     Kind = "mutes"
	// KindWarm is the reference data a source warmed (connectors.Warmer), as its Kept data:
	// replicas sharing a cache warm once and Keep what one of them read. Its TTL is the
	// catalog's.
	KindWarm Kind = "warm"
)

// DefaultTTLs returns a new map with the default freshness TTL of each kind:
// catalog 10m, oncall 5m, alerts/problems/incidents/mutes 30s, changes 2m, slos 1m.
func DefaultTTLs() map[Kind]time.Duration {
	return map[Kind]time.Duration{
		KindCatalog:   10 * time.Minute,
		KindOnCall:    5 * time.Minute,
		KindAlerts:    30 * time.Second,
		KindProblems:  30 * time.Second,
		KindIncidents: 30 * time.Second,
		KindChanges:   2 * time.Minute,
		KindSLOs:      time.Minute,
		KindMutes:     30 * time.Second,
	}
}
