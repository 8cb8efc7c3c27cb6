package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/sourcegraph/conc/iter"

	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/redact"
	"github.com/opsctx/opsctx/internal/sanitize"
)

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	if code, ok := parseNoArgs(fs, args, stderr); !ok {
		return code
	}
	c.oneShot, c.afresh = true, true // the sign-in is probed, not taken from the kept token
	e, err := setup(ctx, c, stderr, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	defer e.close()
	srcs := e.engine.Sources()
	rows := iter.Map(srcs, func(s *connectors.Source) []connectors.ProbeResult {
		cctx, cancel := context.WithTimeout(ctx, e.cfg.TimeoutFor((*s).Name())+2*time.Second)
		defer cancel()
		return probes(cctx, *s)
	})
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tCAPABILITY\tSTATUS\tLATENCY\tDETAIL")
	failed := 0
	for i, rs := range rows {
		for _, r := range rs {
			status, detail := "ok", ""
			if r.Err != nil {
				status, detail = "FAIL", sanitize.Text(redact.String(checkDetail(r), e.cfg.Secrets()...), 300)
				if r.Optional {
					status = "WARN"
				} else {
					failed++
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%dms\t%s\n", srcs[i].Name(), r.Capability, status, r.Latency.Milliseconds(), detail)
		}
	}
	for _, n := range e.engine.Disabled() {
		fmt.Fprintf(tw, "%s\t-\tdisabled\t-\tnot configured\n", n)
	}
	_ = tw.Flush()
	if len(srcs) == 0 {
		fmt.Fprintln(stderr, noSource)
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// probes checks a source: its sign-in first when it signs in (every read needs the token, so
// a refused sign-in is the one line), then each capability of a Prober, else its Check as
// one line.
func probes(ctx context.Context, s connectors.Source) []connectors.ProbeResult {
	var out []connectors.ProbeResult
	if a, ok := s.(connectors.Authenticator); ok {
		r := connectors.RunProbes(ctx, []connectors.Probe{{Capability: "sign-in (OAuth token)", Run: a.SignIn}})[0]
		switch {
		case errors.Is(r.Err, connectors.ErrNoSignIn):
		case r.Err != nil:
			return []connectors.ProbeResult{r}
		default:
			out = append(out, r)
		}
	}
	if p, ok := s.(connectors.Prober); ok {
		return append(out, connectors.RunProbes(ctx, p.Probes())...)
	}
	return append(out, connectors.RunProbes(ctx, []connectors.Probe{{Capability: "access", Run: s.Check}})...)
}

// checkDetail says why a probe failed: a refused read (HTTP 403) names the permission it
// lacks, then the vendor's words; anything else is the error.
func checkDetail(r connectors.ProbeResult) string {
	var se *httpx.StatusError
	if errors.As(r.Err, &se) && se.Status == http.StatusForbidden && r.Needs != "" {
		return fmt.Sprintf("missing %s (HTTP 403: %s)", r.Needs, se.Message)
	}
	return r.Err.Error()
}
