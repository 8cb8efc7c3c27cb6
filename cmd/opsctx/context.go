package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/opsctx/opsctx/internal/args"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/render"
	"github.com/opsctx/opsctx/internal/workspace"
	"github.com/opsctx/opsctx/tools"
)

func contextCmd(ctx context.Context, argv []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("context", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: opsctx context SERVICE [flags]   or   opsctx context --incident ID | --repo REPO | --path PATH | --host HOST [flags]")
		fmt.Fprintln(stderr, "       (with none of them, the checkout of the current folder)")
		fs.PrintDefaults()
	}
	var c common
	c.register(fs)
	fs.String("incident", "", "incident id or number instead of a service (PagerDuty, ServiceNow INC or CHG, Dynatrace P-…, Opsgenie or JSM)")
	repo := fs.String("repo", "", "a repository instead of a service: owner/name, an https or ssh URL, or a URL into a monorepo folder")
	host := fs.String("host", "", "a host instead of a service: host name, FQDN, IP address, Dynatrace HOST-… id or Kubernetes namespace/workload")
	path := fs.String("path", "", "a file or folder in a checkout instead of a service (default: the current folder)")
	asJSON := fs.Bool("json", false, "print the structured result as JSON")
	fs.String("since", "2h", "how far back to look (e.g. 90m, 2h, 3d)")
	fs.String("detail", "standard", "brief, standard or full")
	environment := fs.String("environment", "", "only these source instances: instance or source names, comma-separated (e.g. eu-west-1,dynatrace/prod)")
	pos, code, ok := parseAnywhere(fs, argv)
	if !ok {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "opsctx: context takes one service, not also %s\n", args.Quote(strings.Join(pos[1:], " ")))
		return 2
	}
	q, err := contextQuery(fs, pos)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 2
	}
	q.Repo, q.Host = *repo, *host
	if code, ok := checkout(&q, *path, stderr, fs.Usage); !ok {
		return code
	}
	c.oneShot = true
	e, err := setup(ctx, c, stderr, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	defer e.close()
	if len(e.engine.Sources()) == 0 {
		fmt.Fprintln(stderr, noSource)
		return 1
	}
	if ctx, err = e.engine.Narrow(ctx, strings.FieldsFunc(*environment, func(r rune) bool { return r == ',' || r == ' ' })); err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 2
	}
	ans, err := e.engine.IncidentContext(ctx, q)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ans); err != nil {
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, render.IncidentContext(ans))
	return 0
}

// checkout reads the checkout at path into q — at the current folder when q names nothing
// else — after checking that q names exactly one thing (before the disk is read).
func checkout(q *engine.Query, path string, stderr io.Writer, usage func()) (int, bool) {
	implicit := path == "" && q.Subject() == (engine.Subject{})
	if implicit {
		path = "."
	}
	if path != "" {
		q.Checkout = &workspace.Checkout{Path: path}
	}
	if err := q.Subject().Check(); err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 2, false
	}
	if path == "" {
		return 0, true
	}
	if err := engine.CheckArg("path", path); err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 2, false
	}
	c, err := workspace.Find(workspace.OS, path)
	switch {
	case implicit && errors.Is(err, workspace.ErrNothing):
		usage()
		fmt.Fprintf(stderr, "opsctx: no service given and %v\n", err)
		return 2, false
	case err != nil:
		fmt.Fprintf(stderr, "opsctx: --path: %v\n", err)
		return 2, false
	}
	q.Checkout = c
	return 0, true
}

// contextQuery checks the flags set on fs and the service among pos with the tools' own
// argument checks (limits, detail, durations): the CLI accepts what incident_context does.
func contextQuery(fs *flag.FlagSet, pos []string) (engine.Query, error) {
	set := map[string]any{}
	fs.Visit(func(f *flag.Flag) {
		if _, ok := args.Limits[f.Name]; ok { // the tools' arguments, not --config or --log-level
			set[f.Name] = f.Value.String()
		}
	})
	if len(pos) > 0 {
		set["service"] = pos[0]
	}
	if err := args.CheckAll(set); err != nil {
		return engine.Query{}, err
	}
	str := func(k string) string { s, _ := set[k].(string); return s }
	q, err := tools.ContextQuery(tools.IncidentContextArgs{Since: str("since"), Detail: str("detail")})
	if err != nil {
		return q, fmt.Errorf("--%v", err)
	}
	q.Service, q.Incident = str("service"), str("incident")
	return q, nil
}
