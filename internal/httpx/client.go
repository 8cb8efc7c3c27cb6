package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/opsctx/opsctx/internal/version"
)

// Client performs requests against one upstream API. It is safe for
// concurrent use; create one per source and credential.
type Client struct {
	o       Options
	src     string
	base    *url.URL
	baseErr error
	header  http.Header // defaults merged with Options.Header
	sec     secrets
	hc      *http.Client
	limit   cooldown
	// tokens and tokenURL are set with Options.OAuth.
	tokens   *tokens
	tokenURL *url.URL
}

// Response is a fully read (2xx) response.
type Response struct {
	Status int         // HTTP status code
	Header http.Header // response headers (e.g. Link for paging)
	Body   []byte      // complete body, at most Options.MaxBodyBytes
	URL    string      // final request URL, redacted
	// Throttled is set when an earlier attempt was answered 429 and the call waited as the
	// upstream asked before this answer: callers that pace themselves (paged listings) slow down.
	Throttled bool
}

// IdleConnsPerHost is how many idle connections a client keeps to its host: as many as one
// answer asks of a host at once (Alertmanager's filter sets and silences, Dynatrace's entity
// listings), so that the next answer reuses them rather than dialling again (cleanhttp keeps
// GOMAXPROCS+1, 3 on two cores, and closed the rest after every answer).
const IdleConnsPerHost = 16

// New returns a Client for o. An invalid BaseURL is reported by every call.
func New(o Options) *Client {
	o = o.withDefaults()
	if o.OAuth != nil {
		o.Secrets = append(slices.Clone(o.Secrets), o.OAuth.ClientSecret, o.OAuth.Password)
	}
	c := &Client{o: o, src: o.Source, sec: newSecrets(o.Secrets...)}
	if c.src == "" {
		c.src = "upstream"
	}
	c.limit.shared, c.limit.key = o.Cooldowns, c.src
	base, err := url.Parse(o.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		c.baseErr = fmt.Errorf("%s: invalid BaseURL: want an absolute http(s) URL", c.src)
	}
	c.base = base
	c.header = http.Header{"Accept": {"application/json"}}
	for k, vs := range o.Header {
		c.header[http.CanonicalHeaderKey(k)] = slices.Clone(vs)
	}
	tr := o.Transport
	if tr == nil {
		pooled := cleanhttp.DefaultPooledTransport()
		pooled.MaxIdleConnsPerHost = IdleConnsPerHost
		tr = pooled
	}
	c.hc = &http.Client{Transport: tr, CheckRedirect: c.checkRedirect}
	if o.OAuth != nil {
		c.tokenURL, err = url.Parse(o.OAuth.TokenURL)
		if err != nil || (c.tokenURL.Scheme != "http" && c.tokenURL.Scheme != "https") || c.tokenURL.Host == "" {
			c.baseErr, c.tokenURL = fmt.Errorf("%s: invalid OAuth TokenURL: want an absolute http(s) URL", c.src), &url.URL{}
		}
		// Token requests take the same transport and policies, within the same time budget.
		c.tokens = newTokens(o.OAuth, &http.Client{Transport: tokenTransport{c}, Timeout: o.Timeout})
	}
	return c
}

// Source returns the source name used in logs, metrics and errors.
func (c *Client) Source() string { return c.src }

// CloseIdleConnections closes idle keep-alive connections of the transport.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

func (c *Client) logger() *slog.Logger {
	if c.o.Logger != nil {
		return c.o.Logger
	}
	return slog.Default()
}

// checkRedirect follows at most 10 redirects, all within BaseURL's origin.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if !sameOrigin(req.URL, c.base) {
		return fmt.Errorf("%w: redirect to %s", errOtherOrigin, c.redactURL(req.URL))
	}
	return nil
}

// Get performs a GET with retries and returns the full (capped) body.
// A non-2xx response yields a *StatusError. On error the Response is nil.
func (c *Client) Get(ctx context.Context, path string, query url.Values) (*Response, error) {
	return c.get(ctx, path, query, nil)
}

// GetJSON is Get followed by json.Unmarshal into out (or out's own BodyDecoder). A decode
// failure is reported as "malformed JSON from <source>: ..." with a short redacted snippet.
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, out any) (*Response, error) {
	return c.get(ctx, path, query, out)
}

func (c *Client) get(ctx context.Context, path string, query url.Values, out any) (*Response, error) {
	u, err := c.resolve(path, query)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, c.sec.maskErr(fmt.Errorf("%s: %s", c.src, errText(err)))
	}
	return c.do(req, out)
}

// Do sends req (whose URL may be relative to BaseURL) with the client's
// headers, auth, time budget and retry policy. Headers already set on req
// win over Options.Header. POST, PUT, PATCH and DELETE are retried only on
// 429 and on connection errors where the request was not sent. The request
// body is buffered so it can be replayed. A non-2xx response yields a
// *StatusError. On error the Response is nil.
func (c *Client) Do(req *http.Request) (*Response, error) { return c.do(req, nil) }

// do runs one call; a non-nil out receives the JSON-decoded body.
func (c *Client) do(req *http.Request, out any) (*Response, error) {
	if err := c.limit.check(req.Context(), c.src); err != nil {
		return nil, err // rate-limited: not sent until the upstream's wait is over
	}
	u, err := c.resolve(req.URL.String(), nil)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(req.Context(), c.o.Timeout)
	defer cancel() // only after the body is read: cancellation aborts a slow body
	r := req.Clone(ctx)
	r.URL, r.Host = u, ""
	if r.Header == nil {
		r.Header = http.Header{}
	}
	for k, vs := range c.header {
		if _, ok := r.Header[k]; !ok {
			r.Header[k] = slices.Clone(vs)
		}
	}
	r.Header.Set("User-Agent", version.UserAgent())
	if c.o.Auth != nil {
		c.o.Auth(r)
	}
	st := &call{c: c, method: r.Method, url: c.redactURL(u)}
	if err := st.bearer(r); err != nil {
		return nil, err
	}
	st.sec = newSecrets(append(append(slices.Clone(c.o.Secrets), urlSecrets(u)...), headerSecrets(r.Header)...)...)
	rr, err := retryablehttp.FromRequest(r)
	if err != nil {
		return nil, st.sec.maskErr(fmt.Errorf("%s: %s %s: reading request body: %w", c.src, st.method, st.url, err))
	}
	start := time.Now()
	resp, err := st.retryClient().Do(rr)
	if st.tokenErr != nil { // the token to retry a 401 with could not be fetched
		if resp != nil {
			resp.Body.Close()
		}
		return nil, st.tokenErr
	}
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return nil, c.transportError(st, err, time.Since(start))
	}
	defer resp.Body.Close()
	res, err := c.finish(st, resp)
	if err != nil || out == nil {
		return res, err
	}
	if err := decode(res.Body, out); err != nil {
		return nil, st.sec.maskErr(fmt.Errorf("malformed JSON from %s: %w (%s %s; body starts: %q)",
			c.src, err, st.method, res.URL, st.sec.snippet(res.Body, snippetLen)))
	}
	return res, nil
}

// BodyDecoder is a GetJSON result that decodes the body itself: a large listing read with
// a faster decoder than encoding/json's.
type BodyDecoder interface {
	DecodeBody(body []byte) error
}

// decode decodes body into out.
func decode(body []byte, out any) error {
	if d, ok := out.(BodyDecoder); ok {
		return d.DecodeBody(body)
	}
	return json.Unmarshal(body, out)
}

// transportError wraps err (keeping errors.Is for context errors) without the
// raw URL that *url.Error would print.
func (c *Client) transportError(st *call, err error, elapsed time.Duration) error {
	inner := err
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		inner = ue.Err
	}
	msg := fmt.Errorf("%s: %s %s: %w", c.src, st.method, st.url, inner)
	if st.attempt > 1 {
		msg = fmt.Errorf("%w (%d attempts in %s)", msg, st.attempt, elapsed.Round(time.Millisecond))
	}
	return st.sec.maskErr(msg)
}

// finish reads the body of the final response and builds the result.
func (c *Client) finish(st *call, resp *http.Response) (*Response, error) {
	u := st.url
	if resp.Request != nil && resp.Request.URL != nil {
		u = c.redactURL(resp.Request.URL) // after redirects
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// Error bodies only feed the message; a short read is fine here.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, min(c.o.MaxBodyBytes, 64<<10)))
		wait, _ := retryAfter(resp, time.Now())
		se := &StatusError{Source: c.src, Method: st.method, Status: resp.StatusCode,
			Message: st.sec.vendorMessage(body), RetryAfter: wait, URL: u}
		if resp.StatusCode == http.StatusTooManyRequests {
			c.limit.hold(se)
		}
		return nil, se
	}
	tooLarge := &BodyTooLargeError{Source: c.src, Method: st.method, URL: u, Limit: c.o.MaxBodyBytes}
	if resp.ContentLength > c.o.MaxBodyBytes {
		return nil, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.o.MaxBodyBytes+1))
	if err != nil {
		return nil, st.sec.maskErr(fmt.Errorf("%s: %s %s: reading response body (%d bytes read): %w", c.src, st.method, u, len(body), err))
	}
	if int64(len(body)) > c.o.MaxBodyBytes {
		return nil, tooLarge
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body, URL: u, Throttled: st.throttled}, nil
}
