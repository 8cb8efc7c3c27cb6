package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
)

// oauthServer is a ServiceNow fake with an OAuth application (the instance's /oauth_token.do).
func oauthServer(t *testing.T, ttl time.Duration) *snfake.Server {
	t.Helper()
	srv := snfake.Start(snfake.Data{Tables: map[string][]snfake.Record{"incident": {{"sys_id": snfake.SysID("i"), "number": "INC1"}}}},
		snfake.Options{Username: "int.user", Password: "pw-canary-77", ClientID: "cid", ClientSecret: "secret-canary-99", TokenTTL: ttl})
	t.Cleanup(srv.Close)
	return srv
}

func oauthClient(t *testing.T, srv *snfake.Server, o OAuth) *Client {
	t.Helper()
	o.TokenURL = srv.URL + "/oauth_token.do"
	return testClient(t, srv.URL, Options{Source: "servicenow", OAuth: &o})
}

func read(c *Client) error {
	_, err := c.Get(context.Background(), "/api/now/table/incident", nil)
	return err
}

// TestOAuthGrants: the client-credentials and password grants fetch a token once and reuse
// it; the password grant renews with its refresh token; the token is sent as Bearer.
func TestOAuthGrants(t *testing.T) {
	tests := []struct {
		name  string
		oauth OAuth
	}{
		{"client credentials", OAuth{ClientID: "cid", ClientSecret: "secret-canary-99"}},
		{"password grant", OAuth{ClientID: "cid", ClientSecret: "secret-canary-99", Username: "int.user", Password: "pw-canary-77"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oauthServer(t, time.Hour)
			c := oauthClient(t, srv, tt.oauth)
			for range 3 {
				if err := read(c); err != nil {
					t.Fatal(err)
				}
			}
			if n := srv.TokenRequests(); n != 1 {
				t.Errorf("%d token requests for 3 calls, want 1", n)
			}
			last := srv.Requests()[len(srv.Requests())-1]
			if got := last.Header.Get("Authorization"); got != "Bearer "+srv.Issued()[0] {
				t.Errorf("Authorization %q", got)
			}
		})
	}
}

// TestOAuthRevokedTokenRecoversAfterOne401: a revoked token costs one 401 and one token
// request, for 64 concurrent callers too; a refusal that persists is reported as the 401.
func TestOAuthRevokedTokenRecoversAfterOne401(t *testing.T) {
	srv := oauthServer(t, time.Hour)
	c := oauthClient(t, srv, OAuth{ClientID: "cid", ClientSecret: "secret-canary-99", Username: "int.user", Password: "pw-canary-77"})
	if err := read(c); err != nil {
		t.Fatal(err)
	}
	srv.Revoke()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 64 {
		wg.Go(func() {
			if err := read(c); err != nil {
				failed.Add(1)
				t.Log(err)
			}
		})
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d of 64 calls failed after the revocation", failed.Load())
	}
	if n := srv.TokenRequests(); n != 2 {
		t.Errorf("%d token requests, want 2 (the first, one renewal for 64 callers)", n)
	}
	var refused int
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/api/") && r.Header.Get("Authorization") == "Bearer "+srv.Issued()[0] {
			refused++
		}
	}
	if refused > 65 {
		t.Errorf("%d requests with the revoked token", refused)
	}
}

// TestOAuthTokenRefused: a token request the server refuses is a 401 *StatusError of the
// token endpoint, naming the OAuth error and no secret.
func TestOAuthTokenRefused(t *testing.T) {
	srv := oauthServer(t, time.Hour)
	c := oauthClient(t, srv, OAuth{ClientID: "cid", ClientSecret: "wrong-secret-canary"})
	err := read(c)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 401 || se.Method != "POST" || !strings.Contains(se.URL, "/oauth_token.do") ||
		!strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("err = %v, want a 401 from the token endpoint naming invalid_client", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-canary") {
		t.Errorf("error leaks the client secret: %v", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests, want only the token request", n)
	}
}

// TestOAuthPersistent401: an API that keeps refusing new tokens is retried once, then the 401
// is the answer.
func TestOAuthPersistent401(t *testing.T) {
	var tokensIssued atomic.Int32
	api, calls := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		if r.URL.Path == "/oauth_token.do" {
			tokensIssued.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"tok-` + time.Now().String() + `","token_type":"Bearer","expires_in":3600}`))
			return
		}
		w.WriteHeader(401)
		_, _ = w.Write([]byte(`{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}`))
	})
	c := testClient(t, api.URL, Options{Source: "servicenow", OAuth: &OAuth{TokenURL: api.URL + "/oauth_token.do", ClientID: "cid", ClientSecret: "cs-1234"}})
	err := read(c)
	if StatusOf(err) != 401 || !strings.Contains(err.Error(), "User Not Authenticated") {
		t.Fatalf("err = %v, want the API's 401", err)
	}
	if got, toks := calls.Load()-tokensIssued.Load(), tokensIssued.Load(); got != 2 || toks != 2 {
		t.Errorf("%d API requests and %d token requests, want 2 and 2", got, toks)
	}
}

// TestOAuthTokenTimeoutIsADeadline: a token endpoint that does not answer within the
// client's Timeout fails the call as a deadline (errors.Is context.DeadlineExceeded), as an
// API request's timeout does, so the answer says "no answer within the deadline" whichever
// timer fired first; the message names the token endpoint and no secret.
func TestOAuthTokenTimeoutIsADeadline(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // read, so that the server sees the client hang up
		select {                           // longer than the client's Timeout, never holding Close for long
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(hang.Close)
	o := OAuth{ClientID: "cid", ClientSecret: "secret-canary-99", TokenURL: hang.URL + "/oauth_token.do"}
	c := testClient(t, hang.URL, Options{Source: "servicenow", OAuth: &o, Timeout: 50 * time.Millisecond})
	err := read(c)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if !strings.Contains(err.Error(), "OAuth token") || strings.Contains(err.Error(), "secret-canary-99") {
		t.Errorf("err = %v, want the token endpoint named and no secret", err)
	}
}

// TestOAuthToken429HeldAtOnce: a token request answered 429 holds the client for its
// Retry-After as soon as the response is in, before any caller reports the failure: a second
// fetch of the token (a caller that came after the first fetch ended) sends nothing.
func TestOAuthToken429HeldAtOnce(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	o := OAuth{ClientID: "cid", ClientSecret: "secret-canary-99", TokenURL: srv.URL + "/oauth_token.do"}
	c := testClient(t, srv.URL, Options{Source: "servicenow", OAuth: &o})
	for i := range 2 {
		if _, err := c.tokens.Token(context.Background()); err == nil {
			t.Fatalf("fetch %d: a token from a server answering 429", i+1)
		}
	}
	if n := posts.Load(); n != 1 {
		t.Errorf("%d token requests, want 1 (the second waits out Retry-After)", n)
	}
}
