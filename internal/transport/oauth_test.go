package transport_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/opsctx/opsctx/internal/fake/issuer"
	"github.com/opsctx/opsctx/internal/oauth"
	opstransport "github.com/opsctx/opsctx/internal/transport"
)

const resource = "https://opsctx.example.com/mcp"

// signedIn serves with OAuth sign-in against a local issuer.
func signedIn(t *testing.T, is *issuer.Issuer, scope string) string {
	t.Helper()
	v, err := oauth.New(oauth.Options{Issuer: is.ID, Audience: resource, Scope: scope, RefetchEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return serve(t, opstransport.HTTPOptions{OAuth: v})
}

// TestOAuthSignIn: tokens from the issuer, for this server, within their lifetime and
// signed by a published key are let in; every other token gets 401 with the challenge that
// points to the resource metadata.
func TestOAuthSignIn(t *testing.T) {
	is := issuer.Start(issuer.Options{Path: "/realms/ops"})
	defer is.Close()
	base := signedIn(t, is, "")
	token := func(edit func(jwt.MapClaims)) string {
		c := is.Claims(resource)
		edit(c)
		return is.Token(c)
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, is.Claims(resource)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	valid := token(func(jwt.MapClaims) {})

	// The issuer rotates its key: tokens signed with the new one work without a restart.
	if resp, body := request(t, http.MethodPost, base+"/mcp", initBody, map[string]string{"Authorization": "Bearer " + valid}); resp.StatusCode != http.StatusOK {
		t.Fatalf("valid token: %d %s", resp.StatusCode, body)
	}
	is.Rotate()
	if resp, body := request(t, http.MethodPost, base+"/mcp", initBody, map[string]string{"Authorization": "Bearer " + is.Token(is.Claims(resource))}); resp.StatusCode != http.StatusOK {
		t.Errorf("after key rotation: %d %s", resp.StatusCode, body)
	}
	valid = token(func(jwt.MapClaims) {})
	dot := strings.LastIndexByte(valid, '.')
	sig := []byte(valid[dot+1:])
	sig[3] = map[bool]byte{true: 'B', false: 'A'}[sig[3] == 'A'] // another base64url letter: the wrong signature
	tampered := valid[:dot+1] + string(sig)

	const challenge = `Bearer resource_metadata="https://opsctx.example.com/.well-known/oauth-protected-resource/mcp"`
	tests := []struct {
		name, auth string
		want       int
		errParam   string
	}{
		{"valid", "Bearer " + valid, http.StatusOK, ""},
		{"valid, lower-case scheme", "bearer " + valid, http.StatusOK, ""},
		{"no token", "", http.StatusUnauthorized, ""},
		{"wrong aud", "Bearer " + token(func(c jwt.MapClaims) { c["aud"] = "https://other.example.com/mcp" }), http.StatusUnauthorized, `error="invalid_token"`},
		{"no aud", "Bearer " + token(func(c jwt.MapClaims) { delete(c, "aud") }), http.StatusUnauthorized, `error="invalid_token"`},
		{"expired", "Bearer " + token(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), http.StatusUnauthorized, `error="invalid_token"`},
		{"wrong issuer", "Bearer " + token(func(c jwt.MapClaims) { c["iss"] = is.URL }), http.StatusUnauthorized, `error="invalid_token"`},
		{"alg none", "Bearer " + none, http.StatusUnauthorized, `error="invalid_token"`},
		{"unknown key", "Bearer " + issuer.Sign(issuer.NewKey(), is.Claims(resource)), http.StatusUnauthorized, `error="invalid_token"`},
		{"tampered signature", "Bearer " + tampered, http.StatusUnauthorized, `error="invalid_token"`},
		{"the static-token form", "Basic YTpi", http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		resp, body := request(t, http.MethodPost, base+"/mcp", initBody, map[string]string{"Authorization": tt.auth})
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d %s, want %d", tt.name, resp.StatusCode, body, tt.want)
			continue
		}
		if tt.want != http.StatusUnauthorized {
			continue
		}
		got := resp.Header.Get("WWW-Authenticate")
		if !strings.HasPrefix(got, challenge) || !strings.Contains(got, tt.errParam) {
			t.Errorf("%s: WWW-Authenticate %q, want %s with %s", tt.name, got, challenge, tt.errParam)
		}
		if strings.Contains(got+body, tt.auth[min(len(tt.auth), 7):]) && tt.auth != "" {
			t.Errorf("%s: the answer repeats the token", tt.name)
		}
	}
	// /metrics is behind the same sign-in.
	if resp, _ := request(t, http.MethodGet, base+"/metrics", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/metrics without a token: %d", resp.StatusCode)
	}
}

// TestProtectedResourceMetadata: the RFC 9728 document, exactly, at the path derived from
// the resource and at the root well-known path; and the required scope in the challenge.
func TestProtectedResourceMetadata(t *testing.T) {
	is := issuer.Start(issuer.Options{})
	defer is.Close()
	for _, scope := range []string{"", "opsctx.read"} {
		base := signedIn(t, is, scope)
		want := `{"resource":"https://opsctx.example.com/mcp","authorization_servers":["` + is.ID + `"],"bearer_methods_supported":["header"],"resource_name":"opsctx"}`
		if scope != "" {
			want = `{"resource":"https://opsctx.example.com/mcp","authorization_servers":["` + is.ID + `"],"scopes_supported":["opsctx.read"],"bearer_methods_supported":["header"],"resource_name":"opsctx"}`
		}
		for _, path := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
			resp, body := request(t, http.MethodGet, base+path, "", nil)
			if resp.StatusCode != http.StatusOK || body != want || resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("scope %q: GET %s = %d %s\nwant %s", scope, path, resp.StatusCode, body, want)
			}
		}
		if scope == "" {
			continue
		}
		resp, _ := request(t, http.MethodPost, base+"/mcp", initBody, nil)
		if got := resp.Header.Get("WWW-Authenticate"); !strings.Contains(got, `scope="opsctx.read"`) {
			t.Errorf("challenge without the scope: %q", got)
		}
		c := is.Claims(resource)
		c["scope"] = "openid profile"
		resp, _ = request(t, http.MethodPost, base+"/mcp", initBody, map[string]string{"Authorization": "Bearer " + is.Token(c)})
		if got := resp.Header.Get("WWW-Authenticate"); resp.StatusCode != http.StatusForbidden || !strings.Contains(got, `error="insufficient_scope"`) {
			t.Errorf("token without the scope: %d %q, want 403 insufficient_scope", resp.StatusCode, got)
		}
		c["scope"] = "openid opsctx.read"
		if resp, body := request(t, http.MethodPost, base+"/mcp", initBody, map[string]string{"Authorization": "Bearer " + is.Token(c)}); resp.StatusCode != http.StatusOK {
			t.Errorf("token with the scope: %d %s", resp.StatusCode, body)
		}
	}
}
