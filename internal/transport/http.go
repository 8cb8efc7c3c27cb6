// Package transport serves the MCP server over stdio or streamable HTTP. The HTTP side adds
// bearer-token auth, Origin checks, body limits, /healthz and /metrics, and graceful shutdown.
package transport

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/opsctx/opsctx/internal/metrics"
)

// MaxRequestBytes caps the size of one MCP request body.
const MaxRequestBytes = 1 << 20

// HTTPOptions configure the HTTP transport.
type HTTPOptions struct {
	// Addr is host:port to listen on, e.g. 127.0.0.1:8080.
	Addr string
	// Token is the bearer token clients must send; required unless Addr is loopback.
	Token string
	// AllowedOrigins are browser origins allowed besides loopback ones (e.g. https://chat.example.com).
	AllowedOrigins []string
	Logger         *slog.Logger
}

// IsLoopback reports whether addr (host:port) binds only the loopback interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// CheckAddr refuses a non-loopback address without a token.
func CheckAddr(addr, token string) error {
	if addr == "" {
		return errors.New("--http needs an address, e.g. 127.0.0.1:8080")
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("--http %q: %v (use host:port, e.g. 127.0.0.1:8080)", addr, err)
	}
	if !IsLoopback(addr) && token == "" {
		return fmt.Errorf("refusing to serve on %s without a bearer token: binding beyond loopback needs OPSCTX_AUTH_TOKEN or --auth-token-file", addr)
	}
	return nil
}

// Handler returns the HTTP handler: /mcp (streamable HTTP, token-protected when a token is
// set), /healthz (open) and /metrics (token-protected when a token is set).
func Handler(s *server.MCPServer, o HTTPOptions) http.Handler {
	mcpH := server.NewStreamableHTTPServer(s, server.WithEndpointPath("/mcp"), server.WithStateLess(true))
	mux := http.NewServeMux()
	mux.Handle("/mcp", guard(o, http.MaxBytesHandler(mcpH, MaxRequestBytes)))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("/metrics", guard(o, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_ = metrics.Default.WriteText(w)
	})))
	return mux
}

// guard enforces the bearer token and the Origin allow-list.
func guard(o HTTPOptions, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if origin := r.Header.Get("Origin"); origin != "" && !originAllowed(origin, o.AllowedOrigins) {
			http.Error(w, "Forbidden: origin not allowed", http.StatusForbidden)
			return
		}
		if o.Token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(o.Token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="opsctx"`)
				http.Error(w, "Unauthorized: send Authorization: Bearer <token>", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func originAllowed(origin string, allowed []string) bool {
	for _, a := range allowed {
		if strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(origin, "/")) {
			return true
		}
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && IsLoopback(u.Host)
}

// ServeHTTP listens on o.Addr until ctx is done, then shuts down gracefully.
func ServeHTTP(ctx context.Context, s *server.MCPServer, o HTTPOptions) error {
	if err := CheckAddr(o.Addr, o.Token); err != nil {
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
	log.Info("serving MCP over HTTP", "addr", ln.Addr().String(), "endpoint", "/mcp", "auth", o.Token != "")
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
