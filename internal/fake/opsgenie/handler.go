package opsgenie

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Page sizes of the alert and user listings.
const (
	DefaultLimit     = 20  // alerts
	DefaultUserLimit = 100 // users
	MaxLimit         = 100
)

type handler struct {
	d   Data
	mux *http.ServeMux
	req atomic.Int64
}

func newHandler(d Data) *handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	h := &handler{d: d, mux: http.NewServeMux()}
	read, config := h.allowed(!d.Key.NoRead, "read alerts"), h.allowed(!d.Key.NoConfiguration, "access configuration")
	h.mux.HandleFunc("GET /v2/alerts", read(h.alerts))
	h.mux.HandleFunc("GET /v2/alerts/count", read(h.count))
	h.mux.HandleFunc("GET /v2/alerts/{identifier}", read(h.alert))
	h.mux.HandleFunc("GET /v2/teams", config(h.teams))
	h.mux.HandleFunc("GET /v2/teams/{identifier}", config(h.team))
	h.mux.HandleFunc("GET /v2/schedules", config(h.schedules))
	h.mux.HandleFunc("GET /v2/schedules/{identifier}/on-calls", config(h.onCalls))
	h.mux.HandleFunc("GET /v2/schedules/{identifier}/timeline", config(h.timeline))
	h.mux.HandleFunc("GET /v2/escalations", config(h.escalations))
	h.mux.HandleFunc("GET /v2/escalations/{identifier}", config(h.escalation))
	h.mux.HandleFunc("GET /v2/users", config(h.allowed(d.Key.Team == "", "list users")(h.users)))
	h.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { h.fail(w, http.StatusNotFound, "Resource not found") })
	return h
}

// ServeHTTP adds the headers Opsgenie sends on every response and routes the request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-ID", h.requestID())
	w.Header().Set("X-Response-Time", "0.002")
	w.Header().Set("X-RateLimit-State", "OK")
	h.mux.ServeHTTP(w, r)
}

// requestID returns a new UUID-shaped request id.
func (h *handler) requestID() string {
	return fmt.Sprintf("7f1c2a5e-0000-4000-8000-%012d", h.req.Add(1))
}

// ok writes the {data, took, requestId} envelope with extra top-level fields.
func (h *handler) ok(w http.ResponseWriter, data any, extra map[string]any) {
	body := map[string]any{"data": data, "took": 0.004, "requestId": w.Header().Get("X-Request-ID")}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, http.StatusOK, body)
}

// allowed wraps routes that the key may use only when ok; otherwise they answer 403 with
// Opsgenie's code 40301 (the message prose is the fake's own: Opsgenie documents the code).
func (h *handler) allowed(ok bool, action string) func(http.HandlerFunc) http.HandlerFunc {
	return func(next http.HandlerFunc) http.HandlerFunc {
		if ok {
			return next
		}
		return func(w http.ResponseWriter, _ *http.Request) { h.forbid(w, "This API key is not allowed to "+action) }
	}
}

// forbid writes Opsgenie's 403 body with its internal code 40301.
func (h *handler) forbid(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusForbidden, map[string]any{"message": msg, "code": 40301, "took": 0.001, "requestId": w.Header().Get("X-Request-ID")})
}

// ownedByKey reports whether configuration owned by owner is visible to the key: every
// key but a team integration's sees everything.
func (h *handler) ownedByKey(owner *TeamMeta) bool {
	t := h.d.Key.Team
	return t == "" || owner != nil && (owner.ID == t || strings.EqualFold(owner.Name, t))
}

// fail writes Opsgenie's error body.
func (h *handler) fail(w http.ResponseWriter, status int, msg string) {
	id := w.Header().Get("X-Request-ID")
	if id == "" {
		id = h.requestID()
	}
	writeJSON(w, status, map[string]any{"message": msg, "took": 0.001, "requestId": id})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
