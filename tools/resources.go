package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

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
			name := templateArg(r, "name")
			dir, _ := d.Engine.Directory(ctx)
			cands := dir.Lookup(name)
			if len(cands) == 0 || !cands[0].Exact {
				return nil, fmt.Errorf("unknown service %q: use find_service", name)
			}
			if len(cands) > 1 {
				return nil, fmt.Errorf("service %q is ambiguous: use find_service", name)
			}
			e := cands[0].Entity
			up, down := dir.Neighbours(e.Name)
			res := ServiceResource{Name: e.Name, Title: e.Title(), Owners: e.Owners(), Records: e.Records, Matches: e.Matches, Edges: append(up, down...)}
			return jsonContents(r.Params.URI, res)
		})
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
	s := strings.TrimPrefix(r.Params.URI, "opsctx://services/")
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
