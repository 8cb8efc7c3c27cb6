package main

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/tools"
)

func template(t *testing.T) *Manifest {
	t.Helper()
	b, err := os.ReadFile("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestManifestListsWhatTheServerRegisters: the manifest's tools and prompts are the
// server's, with the same descriptions and prompt arguments.
func TestManifestListsWhatTheServerRegisters(t *testing.T) {
	m := template(t)
	d := tools.Deps{Engine: engine.New(engine.Options{})}
	var want, got []string
	for _, st := range tools.Tools(d) {
		want = append(want, fmt.Sprintf("tool %s: %s", st.Tool.Name, st.Tool.Description))
	}
	for _, p := range tools.Prompts(d) {
		var args []string
		for _, a := range p.Prompt.Arguments {
			args = append(args, a.Name)
		}
		want = append(want, fmt.Sprintf("prompt %s(%s): %s", p.Prompt.Name, strings.Join(args, ", "), p.Prompt.Description))
	}
	for _, tool := range m.Tools {
		got = append(got, fmt.Sprintf("tool %s: %s", tool.Name, tool.Description))
	}
	for _, p := range m.Prompts {
		got = append(got, fmt.Sprintf("prompt %s(%s): %s", p.Name, strings.Join(p.Arguments, ", "), p.Description))
		if p.Text == "" {
			t.Errorf("prompt %s has no text", p.Name)
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("deploy/mcpb/manifest.json lists\n  %s\nthe server registers\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// tuning are source variables the desktop install does not ask for: they tune a source the
// user has already given (and have safe defaults).
var tuning = []string{"SERVICENOW_CI_CLASSES", "SERVICENOW_PARALLEL", "JSM_CLOUD_ID", "JSM_API_URL", "PAGERDUTY_TOKEN_URL", "DYNATRACE_TOKEN_URL"}

// TestManifestAsksForEverySource: user_config asks for the URL and credentials of every
// source and hands each to the server as the variable opsctx reads; every credential is
// marked sensitive (the client keeps it in the OS keychain) and nothing else is; and every
// option has a default, because an MCPB host leaves ${user_config.x} of an option without a
// value in place, which opsctx would take for a setting.
func TestManifestAsksForEverySource(t *testing.T) {
	m := template(t)
	opts, err := m.Options()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]config.Variable{}
	for _, v := range config.Variables() {
		vars[v.Name] = v
	}
	ref := regexp.MustCompile(`^\$\{user_config\.([a-z_]+)\}$`)
	used := map[string]bool{}
	for name, value := range m.Server.MCPConfig.Env {
		v, ok := vars[name]
		if !ok {
			t.Errorf("env %s: opsctx reads no such variable", name)
			continue
		}
		sub := ref.FindStringSubmatch(value)
		if sub == nil {
			t.Errorf("env %s = %q: want ${user_config.<option>}", name, value)
			continue
		}
		o, ok := opts[sub[1]]
		if !ok {
			t.Errorf("env %s: no user_config option %q", name, sub[1])
			continue
		}
		used[sub[1]] = true
		if o.Sensitive != v.Secret {
			t.Errorf("user_config %s (%s): sensitive=%v, but the setting is secret=%v", sub[1], name, o.Sensitive, v.Secret)
		}
		if strings.HasPrefix(v.Path, "sources.") && o.Default != "" {
			t.Errorf("user_config %s (%s): default %v would enable the source for everyone", sub[1], name, o.Default)
		}
	}
	for key, o := range opts {
		if !used[key] {
			t.Errorf("user_config %s is asked for but given to no variable", key)
		}
		if o.Default == nil || o.Title == "" || o.Description == "" || o.Required {
			t.Errorf("user_config %s: %+v; every option needs a title, a description and a default, and none is required", key, o)
		}
	}
	for _, v := range config.Variables() {
		if strings.HasPrefix(v.Path, "sources.") && !slices.Contains(tuning, v.Name) && m.Server.MCPConfig.Env[v.Name] == "" {
			t.Errorf("the bundle does not ask for %s: add it to user_config and server.mcp_config.env in deploy/mcpb/manifest.json", v.Name)
		}
	}
}

// TestBundleStarts builds the bundle for this machine (linux-amd64 in CI), unpacks it, starts
// the server from its manifest's command the way an MCPB host does (defaults, the user's
// values and ${__dirname} substituted), and gets answers to initialize and tools/list, and
// an answer from the catalog the user pointed it at.
func TestBundleStarts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a bundle")
	}
	p := Platform{runtime.GOOS, runtime.GOARCH}
	if !slices.Contains(Platforms, p) {
		t.Skipf("no bundle for %s", p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := moduleRoot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file, sum, err := Build(ctx, root, p, "0.0.0-test", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(sum) != 64 {
		t.Errorf("sha256 %q", sum)
	}
	dir := unpack(t, file)
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != "0.0.0-test" || !slices.Equal(m.Compatibility.Platforms, []string{p.mcpbPlatform()}) {
		t.Errorf("manifest version %q platforms %v", m.Version, m.Compatibility.Platforms)
	}

	catalog := t.TempDir()
	if err := os.WriteFile(filepath.Join(catalog, "catalog-info.yaml"), []byte(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: checkout}
spec: {type: service, lifecycle: production, owner: team-checkout}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	command, args, env := hostConfig(t, m, dir, map[string]string{"catalog": catalog})
	c, err := client.NewStdioMCPClient(command, append(env, "HOME="+t.TempDir()), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var ir mcp.InitializeRequest
	ir.Params.ClientInfo = mcp.Implementation{Name: "mcpb-host", Version: "0"}
	ir.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	res, err := c.Initialize(ctx, ir)
	if err != nil {
		t.Fatalf("initialize: %v", err)
	}
	if res.ServerInfo.Name != "opsctx" || res.ServerInfo.Version != "0.0.0-test" {
		t.Errorf("server info %+v", res.ServerInfo)
	}
	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names, listed []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	for _, tool := range m.Tools {
		listed = append(listed, tool.Name)
	}
	slices.Sort(names)
	slices.Sort(listed)
	if !slices.Equal(names, listed) {
		t.Errorf("tools/list %v, manifest %v", names, listed)
	}
	var call mcp.CallToolRequest
	call.Params.Name, call.Params.Arguments = "who_owns", map[string]any{"service": "checkout"}
	owned, err := c.CallTool(ctx, call)
	if err != nil || owned.IsError || !strings.Contains(fmt.Sprint(owned.StructuredContent), "team-checkout") {
		t.Errorf("who_owns checkout from the configured catalog: %v %+v", err, owned)
	}
}

// unpack extracts a bundle into a temp folder, keeping file modes.
func unpack(t *testing.T, file string) string {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dir := t.TempDir()
	for _, f := range zr.File {
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		src, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, f.Mode())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		out.Close()
		if strings.HasPrefix(f.Name, "server/") && f.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable in the bundle (mode %v)", f.Name, f.Mode())
		}
	}
	return dir
}

// hostConfig resolves mcp_config as an MCPB host does: ${__dirname} is the unpacked folder,
// ${user_config.KEY} the user's value or else the option's default; a variable without
// either stays as written (the reference implementation does the same).
func hostConfig(t *testing.T, m *Manifest, dir string, user map[string]string) (string, []string, []string) {
	t.Helper()
	opts, err := m.Options()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"__dirname": dir}
	for k, o := range opts {
		if s, ok := o.Default.(string); ok {
			vars["user_config."+k] = s
		}
	}
	for k, v := range user {
		vars["user_config."+k] = v
	}
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "${"+k+"}", v)
		}
		if strings.Contains(s, "${") {
			t.Errorf("%q keeps a variable no host fills in", s)
		}
		return s
	}
	var args, env []string
	for _, a := range m.Server.MCPConfig.Args {
		args = append(args, expand(a))
	}
	for k, v := range m.Server.MCPConfig.Env {
		env = append(env, k+"="+expand(v))
	}
	return expand(m.Server.MCPConfig.Command), args, env
}

// TestBuildFlagsAreDocumented: the bundles' binaries are built with the command the README
// documents for release builds (the Dockerfile's is checked against the same line).
func TestBuildFlagsAreDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	f := BuildFlags("$VERSION")
	want := fmt.Sprintf("CGO_ENABLED=0 go build %s %s %q -o opsctx ./cmd/opsctx", f[0], f[1], f[2])
	if !slices.Contains(strings.Split(string(readme), "\n"), want) {
		t.Errorf("the README does not document the release build:\n  %s", want)
	}
}
