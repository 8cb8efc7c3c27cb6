package outputcheck

import (
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

type result struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

func TestValidate(t *testing.T) {
	tool := mcp.NewTool("t", mcp.WithOutputSchema[result]())
	for _, tc := range []struct {
		name       string
		structured any
		wantErr    string
	}{
		{"typed result", result{Name: "checkout", Count: 2}, ""},
		{"decoded result", map[string]any{"name": "checkout", "count": 2}, ""},
		{"wrong type", map[string]any{"name": "checkout", "count": "two"}, "does not validate"},
		{"missing required", map[string]any{"name": "checkout"}, "does not validate"},
		{"no content", nil, "no structuredContent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tool, tc.structured)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Validate = %v, want %q", err, tc.wantErr)
			}
		})
	}
	if err := Validate(mcp.NewTool("bare"), result{}); err == nil {
		t.Error("a tool without outputSchema validated")
	}
}
