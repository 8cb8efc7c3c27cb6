package opsgenie

import (
	"encoding/json"
	"fmt"
	"net/http"
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
	h.mux.HandleFunc("GET /v2/alerts", h.alerts)
	h.mux.HandleFunc("GET /v2/alerts/count", h.count)
	h.mux.HandleFunc("GET /v2/alerts/{identifier}", h.alert)
	h.mux.HandleFunc("GET /v2/teams", h.teams)
	h.mux.HandleFunc("GET /v2/teams/{identifier}", h.team)
	h.mux.HandleFunc("GET /v2/schedules", h.schedules)
	h.mux.HandleFunc("GET /v2/schedules/{identifier}/on-calls", h.onCalls)
	h.mux.HandleFunc("GET /v2/escalations", h.escalations)
	h.mux.HandleFunc("GET /v2/escalations/{identifier}", h.escalation)
	h.mux.HandleFunc("GET /v2/users", h.users)
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
