package httpx

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Cooldowns share 429 cool-downs with other processes (the replicas of one deployment,
// internal/sharedcache): a rate limit one replica met holds them all, so N replicas do not
// spend N times the vendor's budget. Implementations swallow their own failures.
type Cooldowns interface {
	// Hold shares upstream's cool-down until until, with the upstream's message.
	Hold(ctx context.Context, upstream string, until time.Time, message string)
	// Until returns the end of upstream's shared cool-down and its message; ok is false
	// when there is none.
	Until(ctx context.Context, upstream string) (until time.Time, message string, ok bool)
}

// cooldown remembers a 429 that asked for a wait the call could not afford, so that no other
// request of the same client (another capability, the next answer) is sent to the upstream
// before the wait is over: a rate-limited source is not hammered. With shared Cooldowns the
// cool-down is also held for, and learnt from, the other processes under key.
type cooldown struct {
	shared Cooldowns
	key    string // the upstream among the shared cool-downs: the source name
	mu     sync.Mutex
	until  time.Time
	last   *StatusError
}

// hold starts a cooldown for the error's RetryAfter (capped at MaxServerWait).
func (c *cooldown) hold(se *StatusError) {
	if se.RetryAfter <= 0 {
		return
	}
	until := time.Now().Add(min(se.RetryAfter, MaxServerWait))
	c.mu.Lock()
	if until.After(c.until) {
		c.until, c.last = until, se
	}
	c.mu.Unlock()
	if c.shared != nil {
		c.shared.Hold(context.Background(), c.key, until, se.Message)
	}
}

// check returns the remembered 429, with the time left, while the cooldown lasts: this
// process's own, else one another process shared.
func (c *cooldown) check(ctx context.Context, src string) error {
	c.mu.Lock()
	left := time.Until(c.until)
	var err error
	if left > 0 {
		err = c.err(left)
	}
	c.mu.Unlock()
	if err != nil || c.shared == nil {
		return err
	}
	until, msg, ok := c.shared.Until(ctx, c.key)
	if !ok || !time.Now().Before(until) {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if until.After(c.until) {
		c.until, c.last = until, &StatusError{Source: src, Status: http.StatusTooManyRequests, Message: msg}
	}
	return c.err(time.Until(c.until))
}

// err is the remembered 429 with the time left; c.mu must be held.
func (c *cooldown) err(left time.Duration) error {
	se := *c.last
	se.Status, se.RetryAfter = http.StatusTooManyRequests, left
	se.Message = "rate limited; not sent until the upstream's Retry-After is over (" + left.Round(time.Second).String() + " left)"
	return &se
}
