package servicenow

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/sourcegraph/conc/pool"

	"github.com/opsctx/opsctx/config"
	"github.com/opsctx/opsctx/connectors"
	"github.com/opsctx/opsctx/internal/httpx"
)

// DefaultParallel is how many pages of one list are fetched at once (config.DefaultServiceNowParallel):
// halved for the rest of the list after a 429 (pacer).
const DefaultParallel = config.DefaultServiceNowParallel

// list is one paged Table API read.
type list struct {
	table  string
	query  string   // encoded query (sysparm_query)
	fields []string // sysparm_fields
	max    int      // row cap; 0 = Source.maxRows
	page   int      // page size; 0 = Source.pageSize
	// display asks for sysparm_display_value=all: every field as {display_value, value}, so
	// references carry their names (row.ref) while str and time keep reading the raw value.
	display bool
	// noCount sends sysparm_no_count=true: the instance skips its select count(*), for the
	// pages after the first once it announced the total.
	noCount bool
	// pace bounds the pages after the first read at once, shared with the listings read
	// beside this one; nil: Source.parallel for this listing alone.
	pace *pacer
}

// counted returns l asking the instance to count the matching rows, or not.
func (l list) counted(count bool) list {
	l.noCount = !count
	return l
}

// list reads every matching row up to the row cap; truncated reports that more rows matched.
// The first page's X-Total-Count gives the remaining offsets, fetched up to s.parallel at a
// time; without a count, pages are read one by one following Link rel="next".
func (s *Source) list(ctx context.Context, l list) (rows []row, truncated bool, err error) {
	capRows := cmp.Or(l.max, s.maxRows)
	limit := min(cmp.Or(l.page, s.pageSize), capRows)
	first, res, err := s.fetch(ctx, l, 0, limit)
	if err != nil {
		return nil, false, err
	}
	h := res.Header
	total := -1
	if n, err := strconv.Atoi(h.Get("X-Total-Count")); err == nil {
		total = n
	}
	next, hasNext := nextPage(h.Get("Link"))
	if h.Get("Link") == "" { // pagination header suppressed: page by count
		next, hasNext = page{offset: len(first), limit: limit}, len(first) == limit && (total < 0 || len(first) < total)
	}
	switch {
	case len(first) >= capRows:
		return first[:capRows], hasNext || total > capRows || len(first) > capRows, nil
	case !hasNext || len(first) == 0:
		return first, false, nil
	case total >= 0 && next.offset == len(first):
		return s.parallelPages(ctx, l, first, limit, total, capRows)
	}
	return s.followLinks(ctx, l, first, next, capRows)
}

// parallelPages fetches the pages after first by offset, s.parallel at a time (l.pace), without
// counting the rows again (sysparm_no_count; their headers are not read). An instance
// that ignores the offset answers every page alike: a page that repeats an earlier one
// fails the listing (connectors.ErrPagingLoop) rather than counting its rows again.
func (s *Source) parallelPages(ctx context.Context, l list, first []row, limit, total, capRows int) ([]row, bool, error) {
	end := min(total, capRows)
	var offsets []int
	for off := len(first); off < end; off += limit {
		offsets = append(offsets, off)
	}
	pages := make([][]row, len(offsets))
	pace := l.pace
	if pace == nil {
		pace = newPacer(s.parallel, s.testHookPaced)
	}
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(s.parallel)
	for i, off := range offsets {
		p.Go(func(ctx context.Context) error {
			gen, err := pace.acquire(ctx)
			if err != nil {
				return err
			}
			defer pace.release()
			var res *httpx.Response
			pages[i], res, err = s.fetch(ctx, l.counted(false), off, min(limit, capRows-off)) // full pages unless capped
			if res != nil && res.Throttled {
				pace.throttled(gen)
			}
			return err
		})
	}
	if err := p.Wait(); err != nil {
		return nil, false, err
	}
	var guard connectors.Pages
	if err := guard.Next(l.what(), l.key(first)); err != nil {
		return nil, false, err
	}
	rows := first
	for _, pg := range pages {
		if err := guard.Next(l.what(), l.key(pg)); err != nil {
			return nil, false, err
		}
		rows = append(rows, pg...)
	}
	return rows[:min(len(rows), capRows)], total > capRows || len(rows) > capRows, nil
}

// followLinks reads page after page from Link rel="next" (its offset and limit only). A
// next link that does not move forward, or a page that repeats an earlier one, fails the
// listing (connectors.ErrPagingLoop).
func (s *Source) followLinks(ctx context.Context, l list, rows []row, next page, capRows int) ([]row, bool, error) {
	offset := 0
	var guard connectors.Pages
	if err := guard.Next(l.what(), l.key(rows)); err != nil {
		return nil, false, err
	}
	for {
		if next.offset <= offset {
			return nil, false, fmt.Errorf("%s: %w: the next link goes from offset %d to %d", l.what(), connectors.ErrPagingLoop, offset, next.offset)
		}
		offset = next.offset
		got, res, err := s.fetch(ctx, l, offset, min(max(next.limit, 1), capRows-len(rows)))
		if err != nil {
			return nil, false, err
		}
		if err := guard.Next(l.what(), l.key(got)); err != nil {
			return nil, false, err
		}
		rows = append(rows, got...)
		var hasNext bool
		next, hasNext = nextPage(res.Header.Get("Link"))
		if len(rows) >= capRows {
			return rows[:capRows], hasNext || len(rows) > capRows, nil
		}
		if !hasNext || len(got) == 0 {
			return rows, false, nil
		}
	}
}

// fetch reads one page.
func (s *Source) fetch(ctx context.Context, l list, offset, limit int) ([]row, *httpx.Response, error) {
	q := url.Values{
		"sysparm_query":                  {l.query},
		"sysparm_fields":                 {strings.Join(l.fields, ",")},
		"sysparm_limit":                  {strconv.Itoa(limit)},
		"sysparm_offset":                 {strconv.Itoa(offset)},
		"sysparm_display_value":          {displayValue[l.display]},
		"sysparm_exclude_reference_link": {"true"},
	}
	if l.noCount {
		q.Set("sysparm_no_count", "true")
	}
	var body listBody
	res, err := s.c.GetJSON(ctx, tablePath(l.table), q, &body)
	if err != nil {
		return nil, nil, s.wrap(err, l.table)
	}
	return body.Result, res, nil
}

// what names the listing l in errors.
func (l list) what() string { return "GET /" + tablePath(l.table) }

// key identifies a page of l by its rows: their sys_ids, or the values of the fields read
// when those leave sys_id out.
func (l list) key(rows []row) string {
	var b strings.Builder
	for _, r := range rows {
		if id := r.str("sys_id"); id != "" {
			b.WriteString(id)
		} else {
			for _, f := range l.fields {
				b.WriteString(r.str(f))
				b.WriteByte(0)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// displayValue is the sysparm_display_value of a list read with or without display values.
var displayValue = map[bool]string{false: "false", true: "all"}

// page is the offset and limit of a page named by a Link header.
type page struct{ offset, limit int }

// nextPage returns the page of the rel="next" entry of a Link header, if any:
// <https://x/api/now/table/t?sysparm_offset=40&sysparm_limit=20>;rel="next",<...>;rel="last"
func nextPage(h string) (page, bool) {
	for h != "" {
		start := strings.IndexByte(h, '<')
		end := strings.IndexByte(h, '>')
		if start < 0 || end < start {
			return page{}, false
		}
		target, rest := h[start+1:end], h[end+1:]
		params := rest
		if i := strings.IndexByte(rest, '<'); i >= 0 {
			params, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		h = rest
		if !isNext(params) {
			continue
		}
		u, err := url.Parse(target)
		if err != nil {
			return page{}, false
		}
		off, err1 := strconv.Atoi(u.Query().Get("sysparm_offset"))
		lim, err2 := strconv.Atoi(u.Query().Get("sysparm_limit"))
		if err1 != nil || err2 != nil {
			return page{}, false
		}
		return page{offset: off, limit: lim}, true
	}
	return page{}, false
}

func isNext(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "rel") {
			for r := range strings.FieldsSeq(strings.Trim(strings.TrimRight(v, ", "), `"`)) {
				if strings.EqualFold(r, "next") {
					return true
				}
			}
		}
	}
	return false
}
