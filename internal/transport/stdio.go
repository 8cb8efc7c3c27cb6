package transport

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/mark3labs/mcp-go/server"
)

// ServeStdio serves MCP on in/out until ctx is done or in closes. Logs go to the logger
// (stderr), never to out, which belongs to the protocol.
func ServeStdio(ctx context.Context, s *server.MCPServer, in io.Reader, out io.Writer, logger *slog.Logger) error {
	srv := server.NewStdioServer(s)
	srv.SetErrorLogger(log.New(slogWriter{logger}, "", 0))
	err := srv.Listen(ctx, in, out)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Warn("stdio", "msg", string(p))
	return len(p), nil
}
