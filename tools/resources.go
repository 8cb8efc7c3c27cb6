package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/args"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/model"
)

// ServiceResource is the JSON of opsctx://services/{name}: one resolved service.
type ServiceResource struct {
	Name    string            `json:"name"`
	Title   string            `json:"title"`
	Owners  []directory.Owner `json:"owners"`
	Records []model.Service   `json:"records"`
	Matches []directory.Match `json:"matches"`
	Edges   []directory.Edge  `json:"edges"`
}

// SourcesResource is the JSON of opsctx://sources.
type SourcesResource struct {
	Sources []model.SourceStatus `json:"sources"`
}

// AddResources registers the resources on s.
func AddResources(s *server.MCPServer, d Deps) {
	s.AddResource(mcp.NewResource("opsctx://sources", "sources",
		mcp.WithResourceDescription("Every source with its status now (ok, error, stale, disabled), as of when, latency and error."),
		mcp.WithMIMEType("application/json")),
		func(ctx context.Context, r mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			_, st := d.Engine.Directory(ctx)
			return jsonContents(r.Params.URI, SourcesResource{Sources: st})
		})
	s.AddResourceTemplate(mcp.NewResourceTemplate("opsctx://services/{name}", "service",
		mcp.WithTemplateDescription("One service as opsctx resolved it across sources: its records, how each matched, owners and dependency edges."),
		mcp.WithTemplateMIMEType("application/json")),
		func(ctx context.Context, r mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			e, dir, err := lookupService(ctx, d, templateArg(r, "name"))
			if err != nil {
				return nil, err
			}
			up, down := dir.Neighbours(e.Name)
			res := ServiceResource{Name: e.Name, Title: e.Title(), Owners: e.Owners(), Records: e.Records, Matches: e.Matches, Edges: append(up, down...)}
			return jsonContents(r.Params.URI, res)
		})
}

const servicePrefix = "opsctx://services/"

// lookupService resolves the name of a service resource to exactly one service.
func lookupService(ctx context.Context, d Deps, name string) (*directory.Entity, *directory.Directory, error) {
	if err := args.Check("service", name); err != nil {
		return nil, nil, err
	}
	dir, _ := d.Engine.Directory(ctx)
	cands := dir.Lookup(name)
	switch {
	case len(cands) == 0 || !cands[0].Exact:
		return nil, nil, fmt.Errorf("no service named %s: use find_service", args.Quote(name))
	case len(cands) > 1:
		return nil, nil, fmt.Errorf("the name %s fits %d services: use find_service", args.Quote(name), len(cands))
	}
	return cands[0].Entity, dir, nil
}

// resourceNotFound makes resources/read of a service opsctx does not know (or cannot tell
// apart) answer "resource not found" (-32002; -32602 under protocol 2026-07-28, as mcp-go
// chooses per request) instead of an internal error. mcp-go answers every resource
// handler's error with -32603 but a URI that matches no resource with not found, so this
// hook, run before the match, points such a request at no resource: the URI becomes the
// reason, which the error message then carries.
func resourceNotFound(d Deps) server.OnBeforeReadResourceFunc {
	return func(ctx context.Context, _ any, r *mcp.ReadResourceRequest) {
		rest, ok := strings.CutPrefix(r.Params.URI, servicePrefix)
		if !ok {
			return
		}
		name, err := url.PathUnescape(rest)
		if err != nil {
			name = rest
		}
		if _, _, err := lookupService(ctx, d, name); err != nil {
			r.Params.URI = err.Error()
		}
	}
}

func templateArg(r mcp.ReadResourceRequest, key string) string {
	if v, ok := r.Params.Arguments[key]; ok {
		switch x := v.(type) {
		case []string:
			if len(x) > 0 {
				return x[0]
			}
		case string:
			return x
		}
	}
	s := strings.TrimPrefix(r.Params.URI, servicePrefix)
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

func jsonContents(uri string, v any) ([]mcp.ResourceContents, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: "application/json", Text: string(b)}}, nil
}
