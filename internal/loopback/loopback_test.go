package loopback

import "testing"

func TestAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:1": true, "LOCALHOST": true, "[::1]:8080": true, "[::1]": true, "::1": true,
		"127.1.2.3": true, "0.0.0.0:8080": false, ":8080": false, "10.1.2.3:80": false, "example.com:80": false, "localhost.evil.com": false,
	} {
		if got := Addr(addr); got != want {
			t.Errorf("Addr(%q) = %v, want %v", addr, got, want)
		}
	}
}
