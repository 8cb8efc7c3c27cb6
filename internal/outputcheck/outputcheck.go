// Package outputcheck validates a tool's structuredContent against the outputSchema the tool
// advertises, as a strict MCP client does. Tests run it on every answer they read; the
// server itself does not validate at run time, because its results are encoded from the
// very types their schemas are generated from, and the check cost more than the cached
// answer (see the Benchmarks section of README.md).
package outputcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

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
