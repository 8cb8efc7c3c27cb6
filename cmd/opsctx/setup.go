package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/internal/app"
	"github.com/opsctx/opsctx/internal/args"
	"github.com/opsctx/opsctx/internal/demo"
	"github.com/opsctx/opsctx/internal/engine"
	"github.com/opsctx/opsctx/internal/redact"
)

// common are the flags every command shares.
type common struct {
	configFile string
	demo       bool
	logLevel   string
	oneShot    bool // one answer and exit (context, check): no background warming
	afresh     bool // sign in rather than take a kept OAuth token (check)
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.configFile, "config", "", "YAML config file (default $OPSCTX_CONFIG; environment variables alone are enough)")
	fs.BoolVar(&c.demo, "demo", false, "start the embedded demo environment and point every source at it")
	fs.StringVar(&c.logLevel, "log-level", "", "debug, info, warn or error (default $OPSCTX_LOG_LEVEL or info)")
}

// env is what a command needs after setup.
type env struct {
	cfg    *config.Config
	engine *engine.Engine
	log    *slog.Logger
	close  func()
}

// setup loads the configuration and starts what the command needs (see load and start).
func setup(ctx context.Context, c common, stderr io.Writer, getenv func(string) string) (*env, error) {
	cfg, err := load(c, getenv)
	if err != nil {
		return nil, err
	}
	return start(ctx, c, cfg, stderr)
}

// load reads the configuration: the YAML file (--config or $OPSCTX_CONFIG) and the
// environment. It starts nothing, so a command can check its settings first.
func load(c common, getenv func(string) string) (*config.Config, error) {
	file := c.configFile
	if file == "" {
		file = getenv("OPSCTX_CONFIG")
	}
	return config.Load(file, getenv)
}

// start builds the engine for cfg. With --demo it first starts the demo, whose sources
// (and the SLOs defined on them) replace the configured ones; every other setting, such
// as the sign-in, the deadline or the log level, stays. Logs go to stderr.
func start(ctx context.Context, c common, cfg *config.Config, stderr io.Writer) (*env, error) {
	var (
		opts  app.Options
		close = func() {}
	)
	if c.demo {
		d, err := demo.Start(ctx)
		if err != nil {
			return nil, fmt.Errorf("starting the demo: %w", err)
		}
		cfg.Sources, cfg.SLOs = d.Config.Sources, d.Config.SLOs
		opts.CatalogFS, close = d.CatalogFS, d.Close
	}
	level := c.logLevel
	if level == "" {
		level = cfg.LogLevel
	}
	log := newLogger(stderr, level, cfg.Secrets())
	opts.Logger, opts.OneShot, opts.SignInAfresh = log, c.oneShot, c.afresh
	if !c.demo { // the demo's sources are new each run: nothing to keep
		opts.SnapshotDir = cfg.SnapshotDir()
	}
	eng := app.Engine(cfg, opts)
	stop := close
	close = func() { eng.Close(); stop() }
	return &env{cfg: cfg, engine: eng, log: log, close: close}, nil
}

// newLogger logs text to w at level, masking every configured secret.
func newLogger(w io.Writer, level string, secrets []string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(&redactWriter{w: w, secrets: secrets}, &slog.HandlerOptions{Level: l}))
}

// redactWriter masks secrets in everything written through it.
type redactWriter struct {
	w       io.Writer
	secrets []string
}

func (r *redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redact.String(string(p), r.secrets...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// parseFlags parses and reports flag errors as exit code 2.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// noSource is what a command that needs a source says when none is configured.
const noSource = "opsctx: no source is configured; see README (Configuration) or try --demo"

// parseAnywhere parses the flags on fs wherever they stand among the positional arguments
// (opsctx context --demo checkout --detail brief, or opsctx context checkout --demo) and
// returns the positional ones; after "--" everything is positional. A flag error is exit
// code 2 (0 for -h).
func parseAnywhere(fs *flag.FlagSet, argv []string) (pos []string, code int, ok bool) {
	for {
		if code, ok := parseFlags(fs, argv); !ok {
			return nil, code, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if len(argv) > len(rest) && argv[len(argv)-len(rest)-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos, argv = append(pos, rest[0]), rest[1:]
	}
}

// parseNoArgs parses the flags of a command that takes no positional argument, wherever
// they stand, and refuses a stray one instead of ignoring it (and the flags after it).
func parseNoArgs(fs *flag.FlagSet, argv []string, stderr io.Writer) (int, bool) {
	pos, code, ok := parseAnywhere(fs, argv)
	if ok && len(pos) > 0 {
		fmt.Fprintf(stderr, "opsctx: %s takes no arguments, only flags; not %s\n", fs.Name(), args.Quote(strings.Join(pos, " ")))
		return 2, false
	}
	return code, ok
}
