package tools

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/answer/find"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/fake"
	"github.com/opsctx/opsctx/internal/model"
)

// catalogOf is an engine over one in-memory catalog of n services named svc-0000...
func catalogOf(n int) *engine.Engine {
	var cat model.Catalog
	for i := range n {
		name := fmt.Sprintf("svc-%04d", i)
		cat.Services = append(cat.Services, model.Service{ID: name, Name: name, Owner: "team-" + name[len(name)-1:]})
	}
	return engine.New(engine.Options{Sources: []connectors.Source{&fake.Memory{SourceName: "catalogfile", Cat: cat}}})
}

func call(t *testing.T, d Deps, tool string, arguments map[string]any) *mcp.CallToolResult {
	t.Helper()
	for _, st := range Tools(d) {
		if st.Tool.Name != tool {
			continue
		}
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = tool, arguments
		res, err := st.Handler(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: protocol error %v", tool, err)
		}
		return res
	}
	t.Fatalf("no tool %s", tool)
	return nil
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// TestArgumentLimits: every tool refuses an argument past its limit with a tool error that
// names the argument and the limit and repeats no more than a short prefix of the input.
func TestArgumentLimits(t *testing.T) {
	d := Deps{Engine: catalogOf(5000)}
	huge := strings.Repeat("x", 1<<20)
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"incident_context", map[string]any{"service": huge[:10<<10]}, "service is too long"},
		{"incident_context", map[string]any{"service": huge}, "the limit is 256"},
		{"incident_context", map[string]any{"incident": huge}, "incident is too long"},
		{"incident_context", map[string]any{"service": "svc-0001", "since": huge}, "since is too long"},
		{"what_changed", map[string]any{"service": huge}, "service is too long"},
		{"who_owns", map[string]any{"service": huge}, "service is too long"},
		{"blast_radius", map[string]any{"service": huge}, "service is too long"},
		{"active_issues", map[string]any{"team": huge}, "team is too long"},
		{"boundary_audit", map[string]any{"team": huge}, "team is too long"},
		{"find_service", map[string]any{"query": huge}, "query is too long"},
		{"find_service", map[string]any{"query": "svc", "environment": []any{huge}}, "environment is too long"},
		{"find_service", map[string]any{huge: "x"}, "argument name"},
	}
	for _, tt := range tests {
		t.Run(tt.tool+" "+tt.want, func(t *testing.T) {
			res := call(t, d, tt.tool, tt.args)
			msg := text(res)
			if !res.IsError || !strings.Contains(msg, tt.want) {
				t.Fatalf("IsError=%v %.300q, want a tool error with %q", res.IsError, msg, tt.want)
			}
			if len(msg) > 200 {
				t.Errorf("the error repeats %d bytes of input: %.300q", len(msg), msg)
			}
		})
	}
}

// TestUnknownServiceSuggestsWithinTheLimit: a name at the limit still gets its suggestions
// and a short echo.
func TestUnknownServiceSuggestsWithinTheLimit(t *testing.T) {
	d := Deps{Engine: catalogOf(5000)}
	res := call(t, d, "who_owns", map[string]any{"service": "svc-00x1"})
	if msg := text(res); !res.IsError || !strings.Contains(msg, `Did you mean "svc-0001"`) {
		t.Fatalf("%q, want a suggestion", msg)
	}
	res = call(t, d, "who_owns", map[string]any{"service": strings.Repeat("y", 256)})
	if msg := text(res); !res.IsError || !strings.Contains(msg, "unknown service") || len(msg) > 200 {
		t.Fatalf("%q, want unknown service with a short echo", msg)
	}
}

// TestStakeholderUpdateMinutes: next_update_minutes is a whole number of minutes.
func TestStakeholderUpdateMinutes(t *testing.T) {
	d := Deps{Engine: catalogOf(10)}
	h := Prompts(d)[1].Handler
	for _, tt := range []struct{ in, want string }{
		{"", "in 30 minutes"}, {"45", "in 45 minutes"}, {" 15 ", "in 15 minutes"},
		{"abc", "whole number"}, {"-5", "whole number"}, {"1e3", "whole number"}, {"100000", "whole number"},
		{strings.Repeat("9", 1000), "too long"},
	} {
		req := mcp.GetPromptRequest{}
		req.Params.Name = "stakeholder_update"
		req.Params.Arguments = map[string]string{"service": "svc-0001", "next_update_minutes": tt.in}
		res, err := h(context.Background(), req)
		got := fmt.Sprint(err)
		if err == nil {
			got = res.Messages[0].Content.(mcp.TextContent).Text
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("next_update_minutes=%.20q: %.200q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFindServiceListsTheCatalog: "*" and an empty call list the catalog by name, a page at
// a time, with the total, in both channels.
func TestFindServiceListsTheCatalog(t *testing.T) {
	d := Deps{Engine: catalogOf(120)}
	tests := []struct {
		args          map[string]any
		first, last   string
		n             int
		next          *int
		text, notText string
	}{
		{map[string]any{"query": "*"}, "svc-0000", "svc-0049", 50, ptr(50), "ask again with offset 50", ""},
		{map[string]any{}, "svc-0000", "svc-0049", 50, ptr(50), "The catalog holds 120 services; 1 to 50", ""},
		{map[string]any{"query": " * ", "offset": 100}, "svc-0100", "svc-0119", 20, nil, "101 to 120", "ask again"},
		{map[string]any{"query": "*", "offset": 10, "limit": 5}, "svc-0010", "svc-0014", 5, ptr(15), "offset 15", ""},
		{map[string]any{"query": "*", "offset": 500}, "", "", 0, nil, "The catalog holds 120 services", "ask again"},
	}
	for _, tt := range tests {
		res := call(t, d, "find_service", tt.args)
		if res.IsError {
			t.Fatalf("%v: %s", tt.args, text(res))
		}
		r := res.StructuredContent.(*find.Result)
		if r.Listing == nil || r.Listing.Total != 120 || len(r.Candidates) != tt.n {
			t.Fatalf("%v: listing %+v with %d candidates, want 120 in all and %d here", tt.args, r.Listing, len(r.Candidates), tt.n)
		}
		if tt.n > 0 && (r.Candidates[0].Name != tt.first || r.Candidates[tt.n-1].Name != tt.last) {
			t.Errorf("%v: page %s..%s, want %s..%s", tt.args, r.Candidates[0].Name, r.Candidates[tt.n-1].Name, tt.first, tt.last)
		}
		if (r.Listing.NextOffset == nil) != (tt.next == nil) || tt.next != nil && *r.Listing.NextOffset != *tt.next {
			t.Errorf("%v: next_offset %v, want %v", tt.args, r.Listing.NextOffset, tt.next)
		}
		md := text(res)
		if !strings.Contains(md, tt.text) || tt.notText != "" && strings.Contains(md, tt.notText) {
			t.Errorf("%v: markdown lacks %q (or has %q):\n%s", tt.args, tt.text, tt.notText, md)
		}
		if tt.n > 0 && (!strings.Contains(md, tt.first) || !strings.Contains(md, tt.last)) {
			t.Errorf("%v: markdown lacks the page's services", tt.args)
		}
	}
	for _, bad := range []map[string]any{{"query": "*", "limit": 201}, {"query": "*", "offset": -1}, {"query": "svc", "offset": 5}} {
		if res := call(t, d, "find_service", bad); !res.IsError {
			t.Errorf("%v: no tool error", bad)
		}
	}
}

func ptr(n int) *int { return &n }
