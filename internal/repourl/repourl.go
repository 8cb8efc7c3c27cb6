// Package repourl reads the ways people, remotes and catalogs write a source repository —
// owner/name, https and ssh URLs, scp-style remotes (git@host:owner/name.git), URLs into a
// folder or file of a monorepo (…/tree/main/services/x, …/-/blob/main/x), Backstage
// url: locations — into one comparable form. It parses; it never contacts a code host.
package repourl

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
)

// Repo is a repository on a code host, and optionally a folder or file inside it. Every
// field is lowercased: code hosts compare owners and names without case, and so does
// opsctx for folders.
type Repo struct {
	// Host is the code host without port ("github.com"); "" when the reference does not
	// state it (owner/name).
	Host string
	// Path is the repository's path on the host without ".git": "shop/checkout",
	// "group/subgroup/project".
	Path string
	// Dir is the folder or file inside the repository, slash-separated, "" for the root.
	Dir string
}

// String writes the repository as host/path, with ":dir" when a folder is named.
func (r Repo) String() string {
	s := r.Path
	if r.Host != "" {
		s = r.Host + "/" + s
	}
	if r.Dir != "" {
		s += ":" + r.Dir
	}
	return s
}

// SameRepo reports whether r and o name the same repository: the same path, on the same
// host when both state one.
func (r Repo) SameRepo(o Repo) bool {
	return r.Path == o.Path && (r.Host == "" || o.Host == "" || r.Host == o.Host)
}

// Contains reports whether r's folder contains o's (o is in it or is it): segment by
// segment, so services/x contains services/x/cmd but not services/xy. The root contains
// everything.
func (r Repo) Contains(o Repo) bool {
	return r.Dir == "" || o.Dir == r.Dir || strings.HasPrefix(o.Dir, r.Dir+"/")
}

// Join returns r with rel (a relative folder such as "./services/x" or "../x") applied
// to its folder; false when rel leaves the repository.
func (r Repo) Join(rel string) (Repo, bool) {
	j := path.Join(r.Dir, strings.ToLower(strings.TrimSpace(rel)))
	if j == ".." || strings.HasPrefix(j, "../") {
		return r, false
	}
	if j == "." {
		j = ""
	}
	r.Dir = strings.Trim(j, "/")
	return r, true
}

// ErrNotRepo is wrapped by every Parse error.
var ErrNotRepo = errors.New("not a repository reference")

func bad(s, why string) error { return fmt.Errorf("%w: %q: %s", ErrNotRepo, short(Redact(s)), why) }

// schemes are the URL schemes a repository is reached by.
var schemes = []string{"https", "http", "ssh", "git", "git+ssh", "ssh+git", "git+https"}

// Parse reads a repository reference: owner/name, host/owner/name, an https, http, ssh or
// git URL, an scp-style remote (user@host:owner/name.git), or a Backstage "url:" location;
// in any case, with or without ".git" or a trailing slash. A URL into a folder or file of
// the repository (GitHub and Gitea tree/blob/raw/src, GitLab /-/tree and /-/blob,
// Bitbucket src and browse, Azure DevOps ?path=) sets Dir. Credentials in the URL are
// ignored.
func Parse(s string) (Repo, error) {
	in := s
	s = strings.TrimSpace(s)
	if rest, ok := cutPrefixFold(s, "url:"); ok {
		s = rest
	}
	switch {
	case s == "":
		return Repo{}, bad(in, "empty")
	case strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		return Repo{}, bad(in, "contains spaces or control characters")
	}
	var (
		host, p string
		q       url.Values
	)
	switch {
	case strings.Contains(s, "://"):
		u, err := url.Parse(s)
		if err != nil {
			return Repo{}, bad(in, "not a URL")
		}
		if !slices.Contains(schemes, strings.ToLower(u.Scheme)) {
			return Repo{}, bad(in, "scheme "+u.Scheme+" is not a code host's (https, ssh, git)")
		}
		host, p, q = u.Hostname(), u.Path, u.Query()
		if host == "" {
			return Repo{}, bad(in, "no host")
		}
	case isSCP(s):
		hostPart, rest, _ := strings.Cut(s, ":")
		if i := strings.LastIndex(hostPart, "@"); i >= 0 {
			hostPart = hostPart[i+1:]
		}
		host, p = hostPart, rest
		if host == "" {
			return Repo{}, bad(in, "no host")
		}
	default:
		p = s
		if first, rest, ok := strings.Cut(strings.TrimPrefix(p, "/"), "/"); ok && looksLikeHost(first) {
			host, p = first, rest
		}
	}
	segs, err := segments(p)
	if err != nil {
		return Repo{}, bad(in, err.Error())
	}
	repo, dir := split(strings.ToLower(host), segs)
	if v := q.Get("path"); dir == nil && v != "" { // Azure DevOps: …/_git/repo?path=/dir
		if dir, err = segments(v); err != nil {
			return Repo{}, bad(in, err.Error())
		}
	}
	if n := len(repo); n > 0 {
		repo[n-1] = strings.TrimSuffix(repo[n-1], ".git")
		if repo[n-1] == "" {
			repo = repo[:n-1]
		}
	}
	switch {
	case len(repo) == 0:
		return Repo{}, bad(in, "no repository path")
	case len(repo) == 1 && host == "":
		return Repo{}, bad(in, "give owner/name or a URL")
	}
	return Repo{Host: strings.ToLower(host), Path: strings.ToLower(strings.Join(repo, "/")), Dir: strings.ToLower(strings.Join(dir, "/"))}, nil
}

// split divides a URL path into the repository's path and the folder or file inside it.
func split(host string, segs []string) (repo, dir []string) {
	if i := slices.Index(segs, "-"); i >= 1 { // GitLab: group/project/-/tree/ref/dir
		return segs[:i], after(segs[i+1:], 2)
	}
	if i := slices.Index(segs, "_git"); i >= 1 && i+1 < len(segs) { // Azure DevOps: org/project/_git/repo
		return segs[:i+2], nil
	}
	if len(segs) >= 4 && segs[0] == "projects" && segs[2] == "repos" { // Bitbucket Server UI
		return []string{segs[1], segs[3]}, after(segs[4:], 1)
	}
	if len(segs) >= 3 && segs[0] == "scm" { // Bitbucket Server clone URL
		segs = segs[1:]
	}
	for i := 2; i < len(segs); i++ {
		switch segs[i] {
		case "tree", "blob", "raw", "blame":
			return segs[:i], after(segs[i:], 2)
		case "src": // Bitbucket src/ref/dir; Gitea src/branch/ref/dir
			if i+1 < len(segs) && slices.Contains([]string{"branch", "commit", "tag"}, segs[i+1]) {
				return segs[:i], after(segs[i:], 3)
			}
			return segs[:i], after(segs[i:], 2)
		}
	}
	if twoLevel(host) && len(segs) > 2 { // github.com/o/n/pulls: the repository is o/n
		return segs[:2], nil
	}
	return segs, nil
}

// twoLevel hosts keep repositories at owner/name, never deeper.
func twoLevel(host string) bool {
	return host == "github.com" || host == "bitbucket.org" || strings.HasPrefix(host, "github.")
}

// after drops the first n segments (the marker and the ref); nil when nothing is left.
func after(segs []string, n int) []string {
	if len(segs) <= n {
		return nil
	}
	return segs[n:]
}

// segments splits a slash path into its parts, dropping empty and "." parts; ".." is an
// error (a reference never climbs).
func segments(p string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(p, "/") {
		switch s {
		case "", ".":
		case "..":
			return nil, errors.New(`".." in the path`)
		default:
			out = append(out, s)
		}
	}
	return out, nil
}

// isSCP reports the scp-like syntax git accepts: [user@]host:path, with the colon before
// any slash.
func isSCP(s string) bool {
	i := strings.Index(s, ":")
	j := strings.Index(s, "/")
	return i > 0 && (j < 0 || i < j) && i < len(s)-1
}

// looksLikeHost reports whether the first segment of a scheme-less reference is a host
// ("github.com/o/n") rather than an owner ("shop/checkout").
func looksLikeHost(s string) bool {
	return strings.Contains(s, ".") && !strings.HasPrefix(s, ".") && !strings.HasSuffix(s, ".")
}

// Redact removes credentials from a repository URL: the whole user part of an http(s)
// URL (a token is often the user name), the password of any other.
func Redact(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	auth, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		auth, tail = rest[:i], rest[i:]
	}
	at := strings.LastIndex(auth, "@")
	if at < 0 {
		return s
	}
	user, host := auth[:at], auth[at+1:]
	if sc := strings.ToLower(scheme); strings.Contains(sc, "http") {
		return scheme + "://" + host + tail
	}
	name, _, _ := strings.Cut(user, ":")
	return scheme + "://" + name + "@" + host + tail
}

// cutPrefixFold is strings.CutPrefix without case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// short is the start of s, for errors that must not echo a long input.
func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
