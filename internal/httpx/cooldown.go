package httpx

import (
	"net/http"
	"sync"
	"time"
)

// cooldown remembers a 429 that asked for a wait the call could not afford, so that no other
// request of the same client (another capability, the next answer) is sent to the upstream
// before the wait is over: a rate-limited source is not hammered.
type cooldown struct {
	mu    sync.Mutex
	until time.Time
	last  *StatusError
}

// hold starts a cooldown for the error's RetryAfter (capped at MaxServerWait).
func (c *cooldown) hold(se *StatusError) {
	if se.RetryAfter <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if until := time.Now().Add(min(se.RetryAfter, MaxServerWait)); until.After(c.until) {
		c.until, c.last = until, se
	}
}

// check returns the remembered 429, with the time left, while the cooldown lasts.
func (c *cooldown) check() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	left := time.Until(c.until)
	if left <= 0 {
		return nil
	}
	se := *c.last
	se.Status, se.RetryAfter = http.StatusTooManyRequests, left
	se.Message = "rate limited; not sent until the upstream's Retry-After is over (" + left.Round(time.Second).String() + " left)"
	return &se
}
