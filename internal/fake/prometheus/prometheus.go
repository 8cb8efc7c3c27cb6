// Package prometheus is a contract-faithful fake of the Prometheus HTTP API v1 on
// 127.0.0.1: /api/v1/alerts, /api/v1/rules (type, rule_name[], rule_group[], file[],
// exclude_alerts, and group_limit/group_next_token paging unless OldServer),
// /api/v1/query (instant queries over a PromQL subset and canned answers, see Server.query)
// and /api/v1/status/buildinfo, in the {status, data} envelope with the API's error shape,
// and optional basic or bearer auth (as a reverse proxy adds).
package prometheus

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/opsctx/opsctx/internal/fake"
)

// Options configure the fake.
type Options struct {
	// Username and Password, when set, are required as basic auth.
	Username, Password string
	// Token, when set, is required as "Authorization: Bearer <Token>".
	Token string
	// OldServer behaves like Prometheus before v3: group_limit is ignored (no paging).
	OldServer bool
	// Now is the fake's clock for lastEvaluation; nil means time.Now.
	Now func() time.Time
}

// Alert is an active alert of an alerting rule.
type Alert struct {
	Labels      map[string]string
	Annotations map[string]string
	State       string // pending or firing
	ActiveAt    time.Time
	Value       string // default "1e+00"
}

// Rule is an alerting rule (Type "alerting", the default) or a recording rule.
type Rule struct {
	Type        string
	Name        string
	Query       string
	Duration    time.Duration // the rule's `for`
	Labels      map[string]string
	Annotations map[string]string
	Health      string // ok (default), err, unknown
	LastError   string
	Alerts      []Alert
}

// Group is a rule group.
type Group struct {
	Name     string
	File     string
	Interval time.Duration
	Rules    []Rule
}

// Data is what the fake serves: rule groups, and the instant samples and canned answers
// of /api/v1/query.
type Data struct {
	Groups []Group
	// Series are the current samples vector selectors are evaluated against (recording
	// rule outputs such as slo:sli_error:ratio_rate5m, with __name__).
	Series []Sample
	// Answers are canned results by exact (trimmed) expression.
	Answers map[string]Answer
}

// Server is a running fake Prometheus.
type Server struct {
	*fake.Server
	opts Options

	mu      sync.Mutex
	groups  []Group
	series  []Sample
	answers map[string]Answer
	regexps regexps // label matchers' regexes compiled so far
}

// Start starts the fake with groups and no query data.
func Start(o Options, groups []Group) *Server { return StartData(o, Data{Groups: groups}) }

// StartData starts the fake with d.
func StartData(o Options, d Data) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{opts: o, groups: d.Groups, series: d.Series, answers: d.Answers}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/alerts", s.alerts)
	mux.HandleFunc("GET /api/v1/rules", s.rules)
	mux.HandleFunc("GET /api/v1/query", s.query)
	mux.HandleFunc("POST /api/v1/query", s.query)
	mux.HandleFunc("GET /api/v1/status/buildinfo", s.buildinfo)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "404 page not found", http.StatusNotFound) })
	s.Server = fake.Start("prometheus", fake.ProxyAuth(o.Token, o.Username, o.Password), fake.ProxyUnauthorized("prometheus"), mux)
	return s
}

// SetGroups replaces the rule groups.
func (s *Server) SetGroups(gs []Group) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups = gs
}

// SetQueryData replaces the samples and canned answers of /api/v1/query.
func (s *Server) SetQueryData(series []Sample, answers map[string]Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.series, s.answers = series, answers
}

func (s *Server) snapshot() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups
}

func success(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "success", "data": data})
}

// apiError writes the error envelope, e.g. 400 bad_data.
func apiError(w http.ResponseWriter, code int, typ, msg string) {
	writeJSON(w, code, map[string]any{"status": "error", "errorType": typ, "error": msg})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) buildinfo(w http.ResponseWriter, _ *http.Request) {
	version := "3.5.0"
	if s.opts.OldServer {
		version = "2.42.0"
	}
	success(w, map[string]string{"version": version, "revision": "fake", "branch": "fake", "buildUser": "opsctx",
		"buildDate": "20250101-00:00:00", "goVersion": "go1.26"})
}
