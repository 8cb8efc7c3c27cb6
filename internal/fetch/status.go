package fetch

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/opsctx/opsctx/internal/cache"
	"github.com/opsctx/opsctx/internal/metrics"
	"github.com/opsctx/opsctx/internal/model"
	"github.com/opsctx/opsctx/internal/sanitize"
)

// book collects per-source status across the calls of one answer.
type book struct {
	mu    sync.Mutex
	m     map[string]*model.SourceStatus
	order []string
	last  *lastSeen // the fetcher's, told of every status this book records
}

func newBook(last *lastSeen) *book { return &book{m: map[string]*model.SourceStatus{}, last: last} }

// lastSeen keeps each source's status as the latest answer that asked it left it: what
// opsctx knows of a source without asking it again (Fetcher.LastSeen).
type lastSeen struct {
	mu sync.Mutex
	m  map[string]model.SourceStatus
}

func (l *lastSeen) note(s model.SourceStatus) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]model.SourceStatus{}
	}
	l.m[s.Name] = s
}

// rank orders states from best to worst: a source's status in an answer is its worst call's.
var rank = map[model.SourceState]int{model.StateOK: 1, model.StatePartial: 2, model.StateStale: 3, model.StateError: 4}

// record notes one call to source (what it asked for, how the cache answered, its error, how
// long it took, and why a listing it returned may be incomplete).
func (b *book) record(source, what string, info cache.Info, err error, d time.Duration, incomplete string) {
	st, msg := model.StateOK, ""
	switch {
	case err != nil:
		st, msg = model.StateError, ErrorText(err)
	case info.Stale:
		st, msg = model.StateStale, "serving data from "+info.AsOf.UTC().Format(time.RFC3339)+" (refresh: "+ErrorText(info.Err)+")"
	case incomplete != "":
		st, msg = model.StatePartial, sanitize.Quoted(incomplete, 300)
	case info.Shared != nil: // the data is the source's own; only the other replicas miss it
		msg = "read from the source directly: the shared cache is unavailable"
	}
	metrics.ObserveSource(source, string(st), d)
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.m[source]
	if s == nil {
		s = &model.SourceStatus{Name: source, Status: st}
		b.m[source] = s
		b.order = append(b.order, source)
	}
	if rank[st] > rank[s.Status] {
		s.Status = st
	}
	if ms := d.Milliseconds(); ms > s.LatencyMS {
		s.LatencyMS = ms
	}
	if !info.AsOf.IsZero() && (s.AsOf.IsZero() || info.AsOf.Before(s.AsOf)) {
		s.AsOf = info.AsOf
	}
	if msg != "" {
		msg = what + ": " + msg
		if s.Error == "" {
			s.Error = msg
		} else if !strings.Contains(s.Error, msg) {
			s.Error += "; " + msg
		}
	}
	if b.last != nil {
		b.last.note(*s)
	}
}

// statuses returns the collected statuses in source order, followed by disabled sources.
func (b *book) statuses(order []string, disabled []string) []model.SourceStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []model.SourceStatus
	for _, n := range order {
		if st := b.m[n]; st != nil {
			out = append(out, *st)
		}
	}
	for _, n := range disabled {
		out = append(out, model.SourceStatus{Name: n, Status: model.StateDisabled})
	}
	return out
}

// ErrorText makes an upstream error fit for an answer.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within the deadline"
	case errors.Is(err, context.Canceled):
		return "request cancelled"
	}
	return sanitize.Quoted(err.Error(), 400)
}
