package fake

import "net"

// Refuse stops the fake so that connections to its address are refused, and keeps that
// port from being handed to any later listener (a plain Close frees the port, and a fake
// started afterwards may take it and answer in this one's place). Close releases it.
func (s *Server) Refuse() {
	addr := s.Listener.Addr().String()
	s.Server.Close()
	release, err := holdPort(addr)
	if err != nil {
		return // the port stays free: refused unless another listener takes it
	}
	s.mu.Lock()
	s.release = release
	s.mu.Unlock()
}

// Close stops the fake and releases a port held by Refuse.
func (s *Server) Close() {
	s.Server.Close()
	s.mu.Lock()
	release := s.release
	s.release = nil
	s.mu.Unlock()
	if release != nil {
		release()
	}
}

// tcp4 parses a 127.0.0.1:port address.
func tcp4(addr string) (ip [4]byte, port int, err error) {
	a, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return ip, 0, err
	}
	copy(ip[:], a.IP.To4())
	return ip, a.Port, nil
}
