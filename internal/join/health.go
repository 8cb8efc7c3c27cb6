package join

import (
	"context"
	"time"

	"github.com/opsctx/opsctx/internal/model"
)

// openFacts fetches everything open across sources (a zero target), through the cache.
// Blast radius, active issues and audits use it to judge every service's health at once.
func (e *Engine) openFacts(ctx context.Context, b *book) facts {
	return e.gather(ctx, b, model.Target{Until: e.o.Now()}, "open")
}

// healthIndex judges each entity's health from open problems and alerts.
type healthIndex struct {
	rootCause map[string]string // entity -> problem id it is the root cause of
	impacted  map[string]bool
	alerting  map[string]int
	known     bool // some problem or alert source answered
}

func newHealthIndex(d *Directory, f facts) healthIndex {
	h := healthIndex{rootCause: map[string]string{}, impacted: map[string]bool{}, alerting: map[string]int{}, known: f.hasAlerts}
	for name, p := range rootCauses(d, f.problems) {
		h.rootCause[name] = firstNonEmpty(p.DisplayID, p.ID)
	}
	for _, p := range f.problems {
		if p.Status == "closed" {
			continue
		}
		for _, x := range p.Impacted {
			h.impacted[fold(serviceOf(d, p.Source, x))] = true
		}
	}
	for _, a := range f.alerts {
		h.alerting[fold(serviceOf(d, a.Source, a.Service))]++
	}
	for _, i := range f.incidents {
		h.alerting[fold(serviceOf(d, i.Source, i.Service))]++
	}
	return h
}

// of returns "failing" (root cause of an open problem), "degraded" (impacted or alerting),
// "ok", or "unknown" when no source could tell.
func (h healthIndex) of(name string) string {
	k := fold(name)
	switch {
	case h.rootCause[k] != "":
		return "failing"
	case h.impacted[k] || h.alerting[k] > 0:
		return "degraded"
	case h.known:
		return "ok"
	}
	return "unknown"
}

// start begins an answer: a deadline-bound context, a status book and the directory,
// with the catalogs limited to half the deadline.
func (e *Engine) start(ctx context.Context) (context.Context, context.CancelFunc, *book, *Directory) {
	ctx, cancel := context.WithTimeout(ctx, e.o.Deadline)
	b := newBook()
	pctx, pcancel := context.WithTimeout(ctx, e.o.Deadline/2)
	d := e.directory(pctx, b)
	pcancel()
	return ctx, cancel, b, d
}

// resolve finds the entity for a service query or returns a LookupError.
func (e *Engine) resolve(d *Directory, b *book, service string) (*Entity, error) {
	return resolveService(d, service, b.statuses(e.o.Sources, nil))
}

// window returns [now-since, now].
func (e *Engine) window(since time.Duration) (time.Time, time.Time) {
	now := e.o.Now().UTC()
	return now.Add(-since), now
}
