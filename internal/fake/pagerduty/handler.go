package pagerduty

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Page sizes of classic pagination (vendor docs).
const (
	DefaultLimit = 25
	MaxLimit     = 100
)

type handler struct {
	d   Data
	mux *http.ServeMux
}

func newHandler(d Data) *handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.WebURL == "" {
		d.WebURL = "https://shop.pagerduty.com"
	}
	d = normalize(d)
	h := &handler{d: d, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET /abilities", h.abilities)
	h.mux.HandleFunc("GET /services", h.services)
	h.mux.HandleFunc("GET /services/{id}", h.service)
	h.mux.HandleFunc("GET /services/{id}/change_events", h.serviceChangeEvents)
	h.mux.HandleFunc("GET /incidents", h.incidents)
	h.mux.HandleFunc("GET /incidents/{id}", h.incident)
	h.mux.HandleFunc("GET /incidents/{id}/alerts", h.alerts)
	h.mux.HandleFunc("GET /incidents/{id}/related_change_events", h.relatedChangeEvents)
	h.mux.HandleFunc("GET /oncalls", h.oncalls)
	h.mux.HandleFunc("GET /escalation_policies", h.policies)
	h.mux.HandleFunc("GET /escalation_policies/{id}", h.policy)
	h.mux.HandleFunc("GET /change_events", h.changeEvents)
	h.mux.HandleFunc("GET /service_dependencies/technical_services/{id}", h.dependencies)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { notFound(w) })
	return h
}

// ServeHTTP adds the rate-limit headers, enforces the versioned Accept header and routes.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Ratelimit-Limit", "960")
	w.Header().Set("Ratelimit-Remaining", "959")
	w.Header().Set("Ratelimit-Reset", "60")
	if r.Header.Get("Accept") != Accept {
		writeError(w, http.StatusNotAcceptable, 2001, "Invalid Input Provided", "Accept header must be "+Accept)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// writeError writes PagerDuty's error body.
func writeError(w http.ResponseWriter, status, code int, msg string, errs ...string) {
	body := map[string]any{"message": msg, "code": code}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func notFound(w http.ResponseWriter) { writeError(w, http.StatusNotFound, 2100, "Not Found") }

func badRequest(w http.ResponseWriter, detail string) {
	writeError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", detail)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// paginate writes one page of items under key with limit/offset/more/total.
func paginate[T any](w http.ResponseWriter, r *http.Request, key string, items []T) {
	q := r.URL.Query()
	limit, offset := DefaultLimit, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			badRequest(w, "limit must be a positive integer")
			return
		}
		limit = min(n, MaxLimit)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			badRequest(w, "offset must be a non-negative integer")
			return
		}
		offset = n
	}
	page := []T{}
	if offset < len(items) {
		page = items[offset:min(offset+limit, len(items))]
	}
	var total any
	if q.Get("total") == "true" {
		total = len(items)
	}
	writeJSON(w, http.StatusOK, map[string]any{key: page, "limit": limit, "offset": offset,
		"more": offset+limit < len(items), "total": total})
}

// list returns the values of an array filter (`name[]`, repeated).
func list(r *http.Request, name string) []string { return r.URL.Query()[name+"[]"] }

// anyIn reports whether filter is empty or contains one of vs.
func anyIn(filter []string, vs ...string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, v := range vs {
		if slices.Contains(filter, v) {
			return true
		}
	}
	return false
}

func refIDs(rs []Ref) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

// parseTime parses an ISO 8601 timestamp; empty is the zero time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

// window reads since/until (defaults: now-def .. now); utc demands UTC ("Z") timestamps.
func (h *handler) window(w http.ResponseWriter, r *http.Request, def time.Duration, utc bool) (since, until time.Time, ok bool) {
	now := h.d.Now().UTC()
	since, until = now.Add(-def), now
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"since", &since}, {"until", &until}} {
		v := r.URL.Query().Get(p.name)
		if v == "" {
			continue
		}
		t, err := parseTime(v)
		if err != nil || utc && !strings.HasSuffix(v, "Z") {
			badRequest(w, fmt.Sprintf("%s must be an ISO 8601 UTC date-time", p.name))
			return since, until, false
		}
		*p.dst = t
	}
	if until.Before(since) {
		badRequest(w, "until must not be before since")
		return since, until, false
	}
	return since, until, true
}

func sortBy[T any](xs []T, key func(T) string, desc bool) {
	sort.SliceStable(xs, func(i, j int) bool {
		if desc {
			return key(xs[i]) > key(xs[j])
		}
		return key(xs[i]) < key(xs[j])
	})
}
