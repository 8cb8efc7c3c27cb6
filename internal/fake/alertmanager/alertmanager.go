// Package alertmanager is a contract-faithful fake of the Prometheus Alertmanager API v2 on
// 127.0.0.1: alerts with silenced/inhibited status and the active/silenced/inhibited/
// unprocessed and filter parameters, alert groups, silences (list, get, create, expire),
// status, optional basic or bearer auth (as a reverse proxy adds), and the v0.25 shapes
// (no mutedBy, routeLabels or silence annotations) when Legacy is set.
package alertmanager

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
	// Legacy serves the v0.25 shapes; otherwise the v0.34 ones.
	Legacy bool
	// GroupBy are the labels alert groups are formed by (default alertname).
	GroupBy []string
	// Receiver is the receiver every alert is routed to (default "default").
	Receiver string
	// Now is the fake's clock; nil means time.Now.
	Now func() time.Time
}

// Alert is an alert the fake holds, as Prometheus posted it.
type Alert struct {
	Labels       map[string]string
	Annotations  map[string]string
	StartsAt     time.Time
	EndsAt       time.Time // zero: firing, reported as now+5m
	GeneratorURL string
	// InhibitedBy lists fingerprints of inhibiting alerts.
	InhibitedBy []string
	// Unprocessed marks an alert the dispatcher has not seen yet.
	Unprocessed bool
}

// Matcher is a silence matcher.
type Matcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual *bool  `json:"isEqual,omitempty"`
}

// Silence is a silence the fake holds.
type Silence struct {
	ID        string    `json:"id,omitempty"`
	Matchers  []Matcher `json:"matchers"`
	StartsAt  time.Time `json:"startsAt"`
	EndsAt    time.Time `json:"endsAt"`
	CreatedBy string    `json:"createdBy"`
	Comment   string    `json:"comment"`
	UpdatedAt time.Time `json:"-"`
}

// Server is a running fake Alertmanager.
type Server struct {
	*fake.Server
	opts Options

	mu       sync.Mutex
	alerts   []Alert
	silences []Silence
	seq      int
	filters  map[string]matcher // ?filter= values parsed so far: each compiles a regex
}

// Start starts the fake with alerts and silences.
func Start(o Options, alerts []Alert, silences []Silence) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if len(o.GroupBy) == 0 {
		o.GroupBy = []string{"alertname"}
	}
	if o.Receiver == "" {
		o.Receiver = "default"
	}
	s := &Server{opts: o, alerts: alerts}
	for _, sil := range silences {
		s.AddSilence(sil)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/status", s.status)
	mux.HandleFunc("GET /api/v2/receivers", s.receivers)
	mux.HandleFunc("GET /api/v2/alerts", s.getAlerts)
	mux.HandleFunc("GET /api/v2/alerts/groups", s.getGroups)
	mux.HandleFunc("GET /api/v2/silences", s.getSilences)
	mux.HandleFunc("POST /api/v2/silences", s.postSilence)
	mux.HandleFunc("GET /api/v2/silence/{id}", s.getSilence)
	mux.HandleFunc("DELETE /api/v2/silence/{id}", s.deleteSilence)
	s.Server = fake.Start("alertmanager", fake.ProxyAuth(o.Token, o.Username, o.Password), fake.ProxyUnauthorized("alertmanager"), mux)
	return s
}

// SetAlerts replaces the alerts.
func (s *Server) SetAlerts(as []Alert) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts = as
}

// AddSilence stores a silence (assigning an id when empty) and returns its id.
func (s *Server) AddSilence(sil Silence) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putSilence(sil)
}

func (s *Server) putSilence(sil Silence) string {
	sil.UpdatedAt = s.opts.Now().UTC()
	for i := range s.silences {
		if sil.ID != "" && s.silences[i].ID == sil.ID {
			s.silences[i] = sil
			return sil.ID
		}
	}
	if sil.ID == "" {
		s.seq++
		sil.ID = silenceID(s.seq)
	}
	s.silences = append(s.silences, sil)
	return sil.ID
}

// badRequest answers 400 with a JSON string body, as the API's BadRequest response does.
func badRequest(w http.ResponseWriter, msg string) { writeJSON(w, http.StatusBadRequest, msg) }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
