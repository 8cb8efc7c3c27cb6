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
	"golang.org/x/oauth2/clientcredentials"
)

// OAuth configures a renewed OAuth 2 bearer token (RFC 6749) that the client fetches from
// TokenURL and sends as `Authorization: Bearer …`: the client-credentials grant, or the
// password grant with refresh tokens when Username is set. Tokens are renewed before they
// expire (a tenth of their lifetime early, at most a minute), fetched once for all concurrent
// callers, and a request the upstream refuses with 401 is sent once more with a new token.
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
}

// tokens is the token source of one client: oauth2's ReuseTokenSource over the grant (it
// renews early and fetches once for concurrent callers), replaced when the upstream refuses
// the token it handed out.
type tokens struct {
	grant oauth2.TokenSource // fetches a new token

	mu     sync.Mutex
	cache  oauth2.TokenSource // reuses grant's token until it is due for renewal
	issued string             // the access token cache last fetched
}

// newTokens returns the token source for o; token requests go through hc.
func newTokens(o *OAuth, hc *http.Client) *tokens {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, hc)
	t := &tokens{}
	if o.Username != "" {
		t.grant = &passwordGrant{ctx: ctx, user: o.Username, pass: o.Password, cfg: &oauth2.Config{
			ClientID: o.ClientID, ClientSecret: o.ClientSecret, Scopes: o.Scopes,
			Endpoint: oauth2.Endpoint{TokenURL: o.TokenURL, AuthStyle: oauth2.AuthStyleInParams}}}
	} else {
		cc := &clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, TokenURL: o.TokenURL,
			Scopes: o.Scopes, EndpointParams: o.Params, AuthStyle: oauth2.AuthStyleInParams}
		t.grant = tokenFunc(func() (*oauth2.Token, error) { return cc.Token(ctx) })
	}
	t.cache = t.newCache()
	return t
}

// dueEarly makes oauth2 honour the expiry early() computed: its own default would renew
// every token 10 s early, longer than a short-lived token lives.
const dueEarly = time.Nanosecond

func (t *tokens) newCache() oauth2.TokenSource {
	return oauth2.ReuseTokenSourceWithExpiry(nil, tokenFunc(t.early), dueEarly)
}

// early fetches a token and brings its expiry forward by a tenth of its lifetime, at most a
// minute, so that it is renewed before the upstream rejects it (ServiceNow's 1799 s tokens
// after about 29 min).
func (t *tokens) early() (*oauth2.Token, error) {
	tok, err := t.grant.Token()
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.issued = tok.AccessToken
	t.mu.Unlock()
	if tok.Expiry.IsZero() {
		return tok, nil
	}
	cp := *tok
	cp.Expiry = tok.Expiry.Add(-min(time.Until(tok.Expiry)/10, time.Minute))
	return &cp, nil
}

// Token returns the current token, fetching one when it is due.
func (t *tokens) Token() (*oauth2.Token, error) {
	t.mu.Lock()
	c := t.cache
	t.mu.Unlock()
	return c.Token()
}

// reject drops tok after the upstream refused it (HTTP 401), unless another caller already
// replaced it: the next Token fetches a new one, once for all callers.
func (t *tokens) reject(tok *oauth2.Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tok != nil && tok.AccessToken == t.issued {
		t.cache, t.issued = t.newCache(), ""
	}
}

// tokenFunc adapts a function to oauth2.TokenSource.
type tokenFunc func() (*oauth2.Token, error)

func (f tokenFunc) Token() (*oauth2.Token, error) { return f() }

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
	if err := c.limit.check(); err != nil {
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
	return c.sec.maskErr(fmt.Errorf("%s: OAuth token (POST %s): %s", c.src, u, errText(err)))
}
