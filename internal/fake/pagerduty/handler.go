package pagerduty

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
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

	mu     sync.Mutex
	tokens map[string][]string // issued app token -> its scopes
}

func newHandler(d Data) *handler {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.WebURL == "" {
		d.WebURL = "https://shop.pagerduty.com"
	}
	d = normalize(d)
	h := &handler{d: d, mux: http.NewServeMux(), tokens: map[string][]string{}}
	h.mux.HandleFunc("POST "+tokenPath, h.token)
	for _, r := range []struct {
		pattern, scope string
		serve          http.HandlerFunc
	}{
		{"GET /abilities", "abilities.read", h.abilities},
		{"GET /services", "services.read", h.services},
		{"GET /services/{id}", "services.read", h.service},
		{"GET /services/{id}/change_events", "services.read", h.serviceChangeEvents},
		{"GET /incidents", "incidents.read", h.incidents},
		{"GET /incidents/{id}", "incidents.read", h.incident},
		{"GET /incidents/{id}/alerts", "incidents.read", h.alerts},
		{"GET /incidents/{id}/related_change_events", "incidents.read", h.relatedChangeEvents},
		{"GET /oncalls", "oncalls.read", h.oncalls},
		{"GET /escalation_policies", "escalation_policies.read", h.policies},
		{"GET /escalation_policies/{id}", "escalation_policies.read", h.policy},
		{"GET /change_events", "change_events.read", h.changeEvents},
		{"GET /service_dependencies/technical_services/{id}", "services.read", h.dependencies},
		{"GET /maintenance_windows", "services.read", h.maintenanceWindows},
	} {
		h.mux.HandleFunc(r.pattern, h.scoped(r.scope, r.serve))
	}
	h.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { notFound(w) })
	return h
}

// ServeHTTP adds the rate-limit headers, enforces the versioned Accept header and routes.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Ratelimit-Limit", "960")
	w.Header().Set("Ratelimit-Remaining", "959")
	w.Header().Set("Ratelimit-Reset", "60")
	if r.Header.Get("Accept") != Accept && r.URL.Path != tokenPath {
		writeError(w, http.StatusNotAcceptable, 2001, "Invalid Input Provided", "Accept header must be "+Accept)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// scoped serves next to API keys and to app tokens with scope; other app tokens get 403.
func (h *handler) scoped(scope string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if scopes, ok := h.tokenScopes(r.Header.Get("Authorization")); ok && !slices.Contains(scopes, scope) {
			writeError(w, http.StatusForbidden, 2010, "Access Denied", "The access token is missing the scope "+scope)
			return
		}
		next(w, r)
	}
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
	limit, offset, ok := pageParams(w, r)
	if !ok {
		return
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

// pageOnly writes one page of items under key, and nothing else: the change event listings
// take limit and offset but their response declares only the items (no more, no total).
func pageOnly[T any](w http.ResponseWriter, r *http.Request, key string, items []T) {
	limit, offset, ok := pageParams(w, r)
	if !ok {
		return
	}
	page := []T{}
	if offset < len(items) {
		page = items[offset:min(offset+limit, len(items))]
	}
	writeJSON(w, http.StatusOK, map[string]any{key: page})
}

// pageParams reads limit (default DefaultLimit, at most MaxLimit) and offset; on a bad value it
// answers 400 and returns false.
func pageParams(w http.ResponseWriter, r *http.Request) (limit, offset int, ok bool) {
	q := r.URL.Query()
	limit = DefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			badRequest(w, "limit must be a positive integer")
			return 0, 0, false
		}
		limit = min(n, MaxLimit)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			badRequest(w, "offset must be a non-negative integer")
			return 0, 0, false
		}
		offset = n
	}
	return limit, offset, true
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
