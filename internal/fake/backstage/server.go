// Package backstage is a contract-faithful fake of the Backstage catalog backend for tests
// and the demo: GET /api/catalog/entities/by-query (filter, fields, limit, orderField,
// opaque cursor paging with {items, totalItems, pageInfo{nextCursor, prevCursor}}),
// GET /api/catalog/entities/by-name/{kind}/{namespace}/{name}, bearer auth, and the backend's
// {"error":{"name","message"},"request":{...},"response":{"statusCode"}} error body.
// Entities are stored as the backend would serve them: namespace defaulted, metadata.uid and
// etag set, and relations computed from the spec (ownedBy, dependsOn, memberOf, ...).
package backstage

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/opsctx/opsctx/internal/catalogmodel"
	"github.com/opsctx/opsctx/internal/fake"
)

// DefaultLimit is the backend's page size when a request names none.
const DefaultLimit = 20

// Options configure the fake.
type Options struct {
	// Token is the accepted bearer token; "" accepts every request.
	Token string
}

// Server is a running fake catalog backend.
type Server struct {
	*fake.Server
	entities []entity // processed, in uid order
}

// Start starts a fake backend serving entities.
func Start(entities []catalogmodel.Entity, o Options) *Server {
	s := &Server{entities: process(entities)}
	var auth func(*http.Request) bool
	if o.Token != "" {
		auth = func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+o.Token }
	}
	s.Server = fake.Start("backstage", auth, unauthorized, http.HandlerFunc(s.serve))
	return s
}

func unauthorized(w http.ResponseWriter, r *http.Request) {
	msg := "Missing credentials"
	if r.Header.Get("Authorization") != "" {
		msg = "Invalid token"
	}
	writeError(w, r, http.StatusUnauthorized, "AuthenticationError", msg)
}

// writeError writes the backend's error envelope.
func writeError(w http.ResponseWriter, r *http.Request, status int, name, msg string) {
	writeJSON(w, status, map[string]any{
		"error":    map[string]any{"name": name, "message": msg},
		"request":  map[string]any{"method": r.Method, "url": r.URL.RequestURI()},
		"response": map[string]any{"statusCode": status},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, r, http.StatusMethodNotAllowed, "MethodNotAllowedError", "Method "+r.Method+" is not supported by this fake")
		return
	}
	switch p := r.URL.EscapedPath(); {
	case p == "/api/catalog/entities/by-query":
		s.byQuery(w, r)
	case strings.HasPrefix(p, "/api/catalog/entities/by-name/"):
		s.byName(w, r, strings.TrimPrefix(p, "/api/catalog/entities/by-name/"))
	default:
		writeError(w, r, http.StatusNotFound, "NotFoundError", "Not found: "+r.URL.Path)
	}
}

// byName answers GET /entities/by-name/{kind}/{namespace}/{name} (case-insensitive).
func (s *Server) byName(w http.ResponseWriter, r *http.Request, rest string) {
	parts := strings.Split(rest, "/")
	if len(parts) != 3 {
		writeError(w, r, http.StatusNotFound, "NotFoundError", "Not found: "+r.URL.Path)
		return
	}
	for i, p := range parts {
		parts[i], _ = url.PathUnescape(p)
	}
	want := strings.ToLower(parts[0] + ":" + parts[1] + "/" + parts[2])
	for _, e := range s.entities {
		if e.ref == want {
			writeJSON(w, http.StatusOK, e.doc)
			return
		}
	}
	writeError(w, r, http.StatusNotFound, "NotFoundError",
		"No entity named '"+parts[2]+"' found, with kind '"+parts[0]+"' in namespace '"+parts[1]+"'")
}
