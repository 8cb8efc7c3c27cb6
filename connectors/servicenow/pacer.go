package servicenow

import (
	"context"
	"sync"
)

// pacer bounds how many pages are read at once — of one listing, or of the catalog's
// listings read beside each other: Source.parallel at first, halved (down to one) for the rest
// of the load each time the instance answers 429 to a page sent at the current bound. An instance answers 429 when a rate-limit rule is exceeded
// or when its nodes' integration semaphores (API_INT) queue no more requests; the retry
// waits as Retry-After asks (httpx), and the pages after it go out fewer at a time.
type pacer struct {
	mu    sync.Mutex
	limit int           // pages at once now
	busy  int           // pages being read
	gen   int           // how many times limit was halved
	freed chan struct{} // closed when a page is done, then replaced
	// admitted, when set, sees the bound and the pages being read (this one included)
	// each time a page is let through (Source.testHookPaced).
	admitted func(limit, busy int)
}

func newPacer(limit int, admitted func(limit, busy int)) *pacer {
	return &pacer{limit: max(limit, 1), freed: make(chan struct{}), admitted: admitted}
}

// acquire waits until a page may be read and returns the bound's generation, for throttled.
func (p *pacer) acquire(ctx context.Context) (gen int, err error) {
	for {
		p.mu.Lock()
		if p.busy < p.limit {
			p.busy++
			gen = p.gen
			if p.admitted != nil {
				p.admitted(p.limit, p.busy)
			}
			p.mu.Unlock()
			return gen, nil
		}
		freed := p.freed
		p.mu.Unlock()
		select {
		case <-freed:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// release ends a page's read.
func (p *pacer) release() {
	p.mu.Lock()
	p.busy--
	close(p.freed)
	p.freed = make(chan struct{})
	p.mu.Unlock()
}

// throttled halves the bound after a 429 to a page acquired in generation gen. Pages that
// were already in flight under the old bound (an older generation) halve it no further: one
// rate-limit event halves it once.
func (p *pacer) throttled(gen int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if gen == p.gen && p.limit > 1 {
		p.limit /= 2
		p.gen++
	}
}
