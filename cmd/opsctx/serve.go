package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/transport"
	"github.com/opsctx/opsctx/internal/version"
	"github.com/opsctx/opsctx/tools"
)

func serveCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	addr := fs.String("http", "", "serve streamable HTTP on this address (e.g. 127.0.0.1:8080) instead of stdio")
	tokenFile := fs.String("auth-token-file", "", "file holding the bearer token HTTP clients must send (or $OPSCTX_AUTH_TOKEN)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	e, err := setup(ctx, c, stderr, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	defer e.close()
	loaded := prefetch(ctx, e)
	defer func() { <-loaded }()
	s := tools.NewServer(tools.Deps{Engine: e.engine}, version.Version)
	if *addr == "" {
		*addr = e.cfg.HTTP.Addr
	}
	if *addr == "" {
		e.log.Info("serving MCP over stdio", "sources", e.cfg.Enabled())
		if err := transport.ServeStdio(ctx, s, stdin, stdout, e.log); err != nil {
			e.log.Error("stdio server stopped", "err", err)
			return 1
		}
		return 0
	}
	token := e.cfg.HTTP.AuthToken.Value()
	if *tokenFile != "" {
		sec, err := config.ReadSecretFile(*tokenFile)
		if err != nil {
			fmt.Fprintf(stderr, "opsctx: --auth-token-file: %v\n", err)
			return 1
		}
		token = sec.Value()
	}
	err = transport.ServeHTTP(ctx, s, transport.HTTPOptions{Addr: *addr, Token: token, AllowedOrigins: e.cfg.HTTP.AllowedOrigins, Logger: e.log})
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	return 0
}

// prefetch loads every catalog (and warms the reference data) in the background as the
// server starts, so that the first question pays no catalog round trip. The channel closes
// when it is done.
func prefetch(ctx context.Context, e *env) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		start := time.Now()
		dir, statuses := e.engine.Directory(ctx)
		var failed []string
		for _, s := range statuses {
			if s.Status != model.StateOK && s.Status != model.StateDisabled {
				failed = append(failed, s.Name)
			}
		}
		e.log.Info("catalogs loaded", "services", len(dir.Entities), "took", time.Since(start).Round(time.Millisecond), "failing", failed)
	}()
	return done
}
