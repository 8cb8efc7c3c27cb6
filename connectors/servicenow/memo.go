package servicenow

import (
	"sync"
	"time"
)

// memoTTL is how long a resolved reference (group, user, rota name) is reused: names change
// rarely, and the catalog refresh resolves them again anyway.
const memoTTL = 10 * time.Minute

// memo keeps resolved reference rows across capabilities and answers, so the names the
// catalog resolved are not requested again by incidents, changes or on-call, and concurrent
// lookups of the same sys_id share one request.
type memo struct {
	mu       sync.Mutex
	rows     map[string]memoRow
	inflight map[string]chan struct{}
}

type memoRow struct {
	r  row
	at time.Time
}

func newMemo() *memo {
	return &memo{rows: map[string]memoRow{}, inflight: map[string]chan struct{}{}}
}

// claim splits ids into those known for less than maxAge (returned in have), those another
// lookup is fetching (wait on the channels), and those the caller must fetch (mine, now in
// flight).
func (m *memo) claim(ids []string, maxAge time.Duration) (have map[string]row, wait []chan struct{}, mine []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	have = map[string]row{}
	for _, id := range ids {
		if e, ok := m.rows[id]; ok && time.Since(e.at) < min(maxAge, memoTTL) {
			have[id] = e.r
			continue
		}
		if ch, ok := m.inflight[id]; ok {
			wait = append(wait, ch)
			continue
		}
		m.inflight[id] = make(chan struct{})
		mine = append(mine, id)
	}
	return have, wait, mine
}

// done stores the fetched rows and releases the waiters of every id in mine.
func (m *memo) done(mine []string, rows map[string]row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	for id, r := range rows {
		m.rows[id] = memoRow{r, now}
	}
	for _, id := range mine {
		if ch, ok := m.inflight[id]; ok {
			close(ch)
			delete(m.inflight, id)
		}
	}
}

// put stores rows learnt without a lookup (dot-walked with the catalog's CIs).
func (m *memo) put(rows map[string]row) { m.done(nil, rows) }

// get returns the known rows among ids.
func (m *memo) get(ids []string, into map[string]row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		if e, ok := m.rows[id]; ok {
			into[id] = e.r
		}
	}
}
