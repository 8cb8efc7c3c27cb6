package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/answer/audit"
	"github.com/opsctx/opsctx/internal/answer/blast"
	"github.com/opsctx/opsctx/internal/answer/find"
	"github.com/opsctx/opsctx/internal/answer/incident"
	"github.com/opsctx/opsctx/internal/answer/issues"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/testkit/toolsnaps"
)

func allTools(t *testing.T) []server.ServerTool {
	t.Helper()
	return Tools(Deps{Engine: engine.New(engine.Options{})})
}

func TestToolSnapshots(t *testing.T) {
	for _, st := range allTools(t) {
		if err := toolsnaps.Test(st.Tool.Name, st.Tool); err != nil {
			t.Error(err)
		}
	}
}

// TestAnnotations: every tool is read-only, not destructive, idempotent and open-world,
// as seen by a client through tools/list.
func TestAnnotations(t *testing.T) {
	s := NewServer(Deps{Engine: engine.New(engine.Options{})}, "test")
	resp := s.HandleMessage(context.Background(), []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	raw, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Result struct {
			Tools []struct {
				Name        string `json:"name"`
				Annotations struct {
					ReadOnly    *bool `json:"readOnlyHint"`
					Destructive *bool `json:"destructiveHint"`
					Idempotent  *bool `json:"idempotentHint"`
					OpenWorld   *bool `json:"openWorldHint"`
				} `json:"annotations"`
				OutputSchema json.RawMessage `json:"outputSchema"`
			} `json:"tools"`
		} `json:"result"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Result.Tools) != len(allTools(t)) {
		t.Fatalf("tools/list has %d tools, want %d: %s", len(list.Result.Tools), len(allTools(t)), raw)
	}
	for _, tool := range list.Result.Tools {
		a := tool.Annotations
		if a.ReadOnly == nil || !*a.ReadOnly || a.Destructive == nil || *a.Destructive || a.Idempotent == nil || !*a.Idempotent || a.OpenWorld == nil || !*a.OpenWorld {
			t.Errorf("%s: annotations must be readOnly=true destructive=false idempotent=true openWorld=true: %s", tool.Name, raw)
		}
		if len(tool.OutputSchema) == 0 {
			t.Errorf("%s: no outputSchema", tool.Name)
		}
	}
}

// TestSchemasGenerate catches struct tags that make the schema generator silently fall
// back to an empty object schema.
func TestSchemasGenerate(t *testing.T) {
	checks := map[string]func() (json.RawMessage, error){
		"IncidentContextArgs": mcp.SchemaForRaw[IncidentContextArgs],
		"IncidentContext":     mcp.SchemaForRaw[answer.IncidentContext],
		"FindServiceArgs":     mcp.SchemaForRaw[FindServiceArgs],
		"FindResult":          mcp.SchemaForRaw[find.Result],
		"WhatChangedArgs":     mcp.SchemaForRaw[WhatChangedArgs],
		"WhatChangedResult":   mcp.SchemaForRaw[incident.WhatChangedResult],
		"WhoOwnsArgs":         mcp.SchemaForRaw[WhoOwnsArgs],
		"WhoOwnsResult":       mcp.SchemaForRaw[incident.WhoOwnsResult],
		"BlastRadiusArgs":     mcp.SchemaForRaw[BlastRadiusArgs],
		"BlastRadiusResult":   mcp.SchemaForRaw[blast.Result],
		"ActiveIssuesArgs":    mcp.SchemaForRaw[ActiveIssuesArgs],
		"ActiveIssuesResult":  mcp.SchemaForRaw[issues.Result],
		"BoundaryAuditArgs":   mcp.SchemaForRaw[BoundaryAuditArgs],
		"AuditResult":         mcp.SchemaForRaw[audit.Result],
	}
	for name, f := range checks {
		raw, err := f()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var s struct {
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(raw, &s); err != nil || len(s.Properties) == 0 {
			t.Errorf("%s: schema has no properties: %s", name, raw)
		}
	}
}

func TestArgumentValidation(t *testing.T) {
	tests := []struct {
		name    string
		deps    Deps
		args    IncidentContextArgs
		wantErr string
	}{
		{"neither", Deps{}, IncidentContextArgs{}, "give a service"},
		{"both", Deps{}, IncidentContextArgs{Service: "a", Entry: Entry{Incident: "b"}}, "not several (service, incident)"},
		{"repo and path", Deps{Local: true}, IncidentContextArgs{Entry: Entry{Repo: "a/b", Path: "."}}, "not several (repo, path)"},
		{"bad since", Deps{}, IncidentContextArgs{Service: "a", Since: "yesterday"}, "since:"},
		{"bad detail", Deps{}, IncidentContextArgs{Service: "a", Detail: "huge"}, "detail must be"},
		{"days ok", Deps{}, IncidentContextArgs{Service: "a", Since: "3d"}, ""},
		{"incident ok", Deps{}, IncidentContextArgs{Entry: Entry{Incident: " INC0012345 "}}, ""},
		{"service too long", Deps{}, IncidentContextArgs{Service: strings.Repeat("x", 257)}, "the limit is 256"},
		{"repo too long", Deps{}, IncidentContextArgs{Entry: Entry{Repo: strings.Repeat("x", 2049)}}, "the limit is 2048"},
		{"path too long", Deps{Local: true}, IncidentContextArgs{Entry: Entry{Path: strings.Repeat("x", 4097)}}, "the limit is 4096"},
		{"path on a server that does not share the disk", Deps{}, IncidentContextArgs{Entry: Entry{Path: "/tmp"}}, "over HTTP the server never reads its own disk"},
		{"path that is no checkout", Deps{Local: true}, IncidentContextArgs{Entry: Entry{Path: t.TempDir()}}, "no catalog-info.yaml and no git checkout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ContextQuery(tt.args)
			if err == nil {
				_, err = tt.deps.subject(context.Background(), tt.args.Service, tt.args.Entry)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
