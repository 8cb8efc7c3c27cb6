package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/sourcegraph/conc/iter"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/redact"
	"github.com/opsctx/opsctx/internal/sanitize"
)

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	c.oneShot = true
	e, err := setup(ctx, c, stderr, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	defer e.close()
	type result struct {
		name    string
		latency time.Duration
		err     error
	}
	srcs := e.engine.Sources()
	results := iter.Map(srcs, func(s *connectors.Source) result {
		cctx, cancel := context.WithTimeout(ctx, e.cfg.TimeoutFor((*s).Name())+2*time.Second)
		defer cancel()
		start := time.Now()
		err := (*s).Check(cctx)
		return result{(*s).Name(), time.Since(start), err}
	})
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATUS\tLATENCY\tDETAIL")
	failed := 0
	for _, r := range results {
		status, detail := "ok", ""
		if r.err != nil {
			failed++
			status, detail = "FAIL", sanitize.Text(redact.String(r.err.Error(), e.cfg.Secrets()...), 300)
		}
		fmt.Fprintf(tw, "%s\t%s\t%dms\t%s\n", r.name, status, r.latency.Milliseconds(), detail)
	}
	for _, n := range e.engine.Disabled() {
		fmt.Fprintf(tw, "%s\tdisabled\t-\tnot configured\n", n)
	}
	_ = tw.Flush()
	if len(srcs) == 0 {
		fmt.Fprintln(stderr, "opsctx: no source is configured; see README (Configuration) or try --demo")
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}
