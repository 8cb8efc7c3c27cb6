package dynatrace

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cursor is the state behind one nextPageKey.
type cursor struct {
	endpoint string
	query    url.Values
	offset   int
}

// limits of one list endpoint.
type limits struct {
	endpoint    string
	defaultSize int
	maxSize     int
	// perPage are parameters that are valid only for the current page and may (must) be
	// repeated with nextPageKey (fields on /problems).
	perPage []string
}

var (
	problemsLimits = limits{endpoint: "problems", defaultSize: 50, maxSize: 500, perPage: []string{"fields"}}
	eventsLimits   = limits{endpoint: "events", defaultSize: 100, maxSize: 1000}
	entitiesLimits = limits{endpoint: "entities", defaultSize: 50, maxSize: 4000}
)

// pageRequest resolves the request's query: a first page, or a follow-up by nextPageKey
// (which must come alone, apart from per-page parameters). It answers 400 and returns
// ok=false on invalid paging parameters.
func (s *Server) pageRequest(w http.ResponseWriter, r *http.Request, l limits) (q url.Values, offset, size int, ok bool) {
	q = r.URL.Query()
	if key := q.Get("nextPageKey"); key != "" {
		for _, k := range slices.Sorted(maps.Keys(q)) {
			if k != "nextPageKey" && !slices.Contains(l.perPage, k) {
				badParam(w, k, "must not be set together with nextPageKey: a follow-up request carries only the nextPageKey")
				return nil, 0, 0, false
			}
		}
		s.mu.Lock()
		c, found := s.cursors[key]
		s.mu.Unlock()
		if !found || c.endpoint != l.endpoint {
			badParam(w, "nextPageKey", "the nextPageKey is invalid or expired")
			return nil, 0, 0, false
		}
		merged := url.Values{}
		maps.Copy(merged, c.query)
		for _, k := range l.perPage {
			if vs, has := q[k]; has {
				merged[k] = vs
			}
		}
		q, offset = merged, c.offset
	}
	size = l.defaultSize
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > l.maxSize {
			badParam(w, "pageSize", "must be between 1 and %d", l.maxSize)
			return nil, 0, 0, false
		}
		size = n
	}
	return q, offset, size, true
}

// envelope renders one page of items under key, registering a cursor when more remain.
func (s *Server) envelope(l limits, q url.Values, key string, items []any, offset, size int) map[string]any {
	end := min(offset+size, len(items))
	page := items[min(offset, end):end]
	out := map[string]any{"totalCount": len(items), "pageSize": size, key: page}
	if end < len(items) {
		stored := url.Values{}
		for k, vs := range q {
			if k != "nextPageKey" && !slices.Contains(l.perPage, k) {
				stored[k] = vs
			}
		}
		s.mu.Lock()
		s.seq++
		next := fmt.Sprintf("%s-%04d-%s", l.endpoint, s.seq, strconv.Itoa(end))
		s.cursors[next] = cursor{endpoint: l.endpoint, query: stored, offset: end}
		s.mu.Unlock()
		out["nextPageKey"] = next
	}
	return out
}

var relTime = regexp.MustCompile(`^now(?:-(\d+)([smhdwMy]))?(?:/[smhdwMy])?$`)

// parseTime accepts UTC epoch milliseconds, ISO-8601 (offset optional, space for T) and
// relative now-NU[/A] timeframes (the alignment is ignored).
func parseTime(v string, now time.Time) (time.Time, error) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	if m := relTime.FindStringSubmatch(v); m != nil {
		if m[1] == "" {
			return now, nil
		}
		n, _ := strconv.Atoi(m[1])
		unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour,
			"w": 7 * 24 * time.Hour, "M": 30 * 24 * time.Hour, "y": 365 * 24 * time.Hour}[m[2]]
		return now.Add(-time.Duration(n) * unit), nil
	}
	v = strings.Replace(v, " ", "T", 1)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid timestamp %q", v)
}

// window returns the requested [from, to] with def as the default lookback.
func (s *Server) window(w http.ResponseWriter, q url.Values, def time.Duration) (from, to time.Time, ok bool) {
	now := s.opts.Now().UTC()
	from, to = now.Add(-def), now
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := parseTime(v, now)
			if err != nil {
				badParam(w, p.name, "%v", err)
				return from, to, false
			}
			*p.dst = t
		}
	}
	return from, to, true
}

// overlaps reports whether [start, end] (end < 0: still open) overlaps [from, to].
func overlaps(start, end int64, from, to time.Time) bool {
	return start <= to.UnixMilli() && (end < 0 || end >= from.UnixMilli())
}
