package transport

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
)

// StreamLimits bound the event streams clients open with GET /mcp. opsctx sends nothing
// on them but keep-alives (its tools and resources never change), yet clients of protocol
// versions before 2026-07-28 may hold one open per session.
type StreamLimits struct {
	// Max is how many streams may be open at once; more are answered 503.
	Max int
	// KeepAlive is how often a keep-alive (a JSON-RPC ping) is sent on a stream.
	KeepAlive time.Duration
	// Idle closes a stream that carried nothing but keep-alives this long; clients reconnect.
	Idle time.Duration
}

// DefaultStreams are the limits used for zero fields.
var DefaultStreams = StreamLimits{Max: 100, KeepAlive: 30 * time.Second, Idle: 5 * time.Minute}

func (l StreamLimits) withDefaults() StreamLimits {
	if l.Max <= 0 {
		l.Max = DefaultStreams.Max
	}
	if l.KeepAlive <= 0 {
		l.KeepAlive = DefaultStreams.KeepAlive
	}
	if l.Idle <= 0 {
		l.Idle = DefaultStreams.Idle
	}
	return l
}

type streams struct {
	StreamLimits
	open chan struct{} // one token per open stream
}

func newStreams(l StreamLimits) *streams {
	return &streams{StreamLimits: l, open: make(chan struct{}, l.Max)}
}

// limit applies the limits to GET requests for next; other methods pass through.
func (s *streams) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		if !acceptsEvents(r) {
			http.Error(w, "Not Acceptable: GET /mcp opens a server-sent event stream; send Accept: text/event-stream, or POST JSON-RPC messages", http.StatusNotAcceptable)
			return
		}
		select {
		case s.open <- struct{}{}:
			defer func() { <-s.open }()
		default:
			w.Header().Set("Retry-After", "30")
			http.Error(w, fmt.Sprintf("Service Unavailable: %d event streams are open, the most this server keeps", s.Max), http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		idle := time.AfterFunc(s.Idle, cancel)
		defer idle.Stop()
		next.ServeHTTP(&activityWriter{ResponseWriter: w, active: func() { idle.Reset(s.Idle) }}, r.WithContext(ctx))
	})
}

// acceptsEvents reports whether the request's Accept header names text/event-stream.
func acceptsEvents(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
				return true
			}
		}
	}
	return false
}

// activityWriter calls active for every write that is not a keep-alive.
type activityWriter struct {
	http.ResponseWriter
	active func()
}

var keepAlive = []byte(`"method":"ping"`)

func (w *activityWriter) Write(p []byte) (int, error) {
	if !bytes.Contains(p, keepAlive) {
		w.active()
	}
	return w.ResponseWriter.Write(p)
}

func (w *activityWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (write deadlines).
func (w *activityWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
