package fake

import (
	"errors"
	"net"
	"runtime"
	"syscall"
	"testing"
)

// TestRefuse: a refused fake's port refuses connections and cannot be taken by a new
// listener until Close.
func TestRefuse(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("holding a port needs unix")
	}
	s := Start("x", nil, nil, nil)
	addr := s.Listener.Addr().String()
	s.Refuse()
	if _, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial after Refuse: %v, want connection refused", err)
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Fatal("a new listener took the refused fake's port")
	}
	s.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("port not released by Close: %v", err)
	}
	ln.Close()
}
