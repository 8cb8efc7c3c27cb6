package httpx

import (
	"context"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokens keeps one client's OAuth token. The grant (x/oauth2: client credentials, or the
// password grant renewed by its refresh token) fetches it; tokens decides when:
//
//   - once for all concurrent callers: a caller that needs a token joins the fetch in flight;
//   - ahead of time: a token in the last quarter of its life (at most its last 5 minutes) is
//     still handed out while one background fetch replaces it, so a client in use never
//     waits for a renewal (ServiceNow's 1799 s tokens are renewed from about 25 min on);
//   - before the upstream refuses it: from a tenth of its life before it expires (at most a
//     minute) callers wait for a new one;
//   - within the caller's deadline: a caller stops waiting when its context ends, the fetch
//     itself is bounded by the client's timeout;
//   - after a refusal: reject drops the token a 401 answered, once for all callers;
//   - across processes (OAuth.Keep): the first need of a token takes the kept one while more
//     than a quarter of its life is left, and each new token is kept for the next process.
//
// oauth2.ReuseTokenSource does the first and fourth point only, without a context to give
// up a wait with and without renewing ahead, hence this small keeper over the grant.
type tokens struct {
	grant oauth2.TokenSource // fetches a new token
	keep  TokenKeeper        // keeps the token between processes; may be nil
	now   func() time.Time   // the clock (tests move it)

	mu       sync.Mutex
	restored bool          // the kept token was looked at (once, at the first need)
	tok      *oauth2.Token // the current token; nil before the first fetch and after a refusal
	renewAt  time.Time     // from then on a use renews tok in the background
	dueAt    time.Time     // from then on callers wait for a new token (zero: tok never expires)
	flight   *fetch        // the fetch in flight, if any
}

// fetch is one token request; done closes when tok or err is set.
type fetch struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// newTokens returns the token keeper for o; token requests go through hc.
func newTokens(o *OAuth, hc *http.Client) *tokens {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
	t := &tokens{keep: o.Keep, now: time.Now}
	if o.Username != "" {
		t.grant = &passwordGrant{ctx: ctx, user: o.Username, pass: o.Password, cfg: &oauth2.Config{
			ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes,
			Endpoint: oauth2.Endpoint{TokenURL: o.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}}
	} else {
		cc := &clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, TokenURL: o.TokenURL,
			Scopes: o.Scopes, EndpointParams: o.Params, AuthStyle: oauth2.AuthStyleInParams}
		t.grant = tokenFunc(func() (*oauth2.Token, error) { return cc.Token(ctx) })
	}
	return t
}

// Token returns the current token, waiting (at most until ctx ends) for a new one when there
// is none or it is due, and starting a background renewal when it is getting old.
func (t *tokens) Token(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	now := t.now()
	if !t.restored {
		t.restore(now)
	}
	if t.tok != nil && (t.dueAt.IsZero() || now.Before(t.dueAt)) {
		tok := t.tok
		if !t.renewAt.IsZero() && !now.Before(t.renewAt) {
			t.start()
		}
		t.mu.Unlock()
		return tok, nil
	}
	f := t.start()
	t.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start returns the fetch in flight, starting one if there is none. t.mu is held.
func (t *tokens) start() *fetch {
	if t.flight != nil {
		return t.flight
	}
	f := &fetch{done: make(chan struct{})}
	t.flight = f
	go func() {
		tok, err := t.grant.Token()
		t.mu.Lock()
		issued := t.now()
		if err == nil {
			t.set(tok, tok.Expiry.Sub(issued))
		}
		t.flight = nil
		t.mu.Unlock()
		if err == nil && t.keep != nil {
			t.keep.Save(tok, issued) // before callers go on: a one-shot process may end soon
		}
		f.tok, f.err = tok, err
		close(f.done)
	}()
	return f
}

// restore takes the kept token, if any, while more than a quarter of its life is left
// (from then on the renewal ahead of time would replace it at once). t.mu is held.
func (t *tokens) restore(now time.Time) {
	t.restored = true
	if t.keep == nil || t.tok != nil {
		return
	}
	tok, issued, ok := t.keep.Load()
	if !ok {
		return
	}
	if life := tok.Expiry.Sub(issued); life > 0 && tok.Expiry.Sub(now) > life/4 {
		t.set(tok, life)
	}
}

// set makes tok, which lives life in all, the current token and times its renewal. t.mu
// is held.
func (t *tokens) set(tok *oauth2.Token, life time.Duration) {
	t.tok, t.renewAt, t.dueAt = tok, time.Time{}, time.Time{}
	if tok.Expiry.IsZero() {
		return
	}
	life = max(life, 0)
	t.dueAt = tok.Expiry.Add(-min(life/10, time.Minute))
	t.renewAt = tok.Expiry.Add(-min(life/4, 5*time.Minute))
}

// reject drops tok after the upstream refused it (HTTP 401), unless another caller already
// replaced it: the next Token fetches a new one, once for all callers.
func (t *tokens) reject(tok *oauth2.Token) {
	t.mu.Lock()
	dropped := tok != nil && t.tok != nil && tok.AccessToken == t.tok.AccessToken
	if dropped {
		t.tok = nil
	}
	t.mu.Unlock()
	if dropped && t.keep != nil {
		t.keep.Discard(tok)
	}
}

// tokenFunc adapts a function to oauth2.TokenSource.
type tokenFunc func() (*oauth2.Token, error)

func (f tokenFunc) Token() (*oauth2.Token, error) { return f() }
