// Package transport serves the MCP server over stdio or streamable HTTP. The HTTP side adds
// sign-in (one static bearer token, or an OAuth resource server), Host and Origin checks,
// body and event-stream limits, /healthz and /metrics, and graceful shutdown.
package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/caller"
	"github.com/opsctx/opsctx/internal/loopback"
	"github.com/opsctx/opsctx/internal/metrics"
	"github.com/opsctx/opsctx/internal/oauth"
)

// MaxRequestBytes caps the size of one MCP request body.
const MaxRequestBytes = 1 << 20

// HTTPOptions configure the HTTP transport.
type HTTPOptions struct {
	// Addr is host:port to listen on, e.g. 127.0.0.1:8080.
	Addr string
	// Token is the one bearer token clients must send (the simple sign-in).
	Token string
	// OAuth, when set, makes the server an OAuth resource server: clients send access
	// tokens from the issuer it names. Token and OAuth are exclusive.
	OAuth *oauth.Verifier
	// AllowedOrigins are browser origins allowed besides loopback ones (e.g. https://chat.example.com).
	AllowedOrigins []string
	// Streams bound the GET /mcp event streams (DefaultStreams when zero).
	Streams StreamLimits
	Logger  *slog.Logger
}

// CheckAddr refuses a malformed address, and a non-loopback one without sign-in.
func CheckAddr(addr string, signIn bool) error {
	if addr == "" {
		return errors.New("--http needs an address, e.g. 127.0.0.1:8080")
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("--http %q: %v (use host:port, e.g. 127.0.0.1:8080)", addr, err)
	}
	if !loopback.Addr(addr) && !signIn {
		return fmt.Errorf("refusing to serve on %s without sign-in: binding beyond loopback needs OPSCTX_AUTH_TOKEN (or --auth-token-file), or OPSCTX_OAUTH_ISSUER and OPSCTX_OAUTH_AUDIENCE", addr)
	}
	return nil
}

// Handler returns the HTTP handler: /mcp (streamable HTTP), /metrics (both behind sign-in
// and the Host check), /healthz (open) and, with OAuth, the protected resource metadata.
func Handler(s *server.MCPServer, o HTTPOptions) http.Handler {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	limits := o.Streams.withDefaults()
	mcpH := server.NewStreamableHTTPServer(s, server.WithEndpointPath("/mcp"), server.WithStateLess(true),
		server.WithHeartbeatInterval(limits.KeepAlive), server.WithStreamableHTTPLogger(log))
	a := newAuth(o, log)
	mux := http.NewServeMux()
	mux.Handle("/mcp", guard(o, a, newStreams(limits).limit(singleMessage(log, remote(mcpH)))))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("/metrics", guard(o, a, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_ = metrics.Default.WriteText(w)
	})))
	if o.OAuth != nil {
		md := server.NewProtectedResourceMetadataHandler(o.OAuth.Metadata())
		mux.Handle(server.WellKnownProtectedResourcePath, md)
		if p := server.ProtectedResourceMetadataPath(o.OAuth.Metadata().Resource); p != server.WellKnownProtectedResourcePath {
			mux.Handle(p, md)
		}
	}
	return mux
}

// remote marks every request as coming over the network (caller.Remote): tools then read
// nothing from the server's disk for it.
func remote(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(caller.WithRemote(r.Context())))
	})
}

// ServeHTTP listens on o.Addr until ctx is done, then shuts down gracefully.
func ServeHTTP(ctx context.Context, s *server.MCPServer, o HTTPOptions) error {
	if err := CheckAddr(o.Addr, o.Token != "" || o.OAuth != nil); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", o.Addr, err)
	}
	return Serve(ctx, ln, s, o)
}

// Serve serves on an existing listener until ctx is done.
func Serve(ctx context.Context, ln net.Listener, s *server.MCPServer, o HTTPOptions) error {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	srv := &http.Server{
		Handler:           Handler(s, o),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	signIn := "none"
	switch {
	case o.OAuth != nil:
		signIn = "oauth"
	case o.Token != "":
		signIn = "token"
	}
	log.Info("serving MCP over HTTP", "addr", ln.Addr().String(), "endpoint", "/mcp", "sign_in", signIn)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
