package answer

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/slo"
)

// The answer's rules where two systems meet, in one place. Each says why it exists: every
// one of them fixes a way the joined answer once stated a wrong fact.

// Rule: the source that notifies decides an alert's state. Prometheus reports an alert
// firing while Alertmanager holds it silenced or inhibited, because the rule evaluator does
// not know silences; an answer that took the evaluator's word would call a silenced alert
// firing. So, for every alert a notifier (Alertmanager) reports, its state wins for every
// copy with the same dedup key; when several notifiers disagree (clusters), the one that
// notifies (firing) wins, since someone is being paged.
func notifierStates(alerts []model.Alert) map[string]model.AlertState {
	out := map[string]model.AlertState{}
	for _, a := range alerts {
		if !a.Notifier || a.DedupKey == "" {
			continue
		}
		if cur, ok := out[a.DedupKey]; !ok || cur.Suppressed() && !a.Status.Suppressed() {
			out[a.DedupKey] = a.Status
		}
	}
	return out
}

// stateOf is an alert's state under the notifier rule; an unknown state is firing (every
// source lists open alerts unless it says otherwise).
func stateOf(a model.Alert, notified map[string]model.AlertState) model.AlertState {
	st := a.Status
	if ns, ok := notified[a.DedupKey]; ok && a.DedupKey != "" {
		st = ns
	}
	if st == "" {
		st = model.AlertFiring
	}
	return st
}

// Rule: suppressed alerts are listed apart. A silenced or inhibited alert pages nobody; in
// the firing counts, the headline or an SLO's impact it would read as an emergency someone
// has to answer. Groups are made per state class, so a silenced alert never shares a group
// (or a count) with firing ones.
func stateClass(st model.AlertState) string {
	if st.Suppressed() {
		return string(st)
	}
	return "open"
}

// Rule: copies are counted once. One alert seen by Prometheus and by Alertmanager (or by
// Opsgenie and JSM during a migration) is one alert: alerts sharing a dedup key are one, and
// sources that share any key in a group see the same alerts (their keys are unioned).
// Sources joined to the group only by title key the alerts their own way; they are copies
// too, so the group counts the most that any one family of sources reports.
func distinctCount(alerts []model.Alert) int {
	type family struct {
		sources map[string]bool
		keys    map[string]bool
	}
	var fams []*family
	for _, a := range alerts {
		k := a.DedupKey
		if k == "" {
			k = a.Source + "\x00" + a.ID
		}
		var into *family
		for _, f := range fams {
			if f.keys[k] || f.sources[a.Source] {
				into = f
				break
			}
		}
		if into == nil {
			into = &family{sources: map[string]bool{}, keys: map[string]bool{}}
			fams = append(fams, into)
		}
		into.sources[a.Source], into.keys[k] = true, true
	}
	// Families that came to share a key or a source while being built are one.
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(fams) && !merged; i++ {
			for j := i + 1; j < len(fams) && !merged; j++ {
				if overlaps(fams[i].keys, fams[j].keys) || overlaps(fams[i].sources, fams[j].sources) {
					maps.Copy(fams[i].keys, fams[j].keys)
					maps.Copy(fams[i].sources, fams[j].sources)
					fams = slices.Delete(fams, j, j+1)
					merged = true
				}
			}
		}
	}
	most := 0
	for _, f := range fams {
		most = max(most, len(f.keys))
	}
	return most
}

func overlaps(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

// RelationOf is svc's relation to self, and whether svc is self or one of its neighbours.
//
// Rule: facts belong to the service they are about. An answer about payments used to list
// its consumer's alerts and runbook as its own. A fact on another service appears only
// under that service's name with its relation to the one asked about: the services it
// depends on (dependency) and those that depend on it (consumer), within neighbourDepth
// hops; anything further is not about this service and is left out.
func RelationOf(d *directory.Directory, self, svc string) (Relation, bool) {
	switch {
	case fold(svc) == fold(self):
		return RelSelf, true
	case placed(d, self, svc):
		return RelRunsOn, true
	case d.DependsOn(self, svc, neighbourDepth):
		return RelDependency, true
	case d.DependsOn(svc, self, neighbourDepth):
		return RelConsumer, true
	}
	return "", false
}

// neighbourDepth is how far a neighbour's facts are reported with an answer: the sources
// are asked about direct neighbours, whose own records may be a hop away in the graph.
const neighbourDepth = 2

// On names a service with its relation: "checkout", "dependency orders-db", "consumer
// orders", and a host the service runs on "app-01 (runs on)".
func On(svc string, rel Relation) string {
	switch rel {
	case RelSelf:
		return svc
	case RelRunsOn:
		return svc + " (runs on)"
	}
	return string(rel) + " " + svc
}

// Rule: an alert group is tagged with the SLO of its own service, or with the SLO of a
// service that depends on it, saying so. Tagging a group with any burning SLO in reach told
// readers a neighbour's alert was burning this service's budget. A suppressed group is never
// tagged: it pages nobody, so it is not what the budget burns for.
//
// SLOImpact returns the burning SLO an open group on svc touches: svc's own, else that of a
// service that depends on svc (via names it).
func SLOImpact(d *directory.Directory, svc string, st model.AlertState, slos []SLOEntry) (s SLOEntry, via string, ok bool) {
	if st.Suppressed() {
		return SLOEntry{}, "", false
	}
	for _, s := range slos {
		if s.Burning() && fold(s.Service) == fold(svc) {
			return s, "", true
		}
	}
	for _, s := range slos {
		if s.Burning() && d.DependsOn(s.Service, svc, impactDepth) {
			return s, s.Service, true
		}
	}
	return SLOEntry{}, "", false
}

// ImpactText is SLOImpact in a group's words. Without SLO data nothing is said; "no user
// impact measured" is said only where SLOs were measured for the group's service
// (measured: the question asked its SLOs, or one of them is among slos).
func ImpactText(d *directory.Directory, svc string, st model.AlertState, slos []SLOEntry, measured bool) string {
	s, via, ok := SLOImpact(d, svc, st, slos)
	switch {
	case ok && via == "":
		return fmt.Sprintf("SLO %q %s", s.Name, s.Status)
	case ok:
		return fmt.Sprintf("may affect SLO %q (%s) of %s, which depends on %s", s.Name, s.Status, via, svc)
	case !st.Suppressed() && (measured || slices.ContainsFunc(slos, func(s SLOEntry) bool { return fold(s.Service) == fold(svc) })):
		return "no user impact measured"
	}
	return ""
}

// impactDepth is how far down a dependency chain an SLO's burn is traced to an alert.
const impactDepth = 3

// StaleNotes are the notes of the sources in st served from an older copy, by source name.
//
// Rule: a stale figure says how old it is. A source served from cache after a failed
// refresh reported its figures as current ("breaching 45.8x"); every section built from such
// a source, and the headline, now say how old the copy is.
func StaleNotes(st []model.SourceStatus, now time.Time) map[string]StaleNote {
	out := map[string]StaleNote{}
	for _, s := range st {
		if s.Status == model.StateStale && !s.AsOf.IsZero() {
			out[s.Name] = StaleNote{Source: s.Name, AsOf: s.AsOf.UTC(), AgeMinutes: int(now.Sub(s.AsOf).Minutes() + 0.5), Sections: []string{}}
		}
	}
	return out
}

// Rule: a figure a source failed to compute is absent, never 0. An SLO whose query failed
// showed "budget left 0%, burn 1h 0.0x" (a number a reader acts on); with an error, every
// figure of the SLO is null (no burn rates, no budget, no time to exhaustion), its status
// unknown, and the error is shown where the figures would be.
func failedFigures(e SLOEntry) SLOEntry {
	if e.Error == "" {
		return e
	}
	e.BurnRates, e.ErrorBudgetRemaining, e.HoursToExhaust, e.Status = map[string]float64{}, nil, nil, slo.Unknown
	return e
}

// SuppressionText says who holds a suppressed group back: " by sam's silence "known noise"
// until 2026-03-01T13:00:00Z", " by "OrdersDBDown"", " by the interval "weekends"".
func SuppressionText(g AlertGroup) string {
	var parts []string
	for _, s := range g.Silences {
		p := "silence " + s.ID
		if s.CreatedBy != "" {
			p = s.CreatedBy + "'s silence"
		}
		if s.Comment != "" {
			p += fmt.Sprintf(" %q", s.Comment)
		}
		if !s.EndsAt.IsZero() {
			p += " until " + s.EndsAt.UTC().Format(time.RFC3339)
		}
		parts = append(parts, p)
	}
	for _, x := range g.InhibitedBy {
		parts = append(parts, fmt.Sprintf("%q", x))
	}
	for _, x := range g.MutedBy {
		parts = append(parts, fmt.Sprintf("the interval %q", x))
	}
	if len(parts) == 0 {
		return ""
	}
	return " by " + strings.Join(parts, ", ")
}

// placed reports whether self runs on the host with the canonical name svc.
func placed(d *directory.Directory, self, svc string) bool {
	_, ok := d.Placed(self, svc)
	return ok
}
