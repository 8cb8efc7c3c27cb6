// Package deploy_test checks what deploy/ ships besides the bundle: the registry entry
// (server.json), the container image recipe (Dockerfile) and the Helm chart.
package deploy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/opsctx/opsctx/config"
)

// registrySchema is the MCP registry's published server.json schema, copied from
// modelcontextprotocol/registry (internal/validators/schemas/2025-12-11.json, the file
// served at its $id); see testdata/README.md.
const (
	registrySchemaFile = "testdata/server.schema.2025-12-11.json"
	registrySchemaID   = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
)

// serverJSON is what the tests read of server.json.
type serverJSON struct {
	Schema   string `json:"$schema"`
	Name     string `json:"name"`
	Version  string `json:"version"`
	Packages []struct {
		RegistryType string `json:"registryType"`
		Identifier   string `json:"identifier"`
		Env          []struct {
			Name     string `json:"name"`
			IsSecret bool   `json:"isSecret"`
		} `json:"environmentVariables"`
	} `json:"packages"`
}

// bundleManifest is what the tests read of the bundle manifest.
type bundleManifest struct {
	Version string `json:"version"`
	Server  struct {
		MCPConfig struct {
			Env map[string]string `json:"env"`
		} `json:"mcp_config"`
	} `json:"server"`
}

func readJSON(t *testing.T, path string, v any) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

func registryValidator(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(registrySchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(registrySchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(registrySchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestServerJSON: the registry entry passes the registry's published schema and says what
// the rest of deploy/ says: the name the image is labelled with, the version of the bundle
// and the chart, and the same settings as the bundle (secrets marked secret).
func TestServerJSON(t *testing.T) {
	var s serverJSON
	raw := readJSON(t, "server.json", &s)
	schema := registryValidator(t)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("server.json does not pass the registry schema: %v", err)
	}
	if s.Schema != registrySchemaID {
		t.Errorf("$schema %q, want %q", s.Schema, registrySchemaID)
	}
	// The validator does reject what the registry rejects.
	for name, bad := range map[string]func(map[string]any){
		"description over 100 characters": func(m map[string]any) { m["description"] = strings.Repeat("x", 101) },
		"name without a namespace":        func(m map[string]any) { m["name"] = "opsctx" },
		"package version latest": func(m map[string]any) {
			m["packages"].([]any)[0].(map[string]any)["version"] = "latest"
		},
	} {
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		bad(m)
		b, _ := json.Marshal(m)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if schema.Validate(inst) == nil {
			t.Errorf("the schema accepts a server.json with a %s", name)
		}
	}

	var m bundleManifest
	readJSON(t, "mcpb/manifest.json", &m)
	if s.Version != m.Version {
		t.Errorf("server.json version %s, bundle manifest %s", s.Version, m.Version)
	}
	if len(s.Packages) != 1 || s.Packages[0].RegistryType != "oci" || s.Packages[0].Identifier != "ghcr.io/opsctx/opsctx:"+s.Version {
		t.Fatalf("packages %+v, want the OCI image ghcr.io/opsctx/opsctx:%s", s.Packages, s.Version)
	}
	if got := dockerLabel(t, "io.modelcontextprotocol.server.name"); got != s.Name {
		t.Errorf("the image is labelled %q, server.json names %q (the registry checks the label)", got, s.Name)
	}
	secret := map[string]bool{}
	for _, v := range config.Variables() {
		secret[v.Name] = v.Secret
	}
	var names []string
	for _, e := range s.Packages[0].Env {
		names = append(names, e.Name)
		if e.IsSecret != secret[e.Name] {
			t.Errorf("%s: isSecret=%v, opsctx's setting secret=%v", e.Name, e.IsSecret, secret[e.Name])
		}
	}
	var want []string
	for name := range m.Server.MCPConfig.Env {
		want = append(want, name)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("server.json asks for %v, the bundle for %v", names, want)
	}
}

// dockerfile returns the Dockerfile's instructions (continuation lines joined).
func dockerfile(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(string(b), "\\\n", " "), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func dockerLabel(t *testing.T, key string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(key) + `="([^"]*)"`)
	for _, ins := range dockerfile(t) {
		if strings.HasPrefix(ins, "LABEL ") {
			if m := re.FindStringSubmatch(ins); m != nil {
				return m[1]
			}
		}
	}
	return ""
}

// buildFlags returns the flags of a `go build` command line (up to -o), with the version
// variable spelled $VERSION.
func buildFlags(line string) string {
	_, rest, ok := strings.Cut(line, "go build ")
	if !ok {
		return ""
	}
	flags, _, _ := strings.Cut(rest, " -o ")
	return strings.ReplaceAll(flags, "${VERSION}", "$VERSION")
}

// TestDockerfile: a multi-stage build of a static binary (CGO off) with the build command
// the README documents, into a final image that has no shell, runs as a non-root user and
// starts opsctx directly.
func TestDockerfile(t *testing.T) {
	ins := dockerfile(t)
	var froms []int
	for i, s := range ins {
		if strings.HasPrefix(s, "FROM ") {
			froms = append(froms, i)
		}
	}
	if len(froms) < 2 {
		t.Fatalf("not a multi-stage build: %d FROM", len(froms))
	}
	var build string
	for _, s := range ins[:froms[len(froms)-1]] {
		if strings.Contains(s, "go build") {
			build = s
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "CGO_ENABLED=0 go build ") {
			documented = line
		}
	}
	if documented == "" || buildFlags(build) != buildFlags(documented) || !strings.Contains(build, "CGO_ENABLED=0") || !strings.HasSuffix(build, "./cmd/opsctx") {
		t.Errorf("the image builds with\n  %s\nthe README documents\n  %s", build, documented)
	}
	final := ins[froms[len(froms)-1]:]
	if !strings.HasPrefix(final[0], "FROM gcr.io/distroless/static") {
		t.Errorf("final stage %q: want a distroless static base (no shell, no package manager)", final[0])
	}
	var user, entry string
	for _, s := range final {
		switch {
		case strings.HasPrefix(s, "RUN "):
			t.Errorf("the final stage runs %q: it has no shell", s)
		case strings.HasPrefix(s, "USER "):
			user = strings.TrimPrefix(s, "USER ")
		case strings.HasPrefix(s, "ENTRYPOINT "):
			entry = strings.TrimPrefix(s, "ENTRYPOINT ")
		}
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" || strings.Trim(uid, "0123456789") != "" {
		t.Errorf("USER %q: want a numeric non-root user (Kubernetes' runAsNonRoot checks it)", user)
	}
	if entry != `["/opsctx"]` {
		t.Errorf("ENTRYPOINT %s: want the binary itself, exec form", entry)
	}
}
