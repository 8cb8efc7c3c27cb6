package httpx

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// memKeeper is a TokenKeeper in memory: what another process kept.
type memKeeper struct {
	mu        sync.Mutex
	tok       *oauth2.Token
	issued    time.Time
	saves     int
	discarded []string
}

func (k *memKeeper) Load() (*oauth2.Token, time.Time, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.tok, k.issued, k.tok != nil
}

func (k *memKeeper) Save(tok *oauth2.Token, issued time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.tok, k.issued, k.saves = tok, issued, k.saves+1
}

func (k *memKeeper) Discard(tok *oauth2.Token) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.discarded = append(k.discarded, tok.AccessToken)
	if k.tok != nil && k.tok.AccessToken == tok.AccessToken {
		k.tok = nil
	}
}

// TestTokenKept: a fresh keeper takes the kept token while more than a quarter of its life
// is left, timing its renewal from its whole life (so that it is renewed ahead as if it had
// fetched it); with less left it fetches a new one; every token it fetches, renewals too, is
// kept; a refused token is discarded.
func TestTokenKept(t *testing.T) {
	const life = 100 * time.Second
	for _, tt := range []struct {
		name    string
		age     time.Duration // of the kept token
		fetches int32
		want    string
	}{
		{"fresh", 10 * time.Second, 0, "kept"},
		{"just over a quarter left", 74 * time.Second, 0, "kept"},
		{"a quarter left", 75 * time.Second, 1, "1"},
		{"expired", 2 * life, 1, "1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tk, g, clock := newStubTokens(life)
			k := &memKeeper{tok: &oauth2.Token{AccessToken: "kept", Expiry: clock.now().Add(life - tt.age)}, issued: clock.now().Add(-tt.age)}
			tk.keep = k
			tok, err := tk.Token(context.Background())
			if err != nil || tok.AccessToken != tt.want || g.fetches.Load() != tt.fetches {
				t.Fatalf("token %v, %v after %d fetches; want %s after %d", tok, err, g.fetches.Load(), tt.want, tt.fetches)
			}
			if tt.want == "kept" {
				if d := tok.Expiry.Sub(tk.renewAt); d != 25*time.Second {
					t.Errorf("kept token renewed %v ahead, want 25 s (a quarter of its whole life)", d)
				}
				if k.saves != 0 {
					t.Errorf("the kept token was saved again (%d saves)", k.saves)
				}
				return
			}
			if k.saves != 1 || k.tok.AccessToken != "1" || !k.issued.Equal(clock.now()) {
				t.Errorf("kept after the fetch: %v issued %v (%d saves); want token 1 issued now", k.tok, k.issued, k.saves)
			}
		})
	}

	t.Run("renewals and refusals", func(t *testing.T) {
		tk, g, clock := newStubTokens(life)
		k := &memKeeper{}
		tk.keep = k
		if tok, _ := tk.Token(context.Background()); tok.AccessToken != "1" || k.tok.AccessToken != "1" {
			t.Fatalf("first token %v, kept %v", tok, k.tok)
		}
		clock.advance(80 * time.Second) // renewed ahead, in the background
		_, _ = tk.Token(context.Background())
		waitFetch(tk)
		if k.tok.AccessToken != "2" || k.saves != 2 {
			t.Fatalf("after the renewal ahead: kept %v (%d saves), want token 2", k.tok, k.saves)
		}
		tk.reject(&oauth2.Token{AccessToken: "1"}) // not the current one: nothing is discarded
		tk.reject(&oauth2.Token{AccessToken: "2"})
		if strings.Join(k.discarded, ",") != "2" || k.tok != nil {
			t.Fatalf("discarded %v, kept %v; want token 2 discarded", k.discarded, k.tok)
		}
		if tok, _ := tk.Token(context.Background()); tok.AccessToken != "3" || k.tok.AccessToken != "3" || g.fetches.Load() != 3 {
			t.Errorf("after the refusal: token %v, kept %v", tok, k.tok)
		}
	})
}

// TestKeptTokenRevoked: a client starting with a kept token sends it without a token
// request; once an administrator revoked it, a fresh client recovers after one 401 and one
// token request, and keeps the new token in place of the refused one.
func TestKeptTokenRevoked(t *testing.T) {
	srv := oauthServer(t, time.Hour)
	k := &memKeeper{}
	o := OAuth{ClientID: "cid", ClientSecret: "secret-canary-99", Username: "int.user", Password: "pw-canary-77", Keep: k}
	if err := read(oauthClient(t, srv, o)); err != nil {
		t.Fatal(err)
	}
	if k.tok == nil || k.tok.AccessToken != srv.Issued()[0] {
		t.Fatalf("kept %v, want the issued token", k.tok)
	}
	if err := read(oauthClient(t, srv, o)); err != nil || srv.TokenRequests() != 1 {
		t.Fatalf("a second client: %v after %d token requests; want the kept token, 1 token request", err, srv.TokenRequests())
	}

	srv.Revoke()
	srv.Reset()
	if err := read(oauthClient(t, srv, o)); err != nil {
		t.Fatalf("after the revocation: %v", err)
	}
	var with []string
	for _, r := range srv.Requests() {
		with = append(with, r.Path+" "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}
	issued := srv.Issued()
	want := []string{"/api/now/table/incident " + issued[0], "/oauth_token.do ", "/api/now/table/incident " + issued[1]}
	if strings.Join(with, "; ") != strings.Join(want, "; ") {
		t.Errorf("requests %q, want %q", with, want)
	}
	if k.tok.AccessToken != issued[1] || strings.Join(k.discarded, ",") != issued[0] {
		t.Errorf("kept %v, discarded %v; want the new token kept and the revoked one discarded", k.tok.AccessToken, k.discarded)
	}
}
