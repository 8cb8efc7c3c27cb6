package main

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Manifest is an MCPB manifest (version 0.3) with the fields opsctx's template uses, in the
// template's order. Parts the builder never changes stay raw, so their order survives.
type Manifest struct {
	ManifestVersion string          `json:"manifest_version"`
	Name            string          `json:"name"`
	DisplayName     string          `json:"display_name,omitempty"`
	Version         string          `json:"version"`
	Description     string          `json:"description"`
	LongDescription string          `json:"long_description,omitempty"`
	Author          json.RawMessage `json:"author"`
	Repository      json.RawMessage `json:"repository,omitempty"`
	Homepage        string          `json:"homepage,omitempty"`
	Documentation   string          `json:"documentation,omitempty"`
	Support         string          `json:"support,omitempty"`
	Server          struct {
		Type       string `json:"type"`
		EntryPoint string `json:"entry_point"`
		MCPConfig  struct {
			Command string            `json:"command"`
			Args    []string          `json:"args"`
			Env     map[string]string `json:"env"`
		} `json:"mcp_config"`
	} `json:"server"`
	Tools []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tools"`
	Prompts []struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Arguments   []string `json:"arguments"`
		Text        string   `json:"text"`
	} `json:"prompts"`
	Keywords      []string `json:"keywords,omitempty"`
	Compatibility struct {
		Platforms []string `json:"platforms"`
	} `json:"compatibility"`
	UserConfig json.RawMessage `json:"user_config"`
}

// UserOption is one entry of user_config: a setting the client asks for at install time.
type UserOption struct {
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Sensitive   bool   `json:"sensitive"`
	Required    bool   `json:"required"`
	Default     any    `json:"default"`
}

// ParseManifest decodes a manifest, refusing fields Manifest does not know (so that the
// builder never drops one silently).
func ParseManifest(b []byte) (*Manifest, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	return &m, nil
}

// Options decodes user_config.
func (m *Manifest) Options() (map[string]UserOption, error) {
	var opts map[string]UserOption
	if err := json.Unmarshal(m.UserConfig, &opts); err != nil {
		return nil, fmt.Errorf("manifest.json user_config: %w", err)
	}
	return opts, nil
}
