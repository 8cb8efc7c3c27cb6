package connectors

import (
	"errors"
	"fmt"
	"hash/maphash"
)

// ErrPagingLoop reports an upstream whose paging goes round in circles: it hands out a
// next-page token (a nextPageKey, cursor, offset or next link) or a page it handed out
// before. Following it would replay the same rows until the page cap and report them as
// a true listing; the call fails instead, so the source is reported as an error.
var ErrPagingLoop = errors.New("paging loops")

// Pages guards one listing against a paging loop. A pager calls Next with what identifies
// each page it is about to ask for (the token the upstream handed out) or has just read
// (its rows, for offset paging, where the client computes the next offset itself: an
// upstream that ignores the offset answers every page alike). The zero value is ready.
type Pages struct {
	seen map[uint64]struct{} // hashes of the keys so far
	n    int
}

var pagesSeed = maphash.MakeSeed()

// Next records key for the next page of the listing what and returns an error wrapping
// ErrPagingLoop when an earlier page had the same key. An empty key is not recorded (no
// token: the listing ends).
func (p *Pages) Next(what, key string) error {
	if key == "" {
		return nil
	}
	p.n++
	if p.seen == nil {
		p.seen = map[uint64]struct{}{}
	}
	h := maphash.String(pagesSeed, key)
	if _, ok := p.seen[h]; ok {
		return fmt.Errorf("%s: %w: after %d pages the upstream repeats an earlier page", what, ErrPagingLoop, p.n)
	}
	p.seen[h] = struct{}{}
	return nil
}

// PageKey is the key of a page read by offset: its rows' identities, in order. An empty
// page has no key.
func PageKey(ids ...string) string {
	if len(ids) == 0 {
		return ""
	}
	var n int
	for _, id := range ids {
		n += len(id) + 1
	}
	b := make([]byte, 0, n)
	for _, id := range ids {
		b = append(b, id...)
		b = append(b, 0)
	}
	return string(b)
}
