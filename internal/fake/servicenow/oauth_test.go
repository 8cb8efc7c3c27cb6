package servicenow

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opsctx/opsctx/internal/testkit/faketest"
)

// postToken sends a token request with the form and returns the status and decoded body.
func postToken(t *testing.T, srv *Server, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/oauth_token.do", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, b := faketest.Do(t, req)
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("token body %q: %v", b, err)
	}
	return res.StatusCode, body
}

// bearerStatus reads a table with the bearer token and returns the status and error message.
func bearerStatus(t *testing.T, srv *Server, tok, table string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/now/table/"+table, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, b := faketest.Do(t, req)
	var body struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &body)
	return res.StatusCode, body.Error.Message
}

// TestOAuthGrants: each grant ServiceNow supports issues a token the Table API accepts, with
// the lifetime and refresh token of ServiceNow's answer; bad credentials get RFC 6749 errors.
func TestOAuthGrants(t *testing.T) {
	srv := Start(data(), Options{Username: "int.user", Password: "pw", ClientID: "cid", ClientSecret: "csecret", TokenTTL: 30 * time.Second})
	defer srv.Close()
	client := url.Values{"client_id": {"cid"}, "client_secret": {"csecret"}}
	with := func(kv ...string) url.Values {
		f := url.Values{}
		for k, v := range client {
			f[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	_, pw := postToken(t, srv, with("grant_type", "password", "username", "int.user", "password", "pw"))
	refresh, _ := pw["refresh_token"].(string)
	tests := []struct {
		name        string
		form        url.Values
		status      int
		wantRefresh bool
		wantErr     string
	}{
		{"client credentials", with("grant_type", "client_credentials"), 200, false, ""},
		{"password", with("grant_type", "password", "username", "int.user", "password", "pw"), 200, true, ""},
		{"refresh token", with("grant_type", "refresh_token", "refresh_token", refresh), 200, true, ""},
		{"wrong secret", url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"nope"}}, 401, false, "invalid_client"},
		{"wrong password", with("grant_type", "password", "username", "int.user", "password", "nope"), 401, false, "invalid_grant"},
		{"unknown refresh token", with("grant_type", "refresh_token", "refresh_token", "nope"), 401, false, "invalid_grant"},
		{"unsupported grant", with("grant_type", "implicit"), 400, false, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postToken(t, srv, tt.form)
			if status != tt.status || body["error"] != nilIfEmpty(tt.wantErr) {
				t.Fatalf("status %d body %v; want %d error %q", status, body, tt.status, tt.wantErr)
			}
			if status != 200 {
				return
			}
			_, hasRefresh := body["refresh_token"]
			if body["token_type"] != "Bearer" || body["expires_in"] != float64(30) || hasRefresh != tt.wantRefresh {
				t.Errorf("token answer %v", body)
			}
			if st, msg := bearerStatus(t, srv, body["access_token"].(string), "cmdb_ci_service"); st != 200 {
				t.Errorf("issued token refused: %d %s", st, msg)
			}
		})
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// TestOAuthTokensExpireAndRevoke: an access token is refused with ServiceNow's 401 body once
// it has expired or been revoked; the refresh token still renews it.
func TestOAuthTokensExpireAndRevoke(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := Start(data(), Options{Username: "int.user", Password: "pw", ClientID: "cid", ClientSecret: "cs", TokenTTL: time.Second, Now: clock})
	defer srv.Close()
	form := url.Values{"grant_type": {"password"}, "client_id": {"cid"}, "client_secret": {"cs"}, "username": {"int.user"}, "password": {"pw"}}
	_, body := postToken(t, srv, form)
	tok, refresh := body["access_token"].(string), body["refresh_token"].(string)
	if st, _ := bearerStatus(t, srv, tok, "incident"); st != 200 {
		t.Fatalf("fresh token refused: %d", st)
	}
	mu.Lock()
	now = now.Add(time.Second) // the token's whole lifetime
	mu.Unlock()
	if st, msg := bearerStatus(t, srv, tok, "incident"); st != 401 || msg != "User Not Authenticated" {
		t.Fatalf("expired token: %d %q; want 401 User Not Authenticated", st, msg)
	}
	_, body = postToken(t, srv, url.Values{"grant_type": {"refresh_token"}, "client_id": {"cid"}, "client_secret": {"cs"}, "refresh_token": {refresh}})
	renewed := body["access_token"].(string)
	if st, _ := bearerStatus(t, srv, renewed, "incident"); st != 200 {
		t.Fatalf("renewed token refused: %d", st)
	}
	srv.Revoke()
	if st, msg := bearerStatus(t, srv, renewed, "incident"); st != 401 || msg != "User Not Authenticated" {
		t.Fatalf("revoked token: %d %q; want 401", st, msg)
	}
	if got := len(srv.Issued()); got != 2 || srv.TokenRequests() != 2 {
		t.Errorf("issued %d tokens in %d requests, want 2 in 2", got, srv.TokenRequests())
	}
}

// TestDeniedTable: a table the user may not read answers 403 with ServiceNow's body; others read.
func TestDeniedTable(t *testing.T) {
	srv := Start(data(), Options{Token: "tok", Denied: []string{"cmdb_rel_ci"}})
	defer srv.Close()
	if st, msg := bearerStatus(t, srv, "tok", "cmdb_rel_ci"); st != 403 || msg != "Insufficient rights to query records" {
		t.Errorf("denied table: %d %q", st, msg)
	}
	if st, _ := bearerStatus(t, srv, "tok", "cmdb_ci_service"); st != 200 {
		t.Errorf("readable table: %d", st)
	}
}
