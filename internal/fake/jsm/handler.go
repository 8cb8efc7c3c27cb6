package jsm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Page sizes of the listings.
const (
	DefaultAlertSize = 20  // alerts
	DefaultSize      = 100 // schedules, teams, escalations
	MaxSize          = 100
	DefaultUserLimit = 50 // users/search maxResults
	MaxUserLimit     = 1000
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
	ops := "/jsm/ops/api/{cloudId}/v1"
	h.mux.HandleFunc("GET "+TenantInfoPath, h.tenantInfo)
	h.mux.HandleFunc("GET "+ops+"/alerts", h.ops(ScopeAlerts, h.alerts))
	h.mux.HandleFunc("GET "+ops+"/alerts/alias", h.ops(ScopeAlerts, h.alertByAlias))
	h.mux.HandleFunc("GET "+ops+"/alerts/{id}", h.ops(ScopeAlerts, h.alert))
	h.mux.HandleFunc("GET "+ops+"/teams", h.ops(ScopeConfig, h.teams))
	h.mux.HandleFunc("GET "+ops+"/teams/{teamId}/escalations", h.ops(ScopeConfig, h.escalations))
	h.mux.HandleFunc("GET "+ops+"/schedules", h.ops(ScopeConfig, h.schedules))
	h.mux.HandleFunc("GET "+ops+"/schedules/{scheduleId}/on-calls", h.ops(ScopeConfig, h.onCalls))
	h.mux.HandleFunc("GET "+ops+"/schedules/{scheduleId}/timeline", h.ops(ScopeConfig, h.timeline))
	h.mux.HandleFunc("GET /rest/api/3/users/search", h.users)
	h.mux.HandleFunc("GET /ex/jira/{cloudId}/rest/api/3/users/search", h.gatewayUsers)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if jiraPath(r.URL.Path) {
			h.jiraFail(w, http.StatusNotFound, "null for uri: "+r.URL.Path)
			return
		}
		h.fail(w, http.StatusNotFound, "Not Found", "No resource at "+r.URL.Path)
	})
	return h
}

// ServeHTTP adds the trace header Atlassian sends on every response and routes the request.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("ATL-TraceId", fmt.Sprintf("%016x", h.req.Add(1)))
	h.mux.ServeHTTP(w, r)
}

// ops checks the path's cloud id and the account's access to the scope family.
func (h *handler) ops(scope string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.PathValue("cloudId") != h.d.CloudID:
			h.fail(w, http.StatusNotFound, "Not Found", "Site not found for the cloud id")
		case slices.Contains(h.d.Denied, scope):
			h.fail(w, http.StatusForbidden, "Forbidden", "You are not authorized to access this resource: "+scope+" permission is required")
		default:
			next(w, r)
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail writes the operations API's error body.
func (h *handler) fail(w http.ResponseWriter, status int, title, detail string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"title": title, "detail": detail, "code": status}}})
}

// jiraFail writes the Jira platform API's ErrorCollection.
func (h *handler) jiraFail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"errorMessages": []string{msg}, "errors": map[string]string{}})
}

func (h *handler) tenantInfo(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"cloudId": h.d.CloudID})
}

// page reads offset (0 or more) and size (1 to MaxSize, default def); on a bad value it
// answers 400 and returns false.
func (h *handler) page(w http.ResponseWriter, r *http.Request, def int) (offset, size int, ok bool) {
	size = def
	if v := r.URL.Query().Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxSize {
			h.fail(w, http.StatusBadRequest, "Bad Request", fmt.Sprintf("size must be between 1 and %d", MaxSize))
			return 0, 0, false
		}
		size = n
	}
	if v := r.URL.Query().Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			h.fail(w, http.StatusBadRequest, "Bad Request", "offset must be a non-negative number")
			return 0, 0, false
		}
		offset = n
	}
	return offset, size, true
}

// links returns {next} when a page follows: the request's path below /jsm/ops/api/{cloudId}
// with its query, offset and size set.
func links(r *http.Request, total, offset, size int) map[string]string {
	l := map[string]string{}
	if offset+size < total {
		q := url.Values{}
		for k, vs := range r.URL.Query() {
			q[k] = vs
		}
		q.Set("offset", strconv.Itoa(offset+size))
		q.Set("size", strconv.Itoa(size))
		_, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/jsm/ops/api/"), "/")
		l["next"] = "/" + rest + "?" + q.Encode()
	}
	return l
}

// window returns items[offset:offset+size] (never nil).
func window[T any](items []T, offset, size int) []T {
	out := []T{}
	if offset < len(items) {
		out = append(out, items[offset:min(offset+size, len(items))]...)
	}
	return out
}
