package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/oauth"
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
	workspace := fs.String("workspace", "", "the folder (a checkout) that questions without a service are about; stdio only (default $OPSCTX_WORKSPACE)")
	if code, ok := parseNoArgs(fs, args, stderr); !ok {
		return code
	}
	// Every setting is checked before anything starts (the demo, the catalogs).
	cfg, err := load(c, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	if *addr == "" {
		*addr = cfg.HTTP.Addr
	}
	if *workspace == "" {
		*workspace = getenv("OPSCTX_WORKSPACE")
	}
	token, err := signIn(cfg, *addr, *tokenFile)
	if err == nil {
		*workspace, err = workspaceDir(*workspace, *addr != "")
	}
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}

	e, err := start(ctx, c, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	defer e.close()
	if len(cfg.Enabled()) == 0 {
		// Every answer says so too; said here first, loudly, so the operator sees it.
		e.log.Error("NO SOURCE IS CONFIGURED: every answer will say nothing is known; set a source's URL or credentials (e.g. PROMETHEUS_URL, PAGERDUTY_API_TOKEN, OPSCTX_CATALOG) or --config FILE, and run `opsctx check`")
	}
	loaded := prefetch(ctx, e)
	defer func() { <-loaded }()
	s := tools.NewServer(tools.Deps{Engine: e.engine, Workspace: *workspace, Local: *addr == "",
		TextOnly: cfg.ResultForm == config.ResultText, Logger: e.log}, version.Version)
	if *addr == "" {
		e.log.Info("serving MCP over stdio", "sources", e.cfg.Enabled(), "workspace", *workspace)
		if err := transport.ServeStdio(ctx, s, stdin, stdout, e.log); err != nil {
			e.log.Error("stdio server stopped", "err", err)
			return 1
		}
		return 0
	}
	o := transport.HTTPOptions{Addr: *addr, Token: token, AllowedOrigins: cfg.HTTP.AllowedOrigins, Logger: e.log}
	if cfg.HTTP.OAuth.Enabled() {
		v, err := newVerifier(ctx, e, cfg.HTTP.OAuth)
		if err != nil {
			fmt.Fprintf(stderr, "opsctx: %v\n", err)
			return 1
		}
		defer v.Close()
		o.OAuth = v
	}
	if err := transport.ServeHTTP(ctx, s, o); err != nil {
		fmt.Fprintf(stderr, "opsctx: %v\n", err)
		return 1
	}
	return 0
}

// signIn returns the static bearer token for HTTP (from --auth-token-file or the
// configuration) and checks that the address is one serve may bind with the sign-in set.
func signIn(cfg *config.Config, addr, tokenFile string) (string, error) {
	token := cfg.HTTP.AuthToken.Value()
	if tokenFile != "" {
		if cfg.HTTP.OAuth.Enabled() {
			return "", errors.New("--auth-token-file and OPSCTX_OAUTH_ISSUER are both set: use one sign-in, the static token or OAuth")
		}
		sec, err := config.ReadSecretFile(tokenFile)
		if err != nil {
			return "", fmt.Errorf("--auth-token-file: %w", err)
		}
		token = sec.Value()
	}
	if addr == "" {
		return "", nil
	}
	return token, transport.CheckAddr(addr, token != "" || cfg.HTTP.OAuth.Enabled())
}

// workspaceDir checks the workspace folder: an existing directory, made absolute, and only
// for stdio (over HTTP the server's folders are not the caller's).
func workspaceDir(dir string, http bool) (string, error) {
	if dir == "" {
		return "", nil
	}
	if http {
		return "", errors.New("--workspace (or OPSCTX_WORKSPACE) is for stdio only: over --http the server's folders are not the caller's")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("--workspace: %w", err)
	}
	st, err := os.Stat(abs)
	switch {
	case err != nil:
		return "", fmt.Errorf("--workspace %s: %w", abs, errors.Unwrap(err))
	case !st.IsDir():
		return "", fmt.Errorf("--workspace %s is not a directory", abs)
	}
	return abs, nil
}

// newVerifier builds the OAuth token verifier and resolves the issuer's keys now, so that
// a wrong issuer shows at start; a failure is retried on later requests (the issuer may be
// briefly unreachable while replicas start).
func newVerifier(ctx context.Context, e *env, o config.OAuth) (*oauth.Verifier, error) {
	v, err := oauth.New(oauth.Options{Issuer: o.Issuer, Audience: o.Audience, Resource: o.Resource, Scope: o.Scope, Logger: e.log})
	if err != nil {
		return nil, err
	}
	if err := v.Discover(ctx); err != nil {
		e.log.Error("sign-in not ready: the issuer's keys could not be fetched; requests retry", "issuer", o.Issuer, "err", err)
	} else {
		e.log.Info("sign-in ready", "issuer", o.Issuer, "audience", o.Audience)
	}
	return v, nil
}

// prefetch signs in to the sources that need a token and loads every catalog (and warms the
// reference data) in the background as the server starts, so that the first question pays
// neither round trip. The channel closes when both are done.
func prefetch(ctx context.Context, e *env) <-chan struct{} {
	done := make(chan struct{})
	signedIn := make(chan struct{})
	go func() {
		defer close(signedIn)
		for _, s := range e.engine.SignIn(ctx) {
			if s.Status != model.StateOK {
				e.log.Warn("sign-in failed", "source", s.Name, "err", s.Error)
			}
		}
	}()
	go func() {
		defer close(done)
		defer func() { <-signedIn }()
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
