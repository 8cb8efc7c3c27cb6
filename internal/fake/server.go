// Package fake holds contract-faithful fake upstream servers on 127.0.0.1, shared by tests,
// benchmarks and the demo. This file is the common base: request recording, auth checks,
// and injectable latency and faults; each vendor's fake lives in its own subpackage and
// serves that vendor's real paths, envelopes, pagination and error bodies.
package fake

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
}

// Fault makes the fake misbehave for matching requests.
type Fault struct {
	// PathPrefix limits the fault to paths with this prefix ("" = all).
	PathPrefix string
	// Path limits the fault to exactly this path ("" = any).
	Path string
	// Times is how many requests fail before the fake recovers (0 = until cleared).
	Times int
	// Status and Body are returned instead of the real answer (with Header).
	Status int
	Body   string
	Header http.Header
	// Hang blocks until the client goes away (or 60 s).
	Hang bool
	// Malformed returns 200 with a body that is not valid JSON.
	Malformed bool
	// Truncate returns 200 with a Content-Length larger than the body sent.
	Truncate bool
	// Oversize returns 200 with a JSON body of this many bytes.
	Oversize int
	// Trickle sends a valid-looking body one byte per this interval.
	Trickle time.Duration
	// Replay answers every matching request with the fake's real answer to the first one:
	// an upstream whose paging does not advance (it ignores the offset and hands out the
	// same cursor, next link or nextPageKey again).
	Replay bool
}

// Server is a fake upstream: an httptest server on 127.0.0.1 with recording and faults.
type Server struct {
	*httptest.Server
	name string

	mu       sync.Mutex
	requests []Request
	latency  time.Duration
	faults   []*Fault
	hits     map[*Fault]int
	replays  map[*Fault]*httptest.ResponseRecorder
	release  func() // frees a port held by Refuse
	signIn   string // the path of the fake's token endpoint, see SignIns
}

// Start starts a fake named name that checks auth (nil = none; failing requests get unauth)
// and serves h.
func Start(name string, auth func(*http.Request) bool, unauth http.HandlerFunc, h http.Handler) *Server {
	s := &Server{name: name, hits: map[*Fault]int{}, replays: map[*Fault]*httptest.ResponseRecorder{}}
	serve := func(w http.ResponseWriter, r *http.Request) {
		if auth != nil && !auth(r) {
			unauth(w, r)
			return
		}
		h.ServeHTTP(w, r)
	}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record(r)
		if d := s.Latency(); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		switch f := s.fault(r.URL.Path); {
		case f != nil && f.Replay:
			s.replay(w, r, f, serve)
		case f != nil:
			serveFault(w, r, f)
		default:
			serve(w, r)
		}
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("fake: listen on 127.0.0.1: " + err.Error())
	}
	s.Server.Listener = ln
	s.Server.Start()
	return s
}

// Name is the vendor name.
func (s *Server) Name() string { return s.name }

func (s *Server) record(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()})
}

// Requests returns a copy of every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Count returns how many requests had a path with the prefix ("" = all).
func (s *Server) Count(prefix string) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// SetSignInPath names the path of the fake's OAuth token endpoint: requests there are
// sign-ins (SignIns), not reads of the vendor's data.
func (s *Server) SetSignInPath(path string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signIn = path
}

// SignIn reports whether r is a sign-in: a POST to the fake's token endpoint.
func (s *Server) SignIn(r Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signIn != "" && r.Method == http.MethodPost && strings.EqualFold(r.Path, s.signIn)
}

// SignIns returns how many of the requests so far were sign-ins.
func (s *Server) SignIns() int {
	n := 0
	for _, r := range s.Requests() {
		if s.SignIn(r) {
			n++
		}
	}
	return n
}

// Reset forgets recorded requests.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// SetLatency delays every answer by d.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Latency returns the injected latency.
func (s *Server) Latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latency
}

// AddFault makes matching requests fail as f says, until f.Times requests or ClearFaults.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	s.replays = map[*Fault]*httptest.ResponseRecorder{}
}

func (s *Server) fault(path string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if !strings.HasPrefix(path, f.PathPrefix) || f.Path != "" && path != f.Path {
			continue
		}
		if f.Times > 0 && s.hits[f] >= f.Times {
			continue
		}
		s.hits[f]++
		return f
	}
	return nil
}

// replay answers r with the answer serve gave to f's first request (recorded then).
func (s *Server) replay(w http.ResponseWriter, r *http.Request, f *Fault, serve http.HandlerFunc) {
	s.mu.Lock()
	rec := s.replays[f]
	s.mu.Unlock()
	if rec == nil {
		first := httptest.NewRecorder()
		serve(first, r)
		s.mu.Lock()
		if rec = s.replays[f]; rec == nil {
			rec, s.replays[f] = first, first
		}
		s.mu.Unlock()
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func serveFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	switch {
	case f.Hang:
		// The server notices a client that goes away only once the request body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		ctx, cancel := context.WithTimeout(r.Context(), 60*time.Second)
		defer cancel()
		<-ctx.Done()
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"result": [ {"name": "x", `))
	case f.Truncate:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "4096")
		_, _ = w.Write([]byte(`{"data": [`))
	case f.Oversize > 0:
		chunk := []byte(strings.Repeat("x", 64<<10))
		n := (f.Oversize + len(chunk) - 1) / len(chunk)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(`{"pad":""}`)+n*len(chunk)))
		_, _ = w.Write([]byte(`{"pad":"`))
		for n := 0; n < f.Oversize; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`"}`))
	case f.Trickle > 0:
		w.Header().Set("Content-Type", "application/json")
		fl, _ := w.(http.Flusher)
		for _, c := range []byte(`{"data": [], "result": [], "items": []}`) {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(f.Trickle):
			}
			_, _ = w.Write([]byte{c})
			if fl != nil {
				fl.Flush()
			}
		}
	default:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(f.Body))
	}
}

// Stall makes the next request to path hang and runs call in the background until that
// request has arrived (within 5 s), so a test can act while call waits on the upstream;
// stop cancels call and waits for it to return.
func (s *Server) Stall(path string, call func(context.Context) error) (stop func(), err error) {
	before := s.Count(path)
	s.AddFault(Fault{Path: path, Times: 1, Hang: true})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = call(ctx) }()
	stop = func() { cancel(); <-done }
	for deadline := time.Now().Add(5 * time.Second); s.Count(path) == before; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			stop()
			return nil, errors.New("fake: " + path + " was not requested within 5 s")
		}
	}
	return stop, nil
}
