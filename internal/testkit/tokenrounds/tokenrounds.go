// Package tokenrounds counts OAuth token requests in tests where real short-lived tokens
// expire between rounds of calls. A client renews a token in the background from its last
// quarter of life, so a round slow enough to reach that point (a stalled machine) may cost one
// token more, or, when that renewal outlives the round, spare the next round its own. Rounds
// allows exactly that slack and no more: on a machine that keeps up the count is exact. Only
// tests import it.
package tokenrounds

import (
	"testing"
	"time"
)

// Rounds times rounds of calls made with tokens that live Life.
type Rounds struct {
	Life time.Duration
	slow int
}

// Start times one round; call the returned func when the round is over. A round counts as
// slow from 70% of Life on (the renewal point is at 75% of it after the token was issued,
// at the round's start at the latest).
func (r *Rounds) Start() (done func()) {
	start := time.Now()
	return func() {
		if time.Since(start) > r.Life*7/10 {
			r.slow++
		}
	}
}

// Check fails t unless got is want, give or take one per slow round.
func (r *Rounds) Check(t testing.TB, got, want int, what string) {
	t.Helper()
	if got < want-r.slow || got > want+r.slow {
		t.Errorf("%d token requests for %s, want %d (± %d slow rounds)", got, what, want, r.slow)
	}
}
