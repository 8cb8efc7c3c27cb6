package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/find"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/engine/hostref"
	"github.com/opsctx/opsctx/internal/engine/incidentref"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/repourl"
	"github.com/opsctx/opsctx/internal/workspace"
)

// ListServices lists the catalog by name, limit services from offset on, with the total.
func (e *Engine) ListServices(ctx context.Context, offset, limit int) *find.Result {
	d, st := e.Directory(ctx)
	return find.ListServices(d, offset, limit, st)
}

// FindService lists the services a subject may mean across every catalog, best first, with
// the evidence for each: for a name, how it matched; for an incident, the services it
// concerns; for a repository or path, the services stated there (the longest folder
// first, then the rest of the repository).
func (e *Engine) FindService(ctx context.Context, s Subject) (*find.Result, error) {
	s = s.trimmed()
	if s.Service != "" {
		if err := s.Check(); err != nil {
			return nil, err
		}
		d, st := e.Directory(ctx)
		return find.Service(d, s.Service, st), nil
	}
	q, hits, cancel, err := e.prepare(ctx, s)
	defer cancel()
	if err != nil {
		return nil, err
	}
	var (
		ms    []find.Match
		input string
		kind  answer.EntryKind
	)
	switch {
	case s.Incident != "":
		input, kind, ms = s.Incident, answer.FromIncident, incidentMatches(q, s.Incident, hits)
		if len(hits) > 0 && !slices.ContainsFunc(hits, func(h connectors.IncidentRef) bool { return h.Kind != hits[0].Kind }) {
			kind = incidentref.Kind(hits[0].Kind) // every hit is of one kind: a change is named a change
		}
	case s.Repo != "":
		r, perr := repourl.Parse(s.Repo)
		if perr != nil {
			return nil, inputErr("repo: %v", perr)
		}
		input, kind, ms = repourl.Redact(s.Repo), answer.FromRepo, repoMatches(q.d, r, "")
	case s.Checkout != nil:
		input, kind, ms = s.Checkout.Path, answer.FromPath, checkoutMatches(q.d, s.Checkout)
	case s.Host != "":
		input, kind = s.Host, answer.FromHost
		hms, _ := hostref.Lookup(q.d, s.Host)
		if len(hms) == 0 {
			hms = hostref.Alerted(q.d, q.r.Gather(q.ctx, model.Target{Until: e.o.Now()}, fetch.Window{}, fetch.Alerts).Alerts, s.Host)
		}
		for _, m := range hms {
			ms = append(ms, find.Match{Entity: m.Entity, How: m.Via, Exact: true})
		}
	}
	return find.Found(q.d, input, kind, ms, q.r.Statuses()), nil
}

// incidentMatches are the services each incident found is about (its subject first, an
// answer), then the others it touches.
func incidentMatches(q *question, ref string, hits []connectors.IncidentRef) []find.Match {
	var subjects, others []find.Match
	for _, h := range hits {
		ent, from, err := forIncident(q.d, q.r, ref, &h)
		if err != nil {
			continue
		}
		subjects = append(subjects, find.Match{Entity: ent, How: from.Via, Exact: true})
		for _, o := range from.Others {
			if e := q.d.Entity(o.Service); e != nil {
				others = append(others, find.Match{Entity: e, How: fmt.Sprintf("%s %s %s: %s", h.Source, h.Kind, h.ID, o.Role)})
			}
		}
	}
	return append(subjects, others...)
}

// repoMatches are the services at the longest stated folder containing r (answers), then
// the rest of the repository's services (suggestions). how says how r was found.
func repoMatches(d *directory.Directory, r repourl.Repo, how string) []find.Match {
	var ms []find.Match
	l := d.LookupRepo(r)
	for _, m := range l.Matches {
		why := m.Repo.Via + " (" + locationText(m) + ")"
		if l.Below {
			why += ", below " + r.String()
		}
		ms = append(ms, find.Match{Entity: m.Entity, How: join(how, why), Exact: true})
	}
	for _, m := range d.InRepo(r) {
		ms = append(ms, find.Match{Entity: m.Entity, How: join(how, "elsewhere in the repository: "+m.Repo.Via+" ("+locationText(m)+")")})
	}
	return ms
}

// checkoutMatches are the entities of the nearest catalog file the catalogs know, the
// services stating a local folder containing the path, then the origin remote's.
func checkoutMatches(d *directory.Directory, c *workspace.Checkout) []find.Match {
	var ms []find.Match
	for _, ref := range c.Entities {
		if e := entityByRef(d, ref); e != nil {
			ms = append(ms, find.Match{Entity: e, How: "declared in the nearest catalog file " + c.Catalog, Exact: true})
		}
	}
	for _, m := range d.LookupLocal(c.Path).Matches {
		ms = append(ms, find.Match{Entity: m.Entity, How: m.Repo.Via + " (" + m.Repo.Local + ")", Exact: len(ms) == 0})
	}
	if r, err := repourl.Parse(c.Remote); err == nil && c.Remote != "" {
		r.Dir = strings.ToLower(c.Dir)
		for _, m := range repoMatches(d, r, c.RemoteName+" remote "+c.Remote) {
			m.Exact = m.Exact && !hasExact(ms)
			ms = append(ms, m)
		}
	}
	return ms
}

func hasExact(ms []find.Match) bool {
	for _, m := range ms {
		if m.Exact {
			return true
		}
	}
	return false
}

func join(how, why string) string {
	if how == "" {
		return why
	}
	return how + "; " + why
}
