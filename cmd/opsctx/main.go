// Command opsctx is an MCP server (and a small CLI) that gives AI assistants connected
// operational context: catalog, alerts, problems, changes, owners and on-call, joined.
//
//	opsctx serve [--http 127.0.0.1:8080] [--demo]   MCP over stdio (default) or streamable HTTP
//	opsctx context SERVICE [--incident ID] [--json] the incident_context answer
//	opsctx check [--demo]                           probe every configured source
//	opsctx version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

const usage = `usage: opsctx <command> [flags]

commands:
  serve     serve MCP over stdio (default) or streamable HTTP (--http ADDR)
  context   print the incident_context answer for a service (or --incident ID)
  check     probe every configured source (auth + reachability)
  version   print the version

Run 'opsctx <command> -h' for the flags of a command.
`

// run is main without process globals, for tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	stderr = &syncWriter{w: stderr} // the log and direct messages may write at once (serve's catalog load)
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serveCmd(ctx, args[1:], stdin, stdout, stderr, getenv)
	case "context":
		return contextCmd(ctx, args[1:], stdout, stderr, getenv)
	case "check":
		return checkCmd(ctx, args[1:], stdout, stderr, getenv)
	case "version", "--version", "-v":
		return versionCmd(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "opsctx: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// syncWriter serialises writes to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
