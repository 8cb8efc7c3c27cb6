package directory

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/repourl"
)

// RepoMatch is a service whose catalog record places its code at a repository location
// (or a local folder).
type RepoMatch struct {
	Entity *Entity
	// Repo is the location as the record states it, Source the record's source.
	Repo   model.Repo
	Source string
}

// RepoLookup is what a repository location leads to.
type RepoLookup struct {
	// Matches are the services whose stated folder is the longest one containing the asked
	// location (the same repository on the same host preferred to a host not stated), each
	// once; several when they are equally good — never one picked among them.
	Matches []RepoMatch
	// Below is set when no stated folder contains the asked one: Matches are then the
	// services stated below it (a monorepo asked at its root, where no component is).
	Below bool
}

// repoEntry is one stated location of an entity, indexed by repository path.
type repoEntry struct {
	e      *Entity
	at     repourl.Repo
	stated model.Repo
	source string
}

// indexRepos makes r's stated code locations find e.
func (d *Directory) indexRepos(e *Entity, r model.Service) {
	for _, loc := range r.Repos {
		en := repoEntry{e: e, stated: loc, source: r.Source, at: repourl.Repo{Host: loc.Host, Path: loc.Path, Dir: loc.Dir}}
		switch {
		case loc.Local != "":
			en.at = repourl.Repo{Dir: filepath.ToSlash(filepath.Clean(loc.Local))}
			d.localRepos = append(d.localRepos, en)
		case loc.Path != "":
			d.repos[loc.Path] = append(d.repos[loc.Path], en)
		}
	}
}

// LookupRepo finds the services whose code lives at q (a repository, or a folder or file
// in one): the longest stated folder containing q.Dir wins.
func (d *Directory) LookupRepo(q repourl.Repo) RepoLookup {
	return lookupIn(d.repos[q.Path], q, func(en repoEntry) bool { return en.at.SameRepo(q) })
}

// LookupLocal finds the services whose catalog states a local folder (a dir: or file:
// location) containing the absolute path p, the longest first.
func (d *Directory) LookupLocal(p string) RepoLookup {
	q := repourl.Repo{Dir: strings.TrimPrefix(filepath.ToSlash(filepath.Clean(p)), "/")}
	local := make([]repoEntry, 0, len(d.localRepos))
	for _, en := range d.localRepos {
		en.at.Dir = strings.TrimPrefix(en.at.Dir, "/")
		local = append(local, en)
	}
	l := lookupIn(local, q, func(repoEntry) bool { return true })
	if l.Below { // a local folder above every stated one names none of them
		return RepoLookup{}
	}
	return l
}

// lookupIn ranks the entries that qualify: those containing q by folder length, then by a
// stated host; else those below q.
func lookupIn(entries []repoEntry, q repourl.Repo, qualifies func(repoEntry) bool) RepoLookup {
	type score struct{ depth, host int }
	best := map[*Entity]repoEntry{}
	scores := map[*Entity]score{}
	var top score
	found := false
	var below []RepoMatch
	for _, en := range entries {
		if !qualifies(en) {
			continue
		}
		if !en.at.Contains(q) {
			if q.Contains(en.at) && !slices.ContainsFunc(below, func(m RepoMatch) bool { return m.Entity == en.e }) {
				below = append(below, RepoMatch{Entity: en.e, Repo: en.stated, Source: en.source})
			}
			continue
		}
		s := score{depth: depth(en.at.Dir)}
		if en.at.Host != "" && en.at.Host == q.Host {
			s.host = 1
		}
		if old, seen := scores[en.e]; seen && !better(s.depth, s.host, old.depth, old.host) {
			continue
		}
		best[en.e], scores[en.e] = en, s
		if !found || better(s.depth, s.host, top.depth, top.host) {
			top, found = s, true
		}
	}
	if !found {
		return RepoLookup{Matches: below, Below: len(below) > 0}
	}
	var out []RepoMatch
	for _, en := range entries { // in catalog order, each entity once
		if en2, ok := best[en.e]; ok && en2 == en && scores[en.e] == top {
			out = append(out, RepoMatch{Entity: en.e, Repo: en.stated, Source: en.source})
		}
	}
	return RepoLookup{Matches: out}
}

// better compares (folder depth, host stated) pairs.
func better(depth, host, oDepth, oHost int) bool {
	return depth > oDepth || depth == oDepth && host > oHost
}

// depth is how many folders deep dir is ("" is 0).
func depth(dir string) int {
	if dir == "" {
		return 0
	}
	return strings.Count(dir, "/") + 1
}

// InRepo returns every service stated anywhere in q's repository (whatever q.Dir), in
// catalog order, each once with its first stated location there.
func (d *Directory) InRepo(q repourl.Repo) []RepoMatch {
	var out []RepoMatch
	for _, en := range d.repos[q.Path] {
		if en.at.SameRepo(q) && !slices.ContainsFunc(out, func(m RepoMatch) bool { return m.Entity == en.e }) {
			out = append(out, RepoMatch{Entity: en.e, Repo: en.stated, Source: en.source})
		}
	}
	return out
}
