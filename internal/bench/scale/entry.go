package scale

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opsctx/opsctx/internal/bench"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/workspace"
)

// EntryResult is how long resolving each entry point to a service takes on a warm engine
// (catalogs loaded, everything open cached), per call.
type EntryResult struct {
	Name, Repo, Monorepo, Path, Host, SharedHost, Workload bench.Durations
}

// WithEntryPoints states where each service's code lives and what it runs on: service i
// in its own repository (every fifth in the corp/mono monorepo, folder services/<name>),
// on host host-<i/2> (two services per host, so a host question judges which is in
// trouble), with a Kubernetes id; the host records come from a CMDB source of their own.
func (d *Data) WithEntryPoints() {
	cat := &d.Catalog.Cat
	var cmdb model.Catalog
	for i := range cat.Services {
		s := &cat.Services[i]
		if i%5 == 0 {
			s.Repos = []model.Repo{{Host: "github.com", Path: "corp/mono", Dir: "services/" + s.Name, Via: "annotation backstage.io/source-location"}}
		} else {
			s.Repos = []model.Repo{{Host: "github.com", Path: "corp/" + s.Name, Via: "annotation github.com/project-slug"}}
		}
		s.Annotations = map[string]string{"backstage.io/kubernetes-id": s.Name, "backstage.io/kubernetes-namespace": "corp"}
		if i%2 == 0 {
			h := fmt.Sprintf("host-%05d", i/2)
			cmdb.Hosts = append(cmdb.Hosts, model.Host{ID: "ci-" + h, Name: h, FQDN: h + ".corp.example",
				IPs: []string{fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256)}, Kind: model.HostKindHost, Source: "servicenow"})
		}
		cmdb.Services = append(cmdb.Services, model.Service{ID: "sn-" + s.Name, Name: s.Name, Source: "servicenow"})
		cmdb.RunsOn = append(cmdb.RunsOn, model.RunsOn{From: "sn-" + s.Name, To: fmt.Sprintf("ci-host-%05d", i/2), Via: "Runs on::Runs", Source: "servicenow"})
	}
	d.Records.Cat = cmdb
}

// MeasureEntry resolves, calls times each, a service name, a repository, a monorepo URL
// into a folder, a local checkout path (read from disk as the tools do), a host running one
// service, a host running two, and a Kubernetes workload, on a warm engine over spec's
// organisation with entry points.
func MeasureEntry(ctx context.Context, spec Spec, calls int) (*EntryResult, error) {
	d := Generate(spec)
	d.WithEntryPoints()
	e := d.Engine(true)
	tgt := d.Target // svc-00042: own repository, shares host-00021 with svc-00043, the root cause of its problem
	mono := d.Names[40]
	dir, err := os.MkdirTemp("", "opsctx-bench-checkout")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	sub := filepath.Join(dir, "services", mono, "cmd")
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ".git", "config"), []byte("[remote \"origin\"]\n\turl = git@github.com:corp/mono.git\n"), 0o644); err != nil {
		return nil, err
	}
	single := fmt.Sprintf("host-%05d.corp.example", (spec.Services-1)/2) // odd count: the last host runs one service
	if spec.Services%2 == 0 {
		single = ""
	}
	res := &EntryResult{}
	cases := []struct {
		into *bench.Durations
		ask  func() (engine.Subject, error)
		want string
	}{
		{&res.Name, func() (engine.Subject, error) { return engine.Subject{Service: tgt}, nil }, tgt},
		{&res.Repo, func() (engine.Subject, error) {
			return engine.Subject{Repo: "git@github.com:Corp/" + tgt + ".git"}, nil
		}, tgt},
		{&res.Monorepo, func() (engine.Subject, error) {
			return engine.Subject{Repo: "https://github.com/corp/mono/blob/main/services/" + mono + "/cmd/main.go"}, nil
		}, mono},
		{&res.Path, func() (engine.Subject, error) {
			c, err := workspace.Find(workspace.OS, sub)
			return engine.Subject{Checkout: c}, err
		}, mono},
		{&res.SharedHost, func() (engine.Subject, error) { return engine.Subject{Host: "host-00021.corp.example:9100"}, nil }, d.Names[43]}, // failing beats degraded
		{&res.Workload, func() (engine.Subject, error) { return engine.Subject{Host: "corp/" + tgt}, nil }, tgt},
	}
	if single != "" {
		cases = append(cases, struct {
			into *bench.Durations
			ask  func() (engine.Subject, error)
			want string
		}{&res.Host, func() (engine.Subject, error) { return engine.Subject{Host: single}, nil }, d.Names[spec.Services-1]})
	}
	for _, c := range cases { // warm: catalogs loaded, everything open cached
		s, err := c.ask()
		if err != nil {
			return nil, err
		}
		got, _, err := e.Resolve(ctx, s)
		if err != nil {
			return nil, err
		}
		if got != c.want {
			return nil, fmt.Errorf("%+v resolved to %s, want %s", s, got, c.want)
		}
	}
	for _, c := range cases {
		*c.into = make(bench.Durations, 0, calls)
		for range calls {
			start := time.Now()
			s, err := c.ask()
			if err != nil {
				return nil, err
			}
			if _, _, err := e.Resolve(ctx, s); err != nil {
				return nil, err
			}
			*c.into = append(*c.into, time.Since(start))
		}
	}
	return res, nil
}
