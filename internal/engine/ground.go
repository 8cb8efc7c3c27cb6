package engine

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/sourcegraph/conc"

	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/directory/hosts"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
)

// maxGroundOwners bounds how many host owners' on-call one answer asks for.
const maxGroundOwners = 5

// groundOnCall asks the on-call sources who is on call for the owners of the hosts ent runs
// on (a platform team's rota): one host per owner, each asked for its own records (a
// ServiceNow server's support group), concurrently with the rest of the answer's gather,
// so the answer keeps one round trip per source. Keyed by directory.Fold of the owner.
func groundOnCall(ctx context.Context, r *fetch.Round, dir *directory.Directory, ent *directory.Entity, t model.Target, w fetch.Window) map[string][]model.Sourced[model.Responders] {
	var hosts []*hosts.Host
	seen := map[string]bool{}
	for _, p := range dir.RunsOn(ent.Name) {
		k := directory.Fold(p.Host.Owner())
		if k == "" || seen[k] || len(hosts) == maxGroundOwners {
			continue
		}
		seen[k] = true
		hosts = append(hosts, p.Host)
	}
	out := map[string][]model.Sourced[model.Responders]{}
	var mu sync.Mutex
	var wg conc.WaitGroup
	for _, h := range hosts {
		wg.Go(func() {
			ht := h.Target(t.Since, t.Until)
			ht.Ahead = t.Ahead
			f := r.Gather(ctx, ht, w, fetch.OnCall)
			mu.Lock()
			out[directory.Fold(h.Owner())] = f.Responders
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// hostAsked returns the host a blast radius is asked from: a service name no service has
// that names exactly one host, cluster or namespace (app-prod-07, its FQDN or address, a
// HOST-… id); nil otherwise. (The host argument resolves to the services there, see ask.)
func hostAsked(q *question, s Subject, err error) *hosts.Host {
	var le *LookupError
	if q == nil || q.d == nil || s.Host != "" || !errors.As(err, &le) || le.What != "service" || le.Ambiguous {
		return nil
	}
	if hs := q.d.LookupHost(strings.TrimSpace(s.Service)); len(hs) == 1 {
		return hs[0]
	}
	return nil
}
