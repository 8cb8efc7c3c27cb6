package httpx

import (
	"log/slog"
	"net/http"
	"time"
)

// Defaults applied by New to zero-valued Options fields.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultRetryMax     = 3
	DefaultRetryWaitMin = 100 * time.Millisecond
	DefaultRetryWaitMax = 5 * time.Second
	DefaultMaxBodyBytes = 32 << 20
)

// MaxServerWait caps how long a client sleeps for a server-requested wait
// (Retry-After and vendor rate-limit headers).
const MaxServerWait = 30 * time.Second

// Options configures a Client. Zero values take the documented defaults.
type Options struct {
	// Source names the upstream in logs, metrics and errors, e.g. "pagerduty".
	Source string
	// BaseURL is the absolute http(s) URL every request path is resolved
	// against; a path prefix (https://host/e/abc123) is preserved.
	BaseURL string
	// Timeout is the budget of one call including retries and the body read
	// (default 10s). A sooner caller deadline wins.
	Timeout time.Duration
	// RetryMax is the number of retries after the first attempt (default 3;
	// negative disables retries).
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff (defaults 100ms, 5s).
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// MaxBodyBytes caps a response body (default 32 MiB); a larger body is a
	// *BodyTooLargeError, never a silent truncation.
	MaxBodyBytes int64
	// Auth sets authentication headers on each request; may be nil.
	Auth func(*http.Request)
	// OAuth, when set, sends a renewed OAuth bearer token (after Auth, so it wins); may be nil.
	OAuth *OAuth
	// Header holds fixed extra headers. Accept defaults to application/json
	// unless set here.
	Header http.Header
	// Secrets are masked (also in their URL- and JSON-escaped forms) in every
	// log line and error.
	Secrets []string
	// Logger receives debug logs; nil means slog.Default() at call time.
	Logger *slog.Logger
	// Transport is the base transport (tests); nil means a cleanhttp pooled transport.
	Transport http.RoundTripper
	// Cooldowns, when set, shares 429 cool-downs with other processes (keyed by Source).
	Cooldowns Cooldowns
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.RetryMax == 0:
		o.RetryMax = DefaultRetryMax
	case o.RetryMax < 0:
		o.RetryMax = 0
	}
	if o.RetryWaitMin <= 0 {
		o.RetryWaitMin = DefaultRetryWaitMin
	}
	if o.RetryWaitMax <= 0 {
		o.RetryWaitMax = DefaultRetryWaitMax
	}
	if o.RetryWaitMax < o.RetryWaitMin {
		o.RetryWaitMax = o.RetryWaitMin
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return o
}
