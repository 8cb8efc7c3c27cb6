// Command mcpb builds the opsctx MCP Bundles (.mcpb), the installable form desktop clients
// take with a double click: one per platform, each a zip of manifest.json (this folder's
// template, made specific to the platform and version) and the opsctx binary, built with the
// Go toolchain and CGO off. From the repository root:
//
//	go run ./deploy/mcpb -version 0.1.0            # all platforms into dist/
//	go run ./deploy/mcpb -version 0.1.0 -platforms linux/amd64 -out /tmp/b
//
// It prints each bundle with its SHA-256 and writes them to SHA256SUMS beside the bundles.
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Platform is one target of a bundle.
type Platform struct{ OS, Arch string }

// Platforms are the bundles built by default.
var Platforms = []Platform{{"darwin", "arm64"}, {"darwin", "amd64"}, {"windows", "amd64"}, {"linux", "amd64"}, {"linux", "arm64"}}

func (p Platform) String() string { return p.OS + "/" + p.Arch }

// mcpbPlatform is the name MCPB (Node's process.platform) gives the OS.
func (p Platform) mcpbPlatform() string {
	if p.OS == "windows" {
		return "win32"
	}
	return p.OS
}

func (p Platform) exe() string {
	if p.OS == "windows" {
		return "opsctx.exe"
	}
	return "opsctx"
}

// BuildFlags are the go build flags of every released binary (bundles and the container
// image): a static binary, no local paths, the version stamped in.
func BuildFlags(version string) []string {
	return []string{"-trimpath", "-ldflags", "-s -w -X github.com/opsctx/opsctx/internal/version.Version=" + version}
}

func main() {
	version := flag.String("version", "", "the version to stamp into the binaries and manifests, e.g. 0.1.0 (required)")
	out := flag.String("out", "dist", "folder for the bundles")
	only := flag.String("platforms", "", "comma-separated os/arch to build (default all: "+platformList(Platforms)+")")
	flag.Parse()
	if *version == "" {
		fmt.Fprintln(os.Stderr, "mcpb: -version is required, e.g. -version 0.1.0")
		os.Exit(2)
	}
	platforms, err := choose(*only)
	if err == nil {
		err = run(context.Background(), *version, *out, platforms, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mcpb:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, version, out string, platforms []Platform, w io.Writer) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var sums strings.Builder
	for _, p := range platforms {
		file, sum, err := Build(ctx, root, p, version, out)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Fprintf(&sums, "%s  %s\n", sum, filepath.Base(file))
		fmt.Fprintf(w, "%s  %s\n", sum, file)
	}
	return os.WriteFile(filepath.Join(out, "SHA256SUMS"), []byte(sums.String()), 0o644)
}

// Build builds the bundle of p into out and returns its path and SHA-256 (hex).
func Build(ctx context.Context, root string, p Platform, version, out string) (string, string, error) {
	tmp, err := os.MkdirTemp("", "opsctx-mcpb-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, p.exe())
	cmd := exec.CommandContext(ctx, "go", append(append([]string{"build"}, BuildFlags(version)...), "-o", bin, "./cmd/opsctx")...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go build: %v\n%s", err, b)
	}
	template, err := os.ReadFile(filepath.Join(root, "deploy", "mcpb", "manifest.json"))
	if err != nil {
		return "", "", err
	}
	m, err := PlatformManifest(template, p, version)
	if err != nil {
		return "", "", err
	}
	var zipped bytes.Buffer
	if err := pack(&zipped, m, bin, p); err != nil {
		return "", "", err
	}
	file := filepath.Join(out, fmt.Sprintf("opsctx-%s-%s-%s.mcpb", version, p.OS, p.Arch))
	if err := os.WriteFile(file, zipped.Bytes(), 0o644); err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(zipped.Bytes())
	return file, hex.EncodeToString(sum[:]), nil
}

// PlatformManifest makes the manifest template specific to p and version: the version, the
// platform, and the binary's name (.exe on Windows).
func PlatformManifest(template []byte, p Platform, version string) ([]byte, error) {
	m, err := ParseManifest(template)
	if err != nil {
		return nil, err
	}
	m.Version = version
	m.Server.EntryPoint = "server/" + p.exe()
	m.Server.MCPConfig.Command = "${__dirname}/server/" + p.exe()
	m.Compatibility.Platforms = []string{p.mcpbPlatform()}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// pack writes the bundle: manifest.json and server/<binary> (executable).
func pack(w io.Writer, manifest []byte, bin string, p Platform) error {
	zw := zip.NewWriter(w)
	mf, err := zw.CreateHeader(&zip.FileHeader{Name: "manifest.json", Method: zip.Deflate})
	if err != nil {
		return err
	}
	if _, err := mf.Write(manifest); err != nil {
		return err
	}
	h := &zip.FileHeader{Name: "server/" + p.exe(), Method: zip.Deflate}
	h.SetMode(0o755)
	bf, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	f, err := os.Open(bin)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(bf, f); err != nil {
		return err
	}
	return zw.Close()
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", errors.New("run it inside the opsctx module (go env GOMOD is empty)")
	}
	return filepath.Dir(gomod), nil
}

func choose(list string) ([]Platform, error) {
	if list == "" {
		return Platforms, nil
	}
	var out []Platform
	for _, s := range strings.Split(list, ",") {
		found := false
		for _, p := range Platforms {
			if p.String() == strings.TrimSpace(s) {
				out, found = append(out, p), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown platform %q (known: %s)", s, platformList(Platforms))
		}
	}
	return out, nil
}

func platformList(ps []Platform) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, ",")
}
