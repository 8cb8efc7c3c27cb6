package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// grantStub issues tokens "1", "2", ... that live life from the clock's time of issue; a
// fetch waits while hold is set, until the test releases it.
type grantStub struct {
	clock   *stubClock
	life    time.Duration
	fetches atomic.Int32

	mu   sync.Mutex
	hold chan struct{}
}

func (g *grantStub) Token() (*oauth2.Token, error) {
	n := g.fetches.Add(1)
	g.mu.Lock()
	hold := g.hold
	g.mu.Unlock()
	if hold != nil {
		<-hold
	}
	return &oauth2.Token{AccessToken: fmt.Sprint(n), Expiry: g.clock.now().Add(g.life)}, nil
}

// holdNext makes fetches wait; the returned func lets them go.
func (g *grantStub) holdNext() (release func()) {
	ch := make(chan struct{})
	g.mu.Lock()
	g.hold = ch
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		g.hold = nil
		g.mu.Unlock()
		close(ch)
	}
}

type stubClock struct{ t atomic.Int64 }

func (c *stubClock) now() time.Time          { return time.Unix(0, c.t.Load()) }
func (c *stubClock) advance(d time.Duration) { c.t.Add(int64(d)) }

func newStubTokens(life time.Duration) (*tokens, *grantStub, *stubClock) {
	clock := &stubClock{}
	clock.t.Store(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC).UnixNano())
	g := &grantStub{clock: clock, life: life}
	return &tokens{grant: g, now: clock.now}, g, clock
}

// waitFetch waits for the fetch in flight, if any.
func waitFetch(t *tokens) {
	t.mu.Lock()
	f := t.flight
	t.mu.Unlock()
	if f != nil {
		<-f.done
	}
}

// concurrently calls Token from 64 goroutines and returns the tokens they got.
func concurrently(t *testing.T, tk *tokens) map[string]int {
	t.Helper()
	var mu sync.Mutex
	got := map[string]int{}
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			tok, err := tk.Token(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got[tok.AccessToken]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return got
}

// TestTokenRenewalPoints: a token is renewed in the background from its last quarter of life
// (at most its last 5 minutes) and waited for from its last tenth (at most its last minute).
func TestTokenRenewalPoints(t *testing.T) {
	for _, tt := range []struct{ life, renewAhead, due time.Duration }{
		{2 * time.Second, 500 * time.Millisecond, 200 * time.Millisecond},
		{100 * time.Second, 25 * time.Second, 10 * time.Second},
		{1799 * time.Second, 5 * time.Minute, time.Minute}, // ServiceNow's default lifetime
	} {
		tk, _, _ := newStubTokens(tt.life)
		tok, err := tk.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if d := tok.Expiry.Sub(tk.renewAt); d != tt.renewAhead {
			t.Errorf("life %v: renewed %v ahead, want %v", tt.life, d, tt.renewAhead)
		}
		if d := tok.Expiry.Sub(tk.dueAt); d != tt.due {
			t.Errorf("life %v: due %v before expiry, want %v", tt.life, d, tt.due)
		}
	}
}

// TestTokenRenewedAheadWithoutWaiting: up to the renewal point the token is reused; after it
// every caller still gets the current token at once while one background fetch replaces it
// (the fetch is held: a caller that waited for it would hang); 64 callers at a token's due
// time share one fetch; a refused token is fetched anew once.
func TestTokenRenewedAheadWithoutWaiting(t *testing.T) {
	tk, g, clock := newStubTokens(100 * time.Second)
	if tok, err := tk.Token(context.Background()); err != nil || tok.AccessToken != "1" {
		t.Fatalf("first token %v, %v", tok, err)
	}
	clock.advance(74 * time.Second) // before the renewal point (75 s)
	if got := concurrently(t, tk); got["1"] != 64 || g.fetches.Load() != 1 {
		t.Fatalf("before the renewal point: tokens %v, %d fetches, want 64 × token 1 and 1 fetch", got, g.fetches.Load())
	}

	release := g.holdNext()
	clock.advance(2 * time.Second) // renew ahead
	if got := concurrently(t, tk); got["1"] != 64 {
		t.Fatalf("while renewing ahead: tokens %v, want the current one to every caller", got)
	}
	tk.mu.Lock()
	renewing := tk.flight != nil
	tk.mu.Unlock()
	if !renewing {
		t.Fatal("no background renewal after the renewal point")
	}
	release()
	waitFetch(tk)
	if n := g.fetches.Load(); n != 2 {
		t.Errorf("%d fetches after the renewal point, want 2 (one in the background)", n)
	}
	if tok, _ := tk.Token(context.Background()); tok.AccessToken != "2" {
		t.Fatalf("after the background renewal: token %s, want 2", tok.AccessToken)
	}

	clock.advance(95 * time.Second) // token 2 is due (it expires at 176 s, due from 166 s)
	if got := concurrently(t, tk); got["3"] != 64 || g.fetches.Load() != 3 {
		t.Fatalf("at the due time: tokens %v, %d fetches, want 64 × token 3 from 3 fetches", got, g.fetches.Load())
	}

	tk.reject(&oauth2.Token{AccessToken: "2"}) // an old token refused: nothing to do
	tk.reject(&oauth2.Token{AccessToken: "3"})
	tk.reject(&oauth2.Token{AccessToken: "3"})
	if got := concurrently(t, tk); got["4"] != 64 || g.fetches.Load() != 4 {
		t.Fatalf("after a refusal: tokens %v, %d fetches, want 64 × token 4 from 4 fetches", got, g.fetches.Load())
	}
}

// TestTokenWaitEndsWithTheCaller: a caller waiting for a token stops at its deadline; the
// fetch goes on and serves the next caller.
func TestTokenWaitEndsWithTheCaller(t *testing.T) {
	tk, g, _ := newStubTokens(time.Hour)
	release := g.holdNext()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := tk.Token(ctx)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the caller's context error", err)
	}
	release()
	if tok, err := tk.Token(context.Background()); err != nil || tok.AccessToken != "1" || g.fetches.Load() != 1 {
		t.Fatalf("token %v, %v after %d fetches, want the one fetched meanwhile", tok, err, g.fetches.Load())
	}
}

// TestTokenRequestRetried: a token request answered 502, or 503 with Retry-After, is sent
// again (it changes nothing) and the call succeeds; a lasting 500 ends as the token
// endpoint's error after the client's retries.
func TestTokenRequestRetried(t *testing.T) {
	for _, tt := range []struct {
		name        string
		fail        int // how many token requests fail
		status      int
		header      http.Header
		wantErr     string
		wantTokenRq int32
	}{
		{"502 once", 1, 502, nil, "", 2},
		{"503 with Retry-After", 2, 503, http.Header{"Retry-After": {"0"}}, "", 3},
		{"500 always", 100, 500, nil, "500", DefaultRetryMax + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var tokenRq atomic.Int32
			api, _ := counted(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
				if r.URL.Path == "/oauth_token.do" {
					if int(tokenRq.Add(1)) <= tt.fail {
						for k, v := range tt.header {
							w.Header()[k] = v
						}
						w.WriteHeader(tt.status)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					_, _ = w.Write([]byte(`{"access_token":"tok-1","token_type":"Bearer","expires_in":1799}`))
					return
				}
				if r.Header.Get("Authorization") != "Bearer tok-1" {
					w.WriteHeader(401)
				}
			})
			c := testClient(t, api.URL, Options{Source: "servicenow", OAuth: &OAuth{TokenURL: api.URL + "/oauth_token.do", ClientID: "cid", ClientSecret: "cs"}})
			err := read(c)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if n := tokenRq.Load(); n != tt.wantTokenRq {
				t.Errorf("%d token requests, want %d", n, tt.wantTokenRq)
			}
		})
	}
}

// TestSignIn: SignIn fetches the token before the first request, which then sends one
// request only; a client without OAuth has nothing to do; a refused sign-in names the
// token endpoint's error.
func TestSignIn(t *testing.T) {
	srv := oauthServer(t, time.Hour)
	c := oauthClient(t, srv, OAuth{ClientID: "cid", ClientSecret: "secret-canary-99"})
	if err := c.SignIn(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 1 || srv.TokenRequests() != 1 {
		t.Fatalf("%d requests after SignIn, want the token request", n)
	}
	if err := read(c); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 2 || srv.TokenRequests() != 1 {
		t.Errorf("%d requests (%d for tokens) after SignIn and one read, want 2 (1)", n, srv.TokenRequests())
	}
	if err := testClient(t, srv.URL, Options{}).SignIn(context.Background()); err != nil {
		t.Errorf("SignIn without OAuth: %v", err)
	}
	bad := oauthClient(t, srv, OAuth{ClientID: "cid", ClientSecret: "wrong-secret-canary"})
	if err := bad.SignIn(context.Background()); StatusOf(err) != 401 || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("refused sign-in: %v", err)
	}
}
