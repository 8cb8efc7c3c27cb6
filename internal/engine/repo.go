package engine

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/fetch"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/repourl"
	"github.com/opsctx/opsctx/internal/sanitize"
	"github.com/opsctx/opsctx/internal/workspace"
)

// forRepo resolves a repository reference to the service whose code lives there: the
// longest stated folder containing it wins; equal matches (a monorepo's root) come back as
// candidates with their owners, never one picked. opsctx never calls the code host.
func forRepo(d *directory.Directory, r *fetch.Round, input string) (*directory.Entity, *answer.ResolvedFrom, error) {
	q, err := repourl.Parse(input)
	if err != nil {
		return nil, nil, inputErr("repo: %v (give owner/name, or the repository's https, ssh or git@host:owner/name URL)", err)
	}
	return pickRepo(d, r, q, repourl.Redact(strings.TrimSpace(input)), answer.FromRepo, "")
}

// pickRepo turns a repository lookup into one service, or an error naming the candidates.
// how prefixes the rule in resolved_from (how the repository was found, for a path).
func pickRepo(d *directory.Directory, r *fetch.Round, q repourl.Repo, input string, kind answer.EntryKind, how string) (*directory.Entity, *answer.ResolvedFrom, error) {
	l := d.LookupRepo(q)
	return pickLocation(d, r, l, q.String(), input, kind, how)
}

// pickLocation is pickRepo for any location lookup (repository or local folder).
func pickLocation(d *directory.Directory, r *fetch.Round, l directory.RepoLookup, asked, input string, kind answer.EntryKind, how string) (*directory.Entity, *answer.ResolvedFrom, error) {
	what := "repository"
	if kind == answer.FromPath {
		what = "path"
	}
	switch {
	case len(l.Matches) == 0:
		return nil, nil, &LookupError{Query: input, What: what, Sources: r.Asked(), Unconfigured: unconfigured(r),
			Hint: "No catalog states this repository (github.com/project-slug, gitlab.com/project-slug, backstage.io/source-location or backstage.io/managed-by-location). Give the service name instead."}
	case len(l.Matches) > 1:
		var cands []Candidate
		for _, m := range l.Matches {
			cands = append(cands, Candidate{Name: m.Entity.Name, OwnerTeam: m.Entity.Owner(), Evidence: m.Repo.Via + " (" + locationText(m) + ")"})
		}
		hint := "Give the service name, or a path or URL inside its folder."
		return nil, nil, &LookupError{Query: input, What: what, Candidates: cands, Sources: r.Asked(), Hint: hint}
	}
	m := l.Matches[0]
	via := fmt.Sprintf("%s (%s)", m.Repo.Via, locationText(m))
	if l.Below {
		via += "; the only service the catalogs place in " + asked
	} else if q := m.Repo; q.Dir != "" || q.Local != "" {
		via += ", the longest stated folder containing it"
	}
	if how != "" {
		via = how + "; " + via
	}
	from := &answer.ResolvedFrom{Input: input, Kind: kind, Via: sanitize.Short(via),
		Matched: sanitize.Short(m.Entity.RecordText(m.Source, m.Entity.Name))}
	return m.Entity, from, nil
}

// locationText writes a stated location: host/path:dir, or the local folder.
func locationText(m directory.RepoMatch) string {
	if m.Repo.Local != "" {
		return m.Repo.Local
	}
	return repourl.Repo{Host: m.Repo.Host, Path: m.Repo.Path, Dir: m.Repo.Dir}.String()
}

// forCheckout resolves a local checkout to its service: the entity of the nearest
// catalog-info.yaml when a catalog knows it, else a catalog's local folder (dir: or file:
// location) containing the path, else the checkout's origin remote (with the path inside
// the checkout, so the longest folder of a monorepo wins).
func forCheckout(d *directory.Directory, r *fetch.Round, c *workspace.Checkout) (*directory.Entity, *answer.ResolvedFrom, error) {
	input := c.Path
	if c.Catalog != "" {
		var known []*directory.Entity
		for _, ref := range c.Entities {
			if e := entityByRef(d, ref); e != nil && !containsEntity(known, e) {
				known = append(known, e)
			}
		}
		switch {
		case len(known) == 1:
			rec := recordOf(known[0], c.Entities)
			return known[0], &answer.ResolvedFrom{Input: input, Kind: answer.FromPath,
				Via: sanitize.Short("the nearest catalog file " + c.Catalog), Matched: sanitize.Short(known[0].RecordText(rec.Source, rec.ID))}, nil
		case len(known) > 1:
			var cands []Candidate
			for _, e := range known {
				cands = append(cands, Candidate{Name: e.Name, OwnerTeam: e.Owner(), Evidence: "declared in " + c.Catalog})
			}
			return nil, nil, &LookupError{Query: input, What: "path", Candidates: cands, Sources: r.Asked(), Hint: "Give the service name."}
		}
	}
	if l := d.LookupLocal(c.Path); len(l.Matches) > 0 {
		return pickLocation(d, r, l, c.Path, input, answer.FromPath, "")
	}
	if c.Remote == "" {
		why := "it is in no git checkout"
		if c.Root != "" {
			why = "its checkout has no origin remote"
		}
		if c.Catalog != "" {
			why = fmt.Sprintf("no catalog knows the entities of %s (%s), and %s", c.Catalog, strings.Join(c.Entities, ", "), why)
		}
		return nil, nil, &LookupError{Query: input, What: "path", Sources: r.Asked(), Hint: "Nothing here names a known service: " + why + ". Give the service name or repo."}
	}
	q, err := repourl.Parse(c.Remote)
	if err != nil {
		return nil, nil, &LookupError{Query: input, What: "path", Sources: r.Asked(), Hint: fmt.Sprintf("The %s remote %q is not a repository URL opsctx reads. Give the service name or repo.", c.RemoteName, c.Remote)}
	}
	q.Dir = strings.ToLower(c.Dir)
	how := fmt.Sprintf("%s remote %s in %s", c.RemoteName, c.Remote, filepath.Join(c.Root, ".git"))
	return pickRepo(d, r, q, input, answer.FromPath, how)
}

// entityByRef finds the entity whose catalog record has the ref ("component:default/cart"),
// else the one its name alone finds.
func entityByRef(d *directory.Directory, ref string) *directory.Entity {
	for _, c := range d.Lookup(ref) {
		if c.Exact {
			return c.Entity
		}
	}
	if _, name, ok := strings.Cut(ref, "/"); ok {
		if cs := d.Lookup(name); len(cs) == 1 && cs[0].Exact {
			return cs[0].Entity
		}
	}
	return nil
}

// recordOf is e's record whose id is among refs, else its first record.
func recordOf(e *directory.Entity, refs []string) model.Service {
	for _, rec := range e.Records {
		for _, ref := range refs {
			if strings.EqualFold(rec.ID, ref) {
				return rec
			}
		}
	}
	return e.Records[0]
}

func containsEntity(es []*directory.Entity, e *directory.Entity) bool {
	for _, x := range es {
		if x == e {
			return true
		}
	}
	return false
}
