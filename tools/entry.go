package tools

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/opsctx/opsctx/internal/caller"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/workspace"
)

// Entry are what incident_context, who_owns, what_changed, blast_radius and find_service
// accept instead of a service name: what a responder holds. Exactly one of them, or the
// service, is given.
type Entry struct {
	Incident string `json:"incident,omitempty" jsonschema:"An incident reference instead of a service: PagerDuty incident id or number, ServiceNow INC or CHG number, Dynatrace problem id or display id (P-...), Opsgenie or JSM alert id or tiny id; prefix a source to pick one (pagerduty:4711). The answer is about the service it impacts; its root cause is named as such."`
	Repo     string `json:"repo,omitempty" jsonschema:"A repository instead of a service: owner/name, an https or ssh URL, git@host:owner/name.git, or a URL into a monorepo's folder or file (.../tree/main/services/x). Matched through the catalogs' repository annotations; no code host is called."`
	Host     string `json:"host,omitempty" jsonschema:"A host instead of a service: host name, FQDN, IP address, a Dynatrace HOST-... id or a Kubernetes namespace/workload. The answer is about the service running there (the one in trouble when several do; the others are listed)."`
	Path     string `json:"path,omitempty" jsonschema:"A file or folder in a local checkout instead of a service (the one you are working in): opsctx reads the nearest catalog-info.yaml, else the checkout's origin remote. Local (stdio) servers only; over HTTP pass repo."`
}

// errPathOverHTTP refuses a path asked of a server the caller does not share a disk with.
var errPathOverHTTP = badArg("path is for a local opsctx (stdio or the CLI): over HTTP the server never reads its own disk for a caller. " +
	"Pass repo instead: the checkout's origin URL (git@github.com:owner/name.git) or owner/name.")

// subject turns the service and entry arguments into the engine's subject. A path is read
// from the local disk (internal/workspace), only when this server shares the caller's
// disk (stdio) — over HTTP it is refused before anything is opened. With no argument at
// all, the workspace folder (serve --workspace) stands in for path.
func (d Deps) subject(ctx context.Context, service string, e Entry) (engine.Subject, error) {
	s := engine.Subject{Service: service, Incident: e.Incident, Repo: e.Repo, Host: e.Host}
	p := strings.TrimSpace(e.Path)
	if p == "" && d.Workspace != "" && isBlank(service, e.Incident, e.Repo, e.Host) {
		p = d.Workspace
	}
	if p == "" {
		return s, s.Check()
	}
	if !d.Local || caller.Remote(ctx) {
		return s, errPathOverHTTP
	}
	if err := engine.CheckArg("path", p); err != nil {
		return s, err
	}
	s.Checkout = &workspace.Checkout{Path: p} // counted by Check before the disk is read
	if err := s.Check(); err != nil {
		return s, err
	}
	if !filepath.IsAbs(p) && d.Workspace != "" {
		p = filepath.Join(d.Workspace, p)
	}
	c, err := workspace.Find(d.Files, p)
	if err != nil {
		return s, badArg("path: %v. Give the service name or repo instead.", err)
	}
	s.Checkout = c
	return s, nil
}

func isBlank(xs ...string) bool {
	for _, x := range xs {
		if strings.TrimSpace(x) != "" {
			return false
		}
	}
	return true
}
