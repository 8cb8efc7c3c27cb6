package transport

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"sync"

	"github.com/mark3labs/mcp-go/server"
)

// ServeStdio serves MCP on in/out until ctx is done or in closes. Logs go to the logger
// (stderr), never to out, which belongs to the protocol. A line longer than
// MaxMessageBytes is answered by screen before mcp-go reads it; every other line reaches
// mcp-go unchanged and in order.
func ServeStdio(ctx context.Context, s *server.MCPServer, in io.Reader, out io.Writer, logger *slog.Logger) error {
	srv := server.NewStdioServer(s)
	srv.SetErrorLogger(log.New(slogWriter{logger}, "", 0))
	w := &lineWriter{w: out}
	err := srv.Listen(ctx, &screenedLines{in: bufio.NewReaderSize(in, 64<<10), out: w, log: logger}, w)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// screenedLines hands mcp-go the lines of in one at a time, answering an oversized one
// itself (screen) instead. The next line is read only when mcp-go asks for it, so
// messages are taken in the order they came.
type screenedLines struct {
	in   *bufio.Reader
	out  io.Writer
	log  *slog.Logger
	line []byte // the rest of the line mcp-go is reading
	err  error  // the error that ended in, returned once line is read
}

func (s *screenedLines) Read(p []byte) (int, error) {
	for len(s.line) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		s.line, s.err = s.in.ReadBytes('\n')
		if s.err == nil { // a last line without its newline goes on: mcp-go drops it, as always
			if err := s.answer(); err != nil {
				return 0, err
			}
		}
	}
	n := copy(p, s.line)
	s.line = s.line[n:]
	return n, nil
}

// answer answers the line itself, and takes it from mcp-go, when screen refuses it.
func (s *screenedLines) answer() error {
	r := screen(bytes.TrimRight(s.line, "\r\n"))
	if r == nil {
		return nil
	}
	s.line = nil
	logRefusal(s.log, r)
	if r.reply == nil {
		return nil
	}
	_, err := s.out.Write(append(r.reply, '\n'))
	return err
}

// lineWriter makes each Write whole on out: mcp-go writes a message in one Write, and the
// refusals of screenedLines go between its messages, never into one.
type lineWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// logRefusal notes an oversized message at debug level: a client can send many.
func logRefusal(l *slog.Logger, r *refusal) {
	if l == nil {
		l = slog.Default()
	}
	what := "refused an oversized request"
	if r.reply == nil {
		what = "dropped an oversized notification"
	}
	l.Debug(what, "method", r.method, "tool", r.tool, "bytes", r.size, "limit", MaxMessageBytes)
}

type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn("stdio", "msg", string(p))
	return len(p), nil
}
