package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/oauth2"
)

// OAuth configures a renewed OAuth 2 bearer token (RFC 6749) that the client fetches from
// TokenURL and sends as `Authorization: Bearer …`: the client-credentials grant, or the
// password grant with refresh tokens when Username is set. Tokens are renewed before they
// expire, fetched once for all concurrent callers, and a request the upstream refuses with
// 401 is sent once more with a new token (see tokens for when they are renewed).
type OAuth struct {
	// TokenURL is the token endpoint, e.g. https://acme.service-now.com/oauth_token.do.
	TokenURL string
	// ClientID and ClientSecret identify the OAuth client; they are sent in the form body.
	ClientID, ClientSecret string
	// Username and Password select the password grant (a refresh token renews it).
	Username, Password string
	// Scopes are requested scopes (optional).
	Scopes []string
	// Params are extra form parameters of client-credentials token requests (optional).
	Params url.Values
	// Keep, when set, keeps the access token between processes (snapshot.TokenFile): a fresh
	// client starts with the kept token while more than a quarter of its life is left, every
	// new token is handed to Keep, and a kept token the upstream refuses is discarded.
	Keep TokenKeeper
}

// TokenKeeper keeps an OAuth access token between processes.
type TokenKeeper interface {
	// Load returns the kept token and when it was issued; ok is false when there is none.
	Load() (tok *oauth2.Token, issued time.Time, ok bool)
	// Save keeps tok, issued at issued, in place of the kept one.
	Save(tok *oauth2.Token, issued time.Time)
	// Discard forgets the kept token if it is tok.
	Discard(tok *oauth2.Token)
}

// SignsIn reports whether the client signs in with OAuth (Options.OAuth).
func (c *Client) SignsIn() bool { return c.tokens != nil }

// SignIn fetches the OAuth token if the client has none yet (joining a fetch in flight),
// so that the first request does not wait for it; without Options.OAuth it does nothing.
// A refusal is reported like a request's (see tokenError).
func (c *Client) SignIn(ctx context.Context) error {
	if c.tokens == nil {
		return nil
	}
	if c.baseErr != nil {
		return c.baseErr
	}
	if _, err := c.tokens.Token(ctx); err != nil {
		return c.tokenError(err)
	}
	return nil
}

// passwordGrant fetches tokens with the password grant, renewing by the last refresh token
// while the server accepts it.
type passwordGrant struct {
	ctx        context.Context
	cfg        *oauth2.Config
	user, pass string

	mu      sync.Mutex
	refresh string
}

func (g *passwordGrant) Token() (*oauth2.Token, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var (
		tok *oauth2.Token
		err error
	)
	if g.refresh != "" {
		tok, err = g.cfg.TokenSource(g.ctx, &oauth2.Token{RefreshToken: g.refresh, Expiry: time.Unix(1, 0)}).Token()
	}
	if g.refresh == "" || err != nil { // no refresh token yet, or the server no longer takes it
		if tok, err = g.cfg.PasswordCredentialsToken(g.ctx, g.user, g.pass); err != nil {
			return nil, err
		}
	}
	if tok.RefreshToken != "" {
		g.refresh = tok.RefreshToken
	}
	return tok, nil
}

// tokenTransport sends token requests (oauth2 builds them and reads the answers) with the
// client's policies: the rate-limit cooldown, the retry of a 429 within the deadline, metrics
// and debug logs, and the body cap.
type tokenTransport struct{ c *Client }

func (t tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c := t.c
	if err := c.limit.check(r.Context(), c.src); err != nil {
		return nil, err // rate-limited: not sent until the upstream's wait is over
	}
	st := &call{c: c, method: r.Method, url: c.redactURL(r.URL), sec: c.sec, isToken: true}
	rr, err := retryablehttp.FromRequest(r)
	if err != nil {
		return nil, err
	}
	rc := st.retryClient()
	rc.HTTPClient = &http.Client{Transport: c.hc.Transport, CheckRedirect: c.tokenRedirect}
	resp, err := rc.Do(rr)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		// Held here, before the token fetch shared by every caller reports its failure: a
		// caller arriving between the failure and tokenError would otherwise ask again.
		wait, _ := retryAfter(resp, time.Now())
		c.limit.hold(&StatusError{Source: c.src, Method: http.MethodPost, Status: resp.StatusCode,
			Message: "OAuth token refused: rate limited", RetryAfter: wait, URL: st.url})
	}
	if err != nil || resp.ContentLength <= c.o.MaxBodyBytes {
		return resp, err
	}
	resp.Body.Close()
	return nil, &BodyTooLargeError{Source: c.src, Method: r.Method, URL: st.url, Limit: c.o.MaxBodyBytes}
}

// tokenRedirect keeps token requests on the token endpoint's origin.
func (c *Client) tokenRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 || !sameOrigin(req.URL, c.tokenURL) {
		return fmt.Errorf("%w: token redirect to %s", errOtherOrigin, c.redactURL(req.URL))
	}
	return nil
}

// tokenError reports a failed token request: a refusal as a *StatusError of the token
// endpoint (so that callers can name the credentials to fix on 401; a 429 holds every request
// of the client for its Retry-After, like the API's own), a body over the cap as a
// *BodyTooLargeError, anything else as is; all redacted.
func (c *Client) tokenError(err error) error {
	u := c.redactURL(c.tokenURL)
	var (
		re *oauth2.RetrieveError
		tl *BodyTooLargeError
	)
	var se *StatusError
	switch {
	case errors.As(err, &tl):
		return tl
	case errors.As(err, &se): // the cooldown of an earlier 429
		return se
	case errors.As(err, &re) && re.Response != nil:
		msg := joinNonEmpty(": ", re.ErrorCode, re.ErrorDescription)
		if msg == "" {
			msg = c.sec.vendorMessage(re.Body)
		}
		wait, _ := retryAfter(re.Response, time.Now())
		se = &StatusError{Source: c.src, Method: http.MethodPost, Status: re.Response.StatusCode,
			Message: "OAuth token refused: " + c.sec.mask(msg), RetryAfter: wait, URL: u}
		if se.Status == http.StatusTooManyRequests {
			c.limit.hold(se)
		}
		return se
	}
	return c.sec.maskErr(&chainError{fmt.Sprintf("%s: OAuth token (POST %s): %s", c.src, u, errText(err)), err})
}
