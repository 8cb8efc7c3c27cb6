package hosts

import (
	"net/netip"
	"strings"
)

// HostName is a host name as sources and alert labels write it, normalised for comparison:
// "App-01.Shop.example.:9100", "http://app-01.shop.example:8080/metrics" and
// "app-01.shop.example" have the same Full, and "app-01" is their Short; "10.0.0.7:9100"
// and "[2001:db8::7]:9100" are addresses.
type HostName struct {
	// Full is the name lowercased, without scheme, user, path, port, brackets or trailing dot;
	// an address in its canonical form.
	Full string
	// Short is the first DNS label ("app-01"); empty for an address.
	Short string
	// IP is set when Full is an IP address.
	IP bool
}

// ParseHostName normalises a host name, FQDN, address or URL; the zero HostName when s
// names no host.
func ParseHostName(s string) HostName {
	s = strings.ToLower(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 { // a URL: its host part
		s = s[i+3:]
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			s = s[:j]
		}
		if j := strings.LastIndex(s, "@"); j >= 0 {
			s = s[j+1:]
		}
	}
	switch {
	case strings.HasPrefix(s, "["): // [v6] or [v6]:port
		if i := strings.Index(s, "]"); i > 0 {
			s = s[1:i]
		}
	case strings.Count(s, ":") == 1: // name:port or v4:port
		if h, port, _ := strings.Cut(s, ":"); digits(port) {
			s = h
		}
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return HostName{}
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return HostName{Full: a.Unmap().WithZone("").String(), IP: true}
	}
	short, _, _ := strings.Cut(s, ".")
	return HostName{Full: s, Short: short}
}

// Domain is the part of a DNS name after its first label ("shop.example"); empty for a
// short name or an address.
func (h HostName) Domain() string {
	if h.IP {
		return ""
	}
	_, d, _ := strings.Cut(h.Full, ".")
	return d
}

// identifying reports whether an address can tell hosts apart: loopback, link-local and
// unspecified addresses are the same on every host.
func (h HostName) identifying() bool {
	if !h.IP {
		return h.Full != ""
	}
	a, err := netip.ParseAddr(h.Full)
	return err == nil && !a.IsLoopback() && !a.IsLinkLocalUnicast() && !a.IsUnspecified() && !a.IsMulticast()
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
