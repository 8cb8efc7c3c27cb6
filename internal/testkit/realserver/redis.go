package realserver

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// StartRedis starts redis-server (or valkey-server) on a free 127.0.0.1 port without
// persistence, in a temporary directory. Its URL is redis://127.0.0.1:<port>/0.
func StartRedis(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t, "redis-server", "valkey-server")
	s := startWith(t, "redis", bin, t.TempDir(), func(port int) []string {
		return []string{"--port", itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"}
	}, (*Server).pingReady)
	s.URL = "redis://" + strings.TrimPrefix(s.URL, "http://") + "/0"
	return s
}

// pingReady sends PING and expects +PONG.
func (s *Server) pingReady() error {
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.URL, "http://"), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("ping: %q", line)
	}
	return nil
}
