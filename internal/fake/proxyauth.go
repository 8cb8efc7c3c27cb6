package fake

import "net/http"

// ProxyAuth checks what a reverse proxy in front of Prometheus or Alertmanager checks: a
// bearer token, or basic credentials. With neither configured every request passes.
func ProxyAuth(token, username, password string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if token == "" && username == "" {
			return true
		}
		if token != "" && r.Header.Get("Authorization") == "Bearer "+token {
			return true
		}
		u, p, ok := r.BasicAuth()
		return ok && username != "" && u == username && p == password
	}
}

// ProxyUnauthorized answers 401 as such a proxy does, naming realm.
func ProxyUnauthorized(realm string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
		http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
	}
}
