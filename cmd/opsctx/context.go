package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/opsctx/opsctx/internal/answer"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/render"
	"github.com/opsctx/opsctx/internal/timeutil"
	"github.com/opsctx/opsctx/internal/workspace"
)

func contextCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("context", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: opsctx context SERVICE [flags]   or   opsctx context --incident ID | --repo REPO | --path PATH [flags]")
		fmt.Fprintln(stderr, "       (with none of them, the checkout of the current folder)")
		fs.PrintDefaults()
	}
	var c common
	c.register(fs)
	incident := fs.String("incident", "", "incident id or number instead of a service (PagerDuty, ServiceNow INC or CHG, Dynatrace P-…, Opsgenie or JSM)")
	repo := fs.String("repo", "", "a repository instead of a service: owner/name, an https or ssh URL, or a URL into a monorepo folder")
	path := fs.String("path", "", "a file or folder in a checkout instead of a service (default: the current folder)")
	asJSON := fs.Bool("json", false, "print the structured result as JSON")
	since := fs.String("since", "2h", "how far back to look (e.g. 90m, 2h, 3d)")
	detail := fs.String("detail", "standard", "brief, standard or full")
	environment := fs.String("environment", "", "only these source instances: instance or source names, comma-separated (e.g. eu-west-1,dynatrace/prod)")
	service, rest := splitPositional(args)
	if code, ok := parseFlags(fs, rest); !ok {
		return code
	}
	if service == "" && fs.NArg() > 0 {
		service = fs.Arg(0)
	}
	d, err := timeutil.ParseDuration(*since)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: --since: %v\n", err)
		return 2
	}
	level, err := answer.ParseDetail(*detail)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: --detail: %v\n", err)
		return 2
	}
	q := engine.Query{Service: service, Incident: *incident, Repo: *repo, Since: d, Detail: level}
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

// splitPositional lets the service name come before the flags (opsctx context checkout --demo).
func splitPositional(args []string) (string, []string) {
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		return args[0], args[1:]
	}
	return "", args
}
