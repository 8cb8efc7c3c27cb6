package pagerduty

import (
	"context"
	"slices"
	"sort"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/internal/cache"
)

// perIncidentConcurrency bounds the concurrent per-incident reads of one call.
const perIncidentConcurrency = 4

// known remembers which incidents each service had open in the last listing (a Memo by
// service id, written with Put and read with Last: the last listing stands until the next).
// Reads that need an incident id (alerts, related change events) start from it while the
// listing is refreshed, so a question costs one round trip instead of a listing followed by
// the reads.
type known struct{ m *cache.Memo[[]incident] }

// remember records a listing of the open incidents of the services ids (of every service
// when ids is empty: the listing is then the whole truth).
func (k known) remember(ids []string, incs []incident) {
	by := make(map[string][]incident, len(ids))
	for _, id := range ids {
		by[id] = nil
	}
	for _, in := range incs {
		if len(ids) == 0 || slices.Contains(ids, in.Service.ID) {
			by[in.Service.ID] = append(by[in.Service.ID], in)
		}
	}
	if len(ids) == 0 {
		k.m.Clear()
	}
	for id, in := range by {
		k.m.Put(id, in)
	}
}

// of returns the incidents last seen open on the services, newest first.
func (k known) of(ids []string) []incident {
	var out []incident
	for _, id := range ids {
		in, _ := k.m.Last(id)
		out = append(out, in...)
	}
	sort.SliceStable(out, func(i, j int) bool { return parseTime(out[i].CreatedAt).After(parseTime(out[j].CreatedAt)) })
	return out
}

// hint is what a snapshot keeps of an incident last seen open: its id and when it was
// created (the order of the reads), never what it says. A fresh process starts its reads
// from hints as from the incidents it saw itself; only what its own listing confirms is
// shown (perIncident).
type hint struct {
	ID        string `json:"id"`
	CreatedAt string `json:"created_at,omitempty"`
}

// hints returns, per service, the incidents last seen open as hints (services last seen
// with none are left out).
func (k known) hints() map[string][]hint {
	out := map[string][]hint{}
	for svc, incs := range k.m.Kept() {
		for _, in := range incs {
			out[svc] = append(out[svc], hint{ID: in.ID, CreatedAt: in.CreatedAt})
		}
	}
	return out
}

// take remembers an earlier process's hints for the services this one has not listed yet.
func (k known) take(hs map[string][]hint) {
	for svc, h := range hs {
		if _, ok := k.m.Last(svc); ok {
			continue
		}
		incs := make([]incident, 0, len(h))
		for _, x := range h {
			incs = append(incs, incident{ID: x.ID, CreatedAt: x.CreatedAt, Service: ref{ID: svc}})
		}
		k.m.Put(svc, incs)
	}
}

// perIncident reads one thing about each incident of the listing: guessed incidents (those
// last seen open) are read while listing runs, and each listed incident's read joins the
// guessed one through m, or starts when it was not guessed. Reads of guessed incidents the
// listing no longer has are dropped. Results are in the listing's order.
func perIncident[T any](ctx context.Context, m *cache.Memo[T], guessed []incident,
	listing func(context.Context) ([]incident, error), read func(context.Context, incident) (T, error)) ([]incident, []T, error) {
	var speculative conc.WaitGroup
	defer speculative.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // before the wait: reads of incidents the listing dropped are abandoned
	sem := make(chan struct{}, perIncidentConcurrency)
	get := func(ctx context.Context, in incident) (T, error) {
		return m.Get(ctx, in.ID, func(ctx context.Context) (T, error) {
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
			return read(ctx, in)
		})
	}
	for _, in := range guessed {
		speculative.Go(func() { _, _ = get(ctx, in) })
	}
	incs, err := listing(ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make([]T, len(incs))
	errs := make([]error, len(incs))
	var wg conc.WaitGroup
	for i, in := range incs {
		wg.Go(func() { out[i], errs[i] = get(ctx, in) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	return incs, out, nil
}

// capTarget keeps at most n incidents, the target's own (services own) first.
func capTarget(incs []incident, own []string, n int) []incident {
	if len(incs) <= n {
		return incs
	}
	incs = slices.Clone(incs)
	sort.SliceStable(incs, func(i, j int) bool {
		return slices.Contains(own, incs[i].Service.ID) && !slices.Contains(own, incs[j].Service.ID)
	})
	return incs[:n]
}

// ownOnly keeps at most n incidents of the services own.
func ownOnly(incs []incident, own []string, n int) []incident {
	var out []incident
	for _, in := range incs {
		if len(out) < n && slices.Contains(own, in.Service.ID) {
			out = append(out, in)
		}
	}
	return out
}

// Warm lists every open incident once, so that the next question about any service reads
// its incidents' alerts and related change events while its own listing is refreshed.
func (s *Source) Warm(ctx context.Context) error {
	_, err := s.openIncidents(ctx, nil)
	return err
}
