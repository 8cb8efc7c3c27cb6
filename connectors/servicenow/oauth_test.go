package servicenow

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	snfake "github.com/opsctx/opsctx/internal/fake/servicenow"
	"github.com/opsctx/opsctx/internal/httpx"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/testkit/tokenrounds"
)

// oauthSource returns a Source for srv signing in with OAuth (the password grant when user is
// set, else client credentials).
func oauthSource(t *testing.T, srv *snfake.Server, user, pass string) *Source {
	t.Helper()
	c := httpx.New(httpx.Options{Source: "servicenow", BaseURL: srv.URL, RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond,
		OAuth: &httpx.OAuth{TokenURL: srv.URL + "/oauth_token.do", ClientID: "opsctx-client", ClientSecret: "client-secret-canary",
			Username: user, Password: pass}})
	t.Cleanup(c.CloseIdleConnections)
	return New(Options{Client: c, InstanceURL: srv.URL})
}

// concurrently runs n calls of the capability at once and returns how many failed.
func concurrently(n int, call func() error) int {
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range n {
		wg.Go(func() {
			if call() != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	return int(failed.Load())
}

// TestOAuthTokensRenewUnderLoad: with 2-second tokens, 64 concurrent calls each round keep
// succeeding across several expiries, and each expiry costs one token request, not one per
// caller.
func TestOAuthTokensRenewUnderLoad(t *testing.T) {
	for _, grant := range []struct{ name, user, pass string }{
		{"client credentials", "", ""},
		{"password grant", "opsctx.integration", "password-canary"},
	} {
		t.Run(grant.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, shop(), snfake.Options{ClientID: "opsctx-client", ClientSecret: "client-secret-canary",
				Username: "opsctx.integration", Password: "password-canary", TokenTTL: 2 * time.Second})
			src := oauthSource(t, srv, grant.user, grant.pass)
			const rounds = 3
			slow := tokenrounds.Rounds{Life: 2 * time.Second}
			for round := 1; round <= rounds; round++ {
				if round > 1 {
					time.Sleep(2 * time.Second) // the token's lifetime: the previous one has expired
				}
				done := slow.Start()
				failed := concurrently(64, func() error {
					_, err := src.Incidents(context.Background(), model.Target{})
					return err
				})
				done()
				if failed > 0 {
					t.Fatalf("round %d: %d of 64 calls failed", round, failed)
				}
				slow.Check(t, srv.TokenRequests(), round, fmt.Sprintf("%d rounds of 64 calls, one per expiry", round))
			}
		})
	}
}

// TestOAuthRevokedTokenRecovers: after an administrator revokes the integration's tokens, the
// next calls each meet at most one 401, a single new token is fetched, and they succeed.
func TestOAuthRevokedTokenRecovers(t *testing.T) {
	srv := start(t, shop(), snfake.Options{ClientID: "opsctx-client", ClientSecret: "client-secret-canary", TokenTTL: time.Hour})
	src := oauthSource(t, srv, "", "")
	if err := src.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Revoke()
	before := len(srv.Requests())
	if failed := concurrently(64, func() error { return src.readOne(context.Background(), "incident") }); failed > 0 {
		t.Fatalf("%d of 64 reads failed after the revocation", failed)
	}
	if got := srv.TokenRequests(); got != 2 {
		t.Errorf("%d token requests, want 2 (the first, one after the revocation)", got)
	}
	refused := 0
	for _, r := range srv.Requests()[before:] {
		if r.Header.Get("Authorization") == "Bearer "+srv.Issued()[0] {
			refused++
		}
	}
	if refused == 0 || refused > 64 {
		t.Errorf("%d requests carried the revoked token, want 1 to 64 (at most one per read)", refused)
	}
}

// TestOAuthRefusedNamesTheSettings: an OAuth client the instance refuses fails the check with
// the token endpoint's 401, naming the settings to fix and not the secret.
func TestOAuthRefusedNamesTheSettings(t *testing.T) {
	srv := start(t, shop(), snfake.Options{ClientID: "opsctx-client", ClientSecret: "another-secret"})
	src := oauthSource(t, srv, "", "")
	src.authVars = "SERVICENOW_CLIENT_ID and SERVICENOW_CLIENT_SECRET"
	err := src.Check(context.Background())
	if httpx.StatusOf(err) != 401 || !strings.Contains(err.Error(), "invalid_client") ||
		!strings.Contains(err.Error(), "SERVICENOW_CLIENT_SECRET") || strings.Contains(err.Error(), "client-secret-canary") {
		t.Fatalf("err = %v", err)
	}
}
