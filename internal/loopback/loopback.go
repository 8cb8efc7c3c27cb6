// Package loopback tells whether a host or address is on the loopback interface: where
// opsctx may serve without sign-in and where http:// is allowed for test issuers.
package loopback

import (
	"net"
	"strings"
)

// Host reports whether host ("localhost", "127.0.0.1", "::1" or "[::1]") is loopback.
func Host(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Addr reports whether addr (host:port, or a bare host) is loopback.
func Addr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	return Host(host)
}
