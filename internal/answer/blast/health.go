package blast

import (
	"cmp"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// healthIndex judges each entity's health from open problems and alerts.
type healthIndex struct {
	rootCause map[string]string // entity -> problem id it is the root cause of
	impacted  map[string]bool
	alerting  map[string]int
	known     bool // every problem and alert source answered (one that failed could name anything)
}

func newHealthIndex(d *directory.Directory, f model.Facts) healthIndex {
	h := healthIndex{rootCause: map[string]string{}, impacted: map[string]bool{}, alerting: map[string]int{}, known: f.HasAlerts && len(f.Failed) == 0}
	for name, p := range answer.RootCauses(d, f.Problems) {
		h.rootCause[name] = cmp.Or(p.DisplayID, p.ID)
	}
	for _, p := range f.Problems {
		if p.Status == model.ProblemClosed {
			continue
		}
		for _, x := range p.Impacted {
			h.impacted[directory.Fold(d.Canonical(p.Source, x))] = true
		}
	}
	for _, a := range f.Alerts {
		h.alerting[directory.Fold(d.Canonical(a.Source, a.Service))]++
	}
	for _, i := range f.Incidents {
		h.alerting[directory.Fold(d.Canonical(i.Source, i.Service))]++
	}
	return h
}

// of returns "failing" (root cause of an open problem), "degraded" (impacted or alerting),
// "ok", or "unknown" when no source could tell.
func (h healthIndex) of(name string) answer.Health {
	k := directory.Fold(name)
	switch {
	case h.rootCause[k] != "":
		return answer.HealthFailing
	case h.impacted[k] || h.alerting[k] > 0:
		return answer.HealthDegraded
	case h.known:
		return answer.HealthOK
	}
	return answer.HealthUnknown
}
