package deploy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/opsctx/opsctx/config"
)

// helmBinary returns Helm: $OPSCTX_HELM (.ci/run builds Helm v4 from the Go module proxy)
// or helm on PATH. Without it the chart tests are skipped locally and fail under CI=true.
func helmBinary(t *testing.T) string {
	t.Helper()
	if h := os.Getenv("OPSCTX_HELM"); h != "" {
		return h
	}
	if h, err := exec.LookPath("helm"); err == nil {
		return h
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI must render the chart: .ci/run builds Helm v4 and sets OPSCTX_HELM")
	}
	t.Skip("no helm: set OPSCTX_HELM (e.g. GOBIN=/tmp/helm go install helm.sh/helm/v4/cmd/helm@v4.3.2)")
	return ""
}

// object is one rendered Kubernetes object.
type object map[string]any

func (o object) kind() string { return fmt.Sprint(o["kind"]) }

// get walks a path of map keys and list indexes.
func (o object) get(path ...any) any {
	var v any = map[string]any(o)
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// render runs helm template with values and returns the objects by kind.
func render(t *testing.T, helm, values string) (map[string]object, error) {
	t.Helper()
	vf := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(vf, []byte(values), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(helm, "template", "opsctx", "chart/opsctx", "--namespace", "ops", "-f", vf)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%v: %s", err, errb.String())
	}
	objs := map[string]object{}
	dec := yaml.NewDecoder(&out)
	for {
		var o map[string]any // not object: yaml would decode nested mappings as object too
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("rendered YAML: %v\n%s", err, out.String())
		}
		if o != nil {
			objs[object(o).kind()] = o
		}
	}
	return objs, nil
}

const teamValues = `
replicaCount: 3
env:
  SERVICENOW_INSTANCE_URL: https://acme.service-now.com
  DYNATRACE_ENV_URL: https://abc12345.live.dynatrace.com
secretEnv:
  PAGERDUTY_API_TOKEN: canary-pd-token
  SERVICENOW_PASSWORD: canary-sn-password
existingSecret: opsctx-credentials
signIn:
  mode: oauth
  oauth:
    issuer: https://login.example.com/realms/ops
    audience: https://opsctx.example.com/mcp
    scope: opsctx
cache:
  url: redis://:canary-redis-password@valkey.opsctx:6379/0
`

// TestChart renders the chart as a team would and checks the objects: a non-root,
// read-only-root pod with probes on /healthz, resource requests, credentials only in
// Secrets, the sign-in and the cache settings where opsctx reads them.
func TestChart(t *testing.T) {
	helm := helmBinary(t)
	objs, err := render(t, helm, teamValues)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"Deployment", "Service", "ConfigMap", "Secret"} {
		if objs[kind] == nil {
			t.Fatalf("no %s rendered", kind)
		}
	}
	d := objs["Deployment"]
	pod := func(path ...any) any { return d.get(append([]any{"spec", "template", "spec"}, path...)...) }
	ctr := func(path ...any) any { return pod(append([]any{"containers", 0}, path...)...) }
	checks := []struct {
		what string
		got  any
		want any
	}{
		{"replicas", d.get("spec", "replicas"), 3},
		{"pod runAsNonRoot", pod("securityContext", "runAsNonRoot"), true},
		{"pod runAsUser", pod("securityContext", "runAsUser"), 65532},
		{"container runAsNonRoot", ctr("securityContext", "runAsNonRoot"), true},
		{"read-only root file system", ctr("securityContext", "readOnlyRootFilesystem"), true},
		{"no privilege escalation", ctr("securityContext", "allowPrivilegeEscalation"), false},
		{"capabilities dropped", ctr("securityContext", "capabilities", "drop", 0), "ALL"},
		{"no service-account token", pod("automountServiceAccountToken"), false},
		{"liveness path", ctr("livenessProbe", "httpGet", "path"), "/healthz"},
		{"liveness port", ctr("livenessProbe", "httpGet", "port"), "http"},
		{"readiness path", ctr("readinessProbe", "httpGet", "path"), "/healthz"},
		{"readiness port", ctr("readinessProbe", "httpGet", "port"), "http"},
		{"container port", ctr("ports", 0, "containerPort"), 8080},
		{"command", fmt.Sprint(ctr("args")), "[serve --http 0.0.0.0:8080]"},
		{"image", ctr("image"), "ghcr.io/opsctx/opsctx:0.1.0"},
		{"writable /tmp", ctr("volumeMounts", 0, "mountPath"), "/tmp"},
		{"service port", objs["Service"].get("spec", "ports", 0, "targetPort"), "http"},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	for _, r := range []string{"cpu", "memory"} {
		if ctr("resources", "requests", r) == nil {
			t.Errorf("no %s request", r)
		}
	}
	var from []string
	for i := range 3 {
		if n := ctr("envFrom", i, "configMapRef", "name"); n != nil {
			from = append(from, "configmap/"+fmt.Sprint(n))
		}
		if n := ctr("envFrom", i, "secretRef", "name"); n != nil {
			from = append(from, "secret/"+fmt.Sprint(n))
		}
	}
	if want := []string{"configmap/opsctx", "secret/opsctx", "secret/opsctx-credentials"}; !slices.Equal(from, want) {
		t.Errorf("envFrom %v, want %v", from, want)
	}

	// Settings in the ConfigMap, credentials (and the cache URL, which may hold one) in the Secret.
	cm, _ := objs["ConfigMap"].get("data").(map[string]any)
	for k, v := range map[string]string{
		"SERVICENOW_INSTANCE_URL": "https://acme.service-now.com", "OPSCTX_OAUTH_ISSUER": "https://login.example.com/realms/ops",
		"OPSCTX_OAUTH_AUDIENCE": "https://opsctx.example.com/mcp", "OPSCTX_OAUTH_SCOPE": "opsctx",
	} {
		if cm[k] != v {
			t.Errorf("ConfigMap %s = %v, want %s", k, cm[k], v)
		}
	}
	secret := map[string]bool{}
	for _, v := range config.Variables() {
		secret[v.Name] = v.Secret
	}
	for k, v := range cm {
		if secret[k] || k == "OPSCTX_CACHE_URL" || strings.Contains(fmt.Sprint(v), "canary-") {
			t.Errorf("a credential in the ConfigMap: %s", k)
		}
	}
	sd, _ := objs["Secret"].get("stringData").(map[string]any)
	for k, v := range map[string]string{"PAGERDUTY_API_TOKEN": "canary-pd-token", "SERVICENOW_PASSWORD": "canary-sn-password",
		"OPSCTX_CACHE_URL": "redis://:canary-redis-password@valkey.opsctx:6379/0"} {
		if sd[k] != v {
			t.Errorf("Secret %s = %v, want %s", k, sd[k], v)
		}
	}
}

// TestChartRefuses: values that would put a credential in the ConfigMap, or leave the
// server without sign-in (or with two), fail the install with what to do.
func TestChartRefuses(t *testing.T) {
	helm := helmBinary(t)
	oauth := "signIn: {mode: oauth, oauth: {issuer: https://login.example.com, audience: https://opsctx.example.com/mcp}}\n"
	tests := []struct{ name, values, want string }{
		{"no sign-in", "", "signIn.mode=oauth needs"},
		{"token mode without a token", "signIn: {mode: token}\n", "needs OPSCTX_AUTH_TOKEN"},
		{"both sign-ins", oauth + "secretEnv: {OPSCTX_AUTH_TOKEN: x}\n", "use one sign-in"},
		{"unknown mode", "signIn: {mode: basic}\n", "must be oauth or token"},
		{"cache URL in env", oauth + "env: {OPSCTX_CACHE_URL: redis://x}\n", "set cache.url"},
	}
	// Every credential opsctx reads is refused in env (the chart tells them by name).
	for _, v := range config.Variables() {
		if v.Secret && v.Name != "OPSCTX_CACHE_URL" { // refused with its own message above
			tests = append(tests, struct{ name, values, want string }{"credential " + v.Name, oauth + "env: {" + v.Name + ": x}\n", "looks like a credential"})
		}
	}
	for _, tt := range tests {
		if _, err := render(t, helm, tt.values); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want a failure saying %q", tt.name, err, tt.want)
		}
	}
	// The static token and a cache in a Secret the team manages.
	objs, err := render(t, helm, "signIn: {mode: token}\nexistingSecret: opsctx-credentials\ncache: {existingSecret: valkey, existingSecretKey: uri}\n")
	if err != nil {
		t.Fatal(err)
	}
	d := objs["Deployment"]
	env := d.get("spec", "template", "spec", "containers", 0, "env", 0)
	if fmt.Sprint(env) != "map[name:OPSCTX_CACHE_URL valueFrom:map[secretKeyRef:map[key:uri name:valkey]]]" {
		t.Errorf("cache from an existing Secret: %v", env)
	}
	if objs["Secret"] != nil {
		t.Errorf("a Secret rendered with nothing to keep")
	}
	if cm := fmt.Sprint(objs["ConfigMap"].get("data")); strings.Contains(cm, "OAUTH") {
		t.Errorf("token sign-in renders OAuth settings: %s", cm)
	}
}
