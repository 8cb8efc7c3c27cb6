package catalogmodel

import (
	"path"
	"path/filepath"
	"strings"

	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/repourl"
)

// Annotations that say where a service's code lives (Backstage and its GitHub and GitLab
// plugins).
const (
	AnnotationGitHubSlug     = "github.com/project-slug"
	AnnotationGitLabSlug     = "gitlab.com/project-slug"
	AnnotationGitLabInstance = "gitlab.com/instance"
	AnnotationSourceLocation = "backstage.io/source-location"
	AnnotationManagedBy      = "backstage.io/managed-by-location"
)

// Repos returns where annotations say the service's code lives, most telling first: the
// source location (url: or dir:, a relative dir: taken from the catalog file's location),
// the project slugs, then the folder of the catalog file itself (managed-by-location).
// Statements that cannot be read are skipped; the same place is kept once.
func Repos(ann map[string]string) []model.Repo {
	var out []model.Repo
	add := func(r model.Repo, ok bool) {
		if !ok {
			return
		}
		for _, o := range out {
			if o.Host == r.Host && o.Path == r.Path && o.Dir == r.Dir && o.Local == r.Local {
				return
			}
		}
		out = append(out, r)
	}
	managed, managedOK := location(ann[AnnotationManagedBy], model.Repo{}, true)
	if v := ann[AnnotationSourceLocation]; v != "" {
		r, ok := location(v, managed, false)
		r.Via = "annotation " + AnnotationSourceLocation
		add(r, ok && (managedOK || !relativeDir(v)))
	}
	if v := strings.TrimSpace(ann[AnnotationGitHubSlug]); v != "" {
		r, err := repourl.Parse(v)
		add(model.Repo{Path: r.Path, Via: "annotation " + AnnotationGitHubSlug}, err == nil && r.Host == "" && r.Dir == "")
	}
	if v := strings.TrimSpace(ann[AnnotationGitLabSlug]); v != "" {
		r, err := repourl.Parse(v)
		host := strings.ToLower(strings.TrimSpace(ann[AnnotationGitLabInstance]))
		if _, rest, ok := strings.Cut(host, "://"); ok { // an instance given as a URL
			host = rest
		}
		host = strings.TrimSuffix(host, "/")
		add(model.Repo{Host: host, Path: r.Path, Via: "annotation " + AnnotationGitLabSlug}, err == nil && r.Host == "" && r.Dir == "")
	}
	managed.Via = "annotation " + AnnotationManagedBy
	add(managed, managedOK)
	return out
}

// location reads a Backstage location reference: url:<URL> (a repository, a folder or,
// for a catalog file, the folder holding it), file:<path> (a local catalog file's folder)
// or dir:<path> (a local folder; relative to the catalog file's location base).
func location(v string, base model.Repo, isFile bool) (model.Repo, bool) {
	typ, target, ok := strings.Cut(strings.TrimSpace(v), ":")
	if !ok || target == "" {
		return model.Repo{}, false
	}
	switch strings.ToLower(typ) {
	case "url":
		r, err := repourl.Parse(target)
		if err != nil {
			return model.Repo{}, false
		}
		if isFile && isCatalogFile(r.Dir) {
			r.Dir = strings.TrimPrefix(path.Dir("/"+r.Dir), "/")
		}
		return model.Repo{Host: r.Host, Path: r.Path, Dir: r.Dir}, true
	case "file":
		if !filepath.IsAbs(target) {
			return model.Repo{}, false
		}
		return model.Repo{Local: filepath.Dir(filepath.Clean(target))}, true
	case "dir":
		switch {
		case filepath.IsAbs(target) || strings.HasPrefix(target, "/"):
			return model.Repo{Local: filepath.Clean(target)}, true
		case base.Local != "":
			return model.Repo{Local: filepath.Join(base.Local, target)}, true
		case base.Path != "":
			r, ok := repourl.Repo{Host: base.Host, Path: base.Path, Dir: base.Dir}.Join(target)
			return model.Repo{Host: r.Host, Path: r.Path, Dir: r.Dir}, ok
		}
	}
	return model.Repo{}, false
}

// relativeDir reports a dir: location that needs the catalog file's location.
func relativeDir(v string) bool {
	typ, target, _ := strings.Cut(strings.TrimSpace(v), ":")
	return strings.EqualFold(typ, "dir") && !filepath.IsAbs(target) && !strings.HasPrefix(target, "/")
}

// isCatalogFile reports whether the last part of a location names a file (a YAML or
// JSON document) rather than a folder.
func isCatalogFile(dir string) bool {
	ext := strings.ToLower(path.Ext(dir))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}
