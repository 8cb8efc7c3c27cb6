package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/args"
	"github.com/opsctx/opsctx/internal/directory"
	"github.com/opsctx/opsctx/internal/engine"
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

// SourcesResource is the JSON of opsctx://sources: every configured source instance.
type SourcesResource struct {
	Sources []SourceInfo `json:"sources"`
}

// SourceInfo is one source instance as opsctx knows it without probing it (`opsctx check`
// probes): its kind, what it can answer, and its status. Secrets and URLs are never shown.
type SourceInfo struct {
	Name string `json:"name"`
	// Kind is the vendor (servicenow, prometheus, ...); Instance the instance's own name,
	// empty for a kind's single unnamed instance.
	Kind     string `json:"kind"`
	Instance string `json:"instance,omitempty"`
	// Status is ok, partial, stale or error as this read (catalog sources) or the latest
	// answer that asked the source left it; unknown when no answer has asked it since
	// opsctx started; disabled when it is not configured.
	Status model.SourceState `json:"status"`
	// Seen says where the status comes from: "now" (read for this resource), "last answer",
	// or "never" (not asked since start).
	Seen         string    `json:"seen,omitempty"`
	AsOf         time.Time `json:"as_of,omitzero"`
	LatencyMS    int64     `json:"latency_ms"`
	Error        string    `json:"error,omitempty"`
	Capabilities []string  `json:"capabilities,omitempty"`
}

// stateUnknown is the status of a source no answer has asked since opsctx started.
const stateUnknown model.SourceState = "unknown"

// sourceInfos lists every configured source with its kind, capabilities and status, then
// the disabled ones.
func sourceInfos(ctx context.Context, e *engine.Engine) []SourceInfo {
	_, now := e.Directory(ctx)
	last := e.LastSeen()
	find := func(sts []model.SourceStatus, name string) (model.SourceStatus, bool) {
		i := slices.IndexFunc(sts, func(s model.SourceStatus) bool { return s.Name == name })
		if i < 0 {
			return model.SourceStatus{}, false
		}
		return sts[i], true
	}
	var out []SourceInfo
	for _, src := range e.Sources() {
		n := src.Name()
		in := SourceInfo{Name: n, Kind: model.SourceKind(n), Instance: model.SourceInstance(n), Status: stateUnknown, Seen: "never",
			Error: "not asked since opsctx started", Capabilities: connectors.Capabilities(src)}
		for _, k := range []struct {
			sts  []model.SourceStatus
			seen string
		}{{now, "now"}, {last, "last answer"}} {
			if st, ok := find(k.sts, n); ok && st.Status != model.StateDisabled {
				in.Status, in.AsOf, in.LatencyMS, in.Error, in.Seen = st.Status, st.AsOf, st.LatencyMS, st.Error, k.seen
				break
			}
		}
		out = append(out, in)
	}
	for _, n := range e.Disabled() {
		out = append(out, SourceInfo{Name: n, Kind: model.SourceKind(n), Instance: model.SourceInstance(n), Status: model.StateDisabled,
			Error: "not configured"})
	}
	return out
}

// AddResources registers the resources on s.
func AddResources(s *server.MCPServer, d Deps) {
	s.AddResource(mcp.NewResource("opsctx://sources", "sources",
		mcp.WithResourceDescription("Every configured source instance: its kind, what it can answer (capabilities) and its status "+
			"(ok, partial, stale, error; unknown when no answer has asked it yet; disabled), where that status comes from, as of when, latency and error. "+
			"Catalog sources are read for it; the others are as the latest answer left them (opsctx check probes them all)."),
		mcp.WithMIMEType("application/json")),
		func(ctx context.Context, r mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return jsonContents(r.Params.URI, SourcesResource{Sources: sourceInfos(ctx, d.Engine)})
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
