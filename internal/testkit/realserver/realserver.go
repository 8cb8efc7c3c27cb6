// Package realserver starts real Prometheus, Alertmanager and Redis binaries for integration
// tests: each on a free 127.0.0.1 port with a temporary data directory, stopped when the
// test ends; Backfill writes historical samples into a TSDB with promtool first. Without
// the binaries a test skips with a message; under CI=true it fails.
package realserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StartTimeout bounds how long a server may take to become ready.
const StartTimeout = 30 * time.Second

// Server is a running real server.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:<port>.
	URL string
	// Dir is the server's temporary directory (configuration and data).
	Dir string

	cmd  *exec.Cmd
	done chan struct{}
	logs *lockedBuffer
}

// Binary returns the path of the first of names found on PATH. When none is installed it
// skips t, or fails it when the environment variable CI is "true".
func Binary(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	msg := fmt.Sprintf("none of %v is installed (Debian packages prometheus, prometheus-alertmanager and redis-server)", names)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: CI=true requires the real servers; .ci/run installs them", msg)
		return ""
	}
	t.Skipf("%s: skipping the real-server integration test", msg)
	return ""
}

// Logs returns what the server printed so far.
func (s *Server) Logs() string { return s.logs.String() }

// start runs bin with args(port) in dir and waits until GET /-/ready answers 200. A
// process that exits early (say, the port was taken meanwhile) is retried on a new port.
func start(t testing.TB, name, bin, dir string, args func(port int) []string) *Server {
	return startWith(t, name, bin, dir, args, (*Server).httpReady)
}

// startWith is start with another readiness probe.
func startWith(t testing.TB, name, bin, dir string, args func(port int) []string, ready func(*Server) error) *Server {
	t.Helper()
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), Dir: dir, done: make(chan struct{}), logs: &lockedBuffer{}}
		s.cmd = exec.Command(bin, args(port)...)
		s.cmd.Dir, s.cmd.Stdout, s.cmd.Stderr = dir, s.logs, s.logs
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("%s: starting %s: %v", name, bin, err)
		}
		go func() { _ = s.cmd.Wait(); close(s.done) }()
		if last = s.waitReady(ready); last == nil {
			t.Cleanup(func() {
				s.stop()
				if t.Failed() {
					t.Logf("%s output:\n%s", name, s.Logs())
				}
			})
			return s
		}
		s.stop()
		t.Logf("%s attempt %d: %v\n%s", name, attempt+1, last, s.Logs())
	}
	t.Fatalf("%s did not start: %v", name, last)
	return nil
}

// waitReady polls ready until it succeeds, the process exits or StartTimeout passes.
func (s *Server) waitReady(ready func(*Server) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), StartTimeout)
	defer cancel()
	for {
		if ready(s) == nil {
			return nil
		}
		select {
		case <-s.done:
			return errors.New("exited before it was ready")
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s", StartTimeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// httpReady asks GET /-/ready (Prometheus, Alertmanager).
func (s *Server) httpReady() error {
	client := &http.Client{Timeout: time.Second}
	resp, err := client.Get(s.URL + "/-/ready")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("ready: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Stop terminates the server before the test ends (a server going away mid-test).
func (s *Server) Stop() { s.stop() }

// stop terminates the process (SIGTERM, then SIGKILL after 5 s) and waits for it.
func (s *Server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// freePort asks the kernel for a free 127.0.0.1 port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// writeFile writes content to name in dir, failing t on error.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// lockedBuffer collects process output from two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
