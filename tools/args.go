package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/internal/timeutil"
)

// required rejects an empty argument.
func required(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return badArg("%s is required", name)
	}
	return nil
}

// duration parses an optional duration argument with a default.
func duration(name, v string, def time.Duration) (time.Duration, error) {
	if strings.TrimSpace(v) == "" {
		return def, nil
	}
	d, err := timeutil.ParseDuration(v)
	if err != nil {
		return 0, badArg("%s: %v", name, err)
	}
	return d, nil
}

// MaxHorizon bounds how far ahead an answer looks (PagerDuty lists shifts up to 90 days ahead).
const MaxHorizon = 90 * 24 * time.Hour

// horizon parses the optional horizon argument: 0 (the default) when empty.
func horizon(v string) (time.Duration, error) {
	h, err := duration("horizon", v, 0)
	if err == nil && (h < 0 || h > MaxHorizon) {
		err = badArg("horizon must be between 0 and 90d, not %s", v)
	}
	return h, err
}

// bounded applies a default to 0 and rejects values outside 1..maxV.
func bounded(name string, v, def, maxV int) (int, error) {
	if v == 0 {
		return def, nil
	}
	if v < 1 || v > maxV {
		return 0, badArg("%s must be between 1 and %d, not %d", name, maxV, v)
	}
	return v, nil
}

// Scope is the argument every tool takes to narrow its answer to some source instances.
type Scope struct {
	Environment Environment `json:"environment,omitempty" jsonschema:"Only these source instances: an instance name (eu-west-1, prod) or source name (alertmanager/eu-west-1), or a list of them. A source with an instance named here is asked only there; sources with no instance named here are asked as usual. Omit for every instance."`
}

func (s Scope) scope() Scope { return s }

// scoped is implemented by the arguments of every tool (they embed Scope).
type scoped interface{ scope() Scope }

// Environment is an instance name or a list of them, given as a string (commas or spaces
// between names) or as an array of strings.
type Environment []string

// UnmarshalJSON accepts a string or an array of strings.
func (e *Environment) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*e = strings.FieldsFunc(one, func(r rune) bool { return r == ',' || r == ' ' })
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("environment must be an instance name or a list of them")
	}
	*e = nil
	for _, m := range many {
		*e = append(*e, strings.FieldsFunc(m, func(r rune) bool { return r == ',' || r == ' ' })...)
	}
	return nil
}

// environmentSchema declares the environment argument as a string or an array of strings
// (the struct's reflection knows only the array).
func environmentSchema(t mcp.Tool) mcp.Tool {
	var schema map[string]any
	if t.RawInputSchema == nil || json.Unmarshal(t.RawInputSchema, &schema) != nil {
		return t
	}
	props, _ := schema["properties"].(map[string]any)
	env, ok := props["environment"].(map[string]any)
	if !ok {
		return t
	}
	props["environment"] = map[string]any{"description": env["description"],
		"anyOf": []any{map[string]any{"type": "string"}, map[string]any{"type": "array", "items": map[string]any{"type": "string"}}}}
	raw, err := json.Marshal(schema)
	if err != nil {
		panic(fmt.Sprintf("tools: input schema of %s: %v", t.Name, err)) // a programming error
	}
	t.RawInputSchema = raw
	return t
}
