package transport

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/opsctx/opsctx/internal/loopback"
)

// guard applies, in order, the Host check (DNS rebinding), the Origin allow-list and
// sign-in to every request for next.
func guard(o HTTPOptions, a *auth, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rebinding(r) {
			http.Error(w, "Forbidden: a request to a loopback server must name a loopback host", http.StatusForbidden)
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !originAllowed(origin, o.AllowedOrigins) {
			http.Error(w, "Forbidden: origin not allowed", http.StatusForbidden)
			return
		}
		r, ok := a.check(w, r)
		if !ok {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// rebinding reports a request that reached a loopback listener with a Host header naming
// something else: a web page that rebound its own name to 127.0.0.1 (DNS rebinding).
func rebinding(r *http.Request) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	return ok && local != nil && loopback.Addr(local.String()) && !loopback.Addr(r.Host)
}

func originAllowed(origin string, allowed []string) bool {
	for _, a := range allowed {
		if a == "*" || strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(origin, "/")) {
			return true
		}
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host != "" && loopback.Addr(u.Host)
}
