package transport

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
)

// batchRefusal answers a JSON-RPC batch. MCP removed batching in protocol version
// 2025-06-18 and 2026-07-28 keeps it out, so a batch is an Invalid Request (-32600) with
// a null id, as JSON-RPC 2.0 answers a request it cannot take apart.
const batchRefusal = `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: JSON-RPC batches are not supported (MCP removed them in protocol version 2025-06-18); send one message per request"}}`

// singleMessage reads a POST body (at most MaxRequestBytes), refuses batches and bodies
// over the limit, answers a message longer than MaxMessageBytes itself (screen), and hands
// any other message to next.
func singleMessage(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "Request Entity Too Large: one MCP message may be at most 1 MiB", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "Bad Request: the request body could not be read", http.StatusBadRequest)
			return
		}
		if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '[' {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, batchRefusal)
			return
		}
		if refused := screenJSON(r, body); refused != nil {
			logRefusal(log, refused)
			if refused.reply != nil {
				w.Header().Set("Content-Type", "application/json")
			}
			w.WriteHeader(refused.status)
			_, _ = w.Write(refused.reply)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// screenJSON screens a JSON body; any other body goes on to mcp-go, which refuses its
// content type.
func screenJSON(r *http.Request, body []byte) *refusal {
	if t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || t != "application/json" {
		return nil
	}
	return screen(body)
}
