package httpx

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/oauth2"

	"github.com/opsctx/opsctx/internal/metrics"
)

// call is the state of one Client call across its attempts. retryablehttp
// invokes its hooks sequentially on the calling goroutine.
type call struct {
	c       *Client
	method  string
	url     string  // redacted
	sec     secrets // client secrets plus credentials found in the request URL
	start   time.Time
	attempt int
	wait    time.Duration
	// With Options.OAuth: the token sent, whether a 401 already renewed it, and why a
	// renewal failed; isToken marks a token request (nothing to renew).
	tok      *oauth2.Token
	renewed  bool
	tokenErr error
	isToken  bool
	// throttled records that an attempt was answered 429 (Response.Throttled).
	throttled bool
}

// renews reports whether a 401 may be retried with a new token.
func (st *call) renews() bool { return st.c.tokens != nil && !st.isToken }

// bearer sets the OAuth token on r, fetching one when it is due.
func (st *call) bearer(r *http.Request) error {
	if st.c.tokens == nil {
		return nil
	}
	tok, err := st.c.tokens.Token(r.Context())
	if err != nil {
		st.tokenErr = st.c.tokenError(err)
		return st.tokenErr
	}
	st.tok = tok
	r.Header.Set("Authorization", tok.Type()+" "+tok.AccessToken)
	return nil
}

// prepareRetry sets the current token on a retried request (a new one after a 401), and
// masks it in what the call reports.
func (st *call) prepareRetry(r *http.Request) error {
	if !st.renews() {
		return nil
	}
	if err := st.bearer(r); err != nil {
		return err
	}
	st.sec = newSecrets(append(slices.Clone([]string(st.sec)), st.tok.AccessToken)...)
	return nil
}

// retryClient returns a retryablehttp client bound to this call's state.
func (st *call) retryClient() *retryablehttp.Client {
	o := st.c.o
	retries := o.RetryMax
	if st.renews() {
		retries++ // the one resend with a renewed token after a 401
	}
	return &retryablehttp.Client{
		HTTPClient:     st.c.hc,
		Logger:         nil, // we log per attempt ourselves, redacted
		RetryWaitMin:   o.RetryWaitMin,
		RetryWaitMax:   o.RetryWaitMax,
		RetryMax:       retries,
		RequestLogHook: st.onRequest,
		CheckRetry:     st.checkRetry,
		Backoff:        func(time.Duration, time.Duration, int, *http.Response) time.Duration { return st.wait },
		PrepareRetry:   st.prepareRetry,
		ErrorHandler:   retryablehttp.PassthroughErrorHandler,
	}
}

func (st *call) onRequest(_ retryablehttp.Logger, _ *http.Request, i int) {
	st.attempt, st.start = i+1, time.Now()
}

// checkRetry records the attempt (metrics, debug log) and decides whether to
// retry. It stores the wait for Backoff, and refuses to retry when the wait
// (or a server-requested wait) would not fit in the remaining deadline.
func (st *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c := st.c
	d := time.Since(st.start)
	code := 0
	if resp != nil {
		code = resp.StatusCode
	}
	st.throttled = st.throttled || code == http.StatusTooManyRequests
	metrics.ObserveUpstream(c.src, code, d)
	log := c.logger()
	attrs := []any{"source", c.src, "method", st.method, "url", st.url, "status", code, "attempt", st.attempt, "duration", d}
	if err != nil {
		attrs = append(attrs, "error", st.sec.mask(errText(err)))
	}
	log.DebugContext(ctx, "upstream request", attrs...)

	if code == http.StatusUnauthorized && st.renews() && !st.renewed && ctx.Err() == nil {
		st.renewed, st.wait = true, 0 // the token may have been revoked: resend once with a new one
		c.tokens.reject(st.tok)
		log.DebugContext(ctx, "upstream refused the OAuth token; renewing it", "source", c.src, "url", st.url)
		return true, nil
	}
	retries := st.attempt
	if st.renewed {
		retries--
	}
	if ctx.Err() != nil || retries > c.o.RetryMax || !retryable(ctx, st.replays(), resp, err) {
		return false, nil
	}
	wait := backoff(c.o.RetryWaitMin, c.o.RetryWaitMax, st.attempt)
	requested, ok := retryAfter(resp, time.Now())
	if ok {
		wait = max(wait, min(requested, MaxServerWait))
	}
	remaining := time.Duration(math.MaxInt64)
	if dl, has := ctx.Deadline(); has {
		remaining = time.Until(dl)
	}
	if wait >= remaining || (ok && requested > remaining) {
		log.DebugContext(ctx, "upstream retry skipped: wait exceeds remaining deadline",
			"source", c.src, "url", st.url, "wait", wait, "requested", requested, "remaining", remaining)
		return false, nil
	}
	st.wait = wait
	log.DebugContext(ctx, "upstream retry", "source", c.src, "url", st.url, "attempt", st.attempt, "wait", wait)
	return true, nil
}

// replays reports whether the request may be sent again after a server error: an idempotent
// method, or a token request (it changes nothing; a token it got and we lost is never used).
func (st *call) replays() bool { return st.isToken || idempotent(st.method) }

// idempotent reports whether method may be replayed after a server error.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// retryable decides whether an attempt's outcome may be retried: requests that replay
// (idempotent ones) on connection errors, 429 and 5xx except 501; others only on 429 and on
// connection errors where the request was never sent.
func retryable(ctx context.Context, replays bool, resp *http.Response, err error) bool {
	if err != nil {
		if errors.Is(err, errOtherOrigin) {
			return false
		}
		if !replays {
			return notSent(err)
		}
		ok, _ := retryablehttp.DefaultRetryPolicy(ctx, nil, err)
		return ok
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return true
	}
	return replays && (resp.StatusCode == 0 || resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented)
}

// notSent reports whether err happened before any byte of the request was sent.
func notSent(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial")
}

// backoff is exponential in attempt (1-based) from lo, capped at hi, with
// "equal jitter": a random value in [d/2, d], never below lo.
func backoff(lo, hi time.Duration, attempt int) time.Duration {
	d := lo
	for i := 1; i < attempt && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return max(lo, d/2+rand.N(d/2+1))
}

// retryAfter returns the server-requested wait of a 429 or 503 response.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0, false
	}
	return serverWait(resp.Header, now)
}

// serverWait parses, in order: Retry-After (seconds or HTTP-date), PagerDuty
// ratelimit-reset (seconds), X-RateLimit-Reset (ServiceNow: UNIX epoch seconds or
// milliseconds, small values taken as seconds; Atlassian: an ISO 8601 time such as
// 2026-03-01T12:01Z) and Opsgenie X-RateLimit-Period-In-Sec (seconds). A time in the past
// yields 0.
func serverWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if s, ok := seconds(v); ok {
			return durSec(s), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(0, t.Sub(now)), true
		}
	}
	if s, ok := seconds(h.Get("Ratelimit-Reset")); ok {
		return durSec(s), true
	}
	if s, ok := seconds(h.Get("X-Ratelimit-Reset")); ok {
		switch {
		case s >= 1e12: // epoch milliseconds
			return max(0, time.UnixMilli(int64(s)).Sub(now)), true
		case s >= 1e9: // epoch seconds (any time after 2001)
			return max(0, time.Unix(int64(s), 0).Sub(now)), true
		}
		return durSec(s), true
	}
	if t, ok := isoTime(h.Get("X-Ratelimit-Reset")); ok {
		return max(0, t.Sub(now)), true
	}
	if s, ok := seconds(h.Get("X-Ratelimit-Period-In-Sec")); ok {
		return durSec(s), true
	}
	return 0, false
}

// isoTime parses an ISO 8601 time with or without seconds (Atlassian's X-RateLimit-Reset).
func isoTime(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func seconds(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e13 {
		return 0, false
	}
	return f, true
}

func durSec(s float64) time.Duration {
	return time.Duration(min(s, 1e9) * float64(time.Second))
}
