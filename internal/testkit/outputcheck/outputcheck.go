// Package outputcheck validates a tool's structuredContent against the outputSchema the tool
// advertises, as a strict MCP client does. Tests run it on every answer they read; the
// server itself does not validate at run time, because its results are encoded from the
// very types their schemas are generated from, and the check cost more than the cached
// answer (see the Benchmarks section of README.md).
package outputcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validate checks structured (a decoded or typed result) against tool's output schema.
func Validate(tool mcp.Tool, structured any) error {
	schema := tool.RawOutputSchema
	if len(schema) == 0 {
		if tool.OutputSchema.Type == "" {
			return fmt.Errorf("%s advertises no outputSchema", tool.Name)
		}
		var err error
		if schema, err = json.Marshal(tool.OutputSchema); err != nil {
			return err
		}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return fmt.Errorf("%s outputSchema: %w", tool.Name, err)
	}
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource("out.json", doc); err != nil {
		return err
	}
	sch, err := comp.Compile("out.json")
	if err != nil {
		return fmt.Errorf("%s outputSchema does not compile: %w", tool.Name, err)
	}
	if structured == nil {
		return errors.New(tool.Name + " returned no structuredContent")
	}
	raw, err := json.Marshal(structured)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("%s structuredContent does not validate against its outputSchema: %w\n%s", tool.Name, err, raw)
	}
	return nil
}

// Lister is an MCP client's tools/list (client.Client has it).
type Lister interface {
	ListTools(ctx context.Context, req mcp.ListToolsRequest) (*mcp.ListToolsResult, error)
}

// Check validates structured against the outputSchema that c's server advertises for tool.
func Check(ctx context.Context, c Lister, tool string, structured any) error {
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list.Tools, func(tl mcp.Tool) bool { return tl.Name == tool })
	if i < 0 {
		return fmt.Errorf("%s not in tools/list", tool)
	}
	return Validate(list.Tools[i], structured)
}
