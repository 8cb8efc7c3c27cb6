package servicenow

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// DefaultLimit is ServiceNow's sysparm_limit default.
const DefaultLimit = 10000

// list answers GET /api/now/table/{table}: filter, sort, page, and set Link and X-Total-Count.
func (s *Server) list(w http.ResponseWriter, r *http.Request, table string) {
	q := r.URL.Query()
	rows, err := s.match(table, q.Get("sysparm_query"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid query", err.Error())
		return
	}
	limit, offset := DefaultLimit, 0
	if v := q.Get("sysparm_limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "Invalid sysparm_limit", v)
			return
		}
		limit = n
	}
	if v := q.Get("sysparm_offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "Invalid sysparm_offset", v)
			return
		}
		offset = n
	}
	total := len(rows)
	lo, hi := min(offset, total), min(offset+limit, total)
	rd := s.renderer(r, table)
	rendered := s.renderedRows(table, r, len(rows))
	body := []byte(`{"result":[`)
	for i := lo; i < hi; i++ {
		if i > lo {
			body = append(body, ',')
		}
		body = append(body, rendered.row(i, func() []byte { return rd.appendRow(nil, rows[i]) })...)
	}
	if !strings.EqualFold(q.Get("sysparm_no_count"), "true") {
		w.Header().Set("X-Total-Count", strconv.Itoa(total))
	}
	if !strings.EqualFold(q.Get("sysparm_suppress_pagination_header"), "true") && limit > 0 {
		w.Header().Set("Link", links(r, offset, limit, total))
	}
	writeRaw(w, http.StatusOK, append(body, "]}\n"...))
}

// match returns the rows of table matching the encoded query, sorted, cached per query.
func (s *Server) match(table, query string) ([]Record, error) {
	key := table + "\x00" + query
	s.mu.Lock()
	rows, ok := s.matches[key]
	s.mu.Unlock()
	if ok {
		return rows, nil
	}
	q, err := ParseQuery(query)
	if err != nil {
		return nil, err
	}
	for _, row := range s.st.rows(table) {
		if q.Match(row, s.st.get) {
			rows = append(rows, row)
		}
	}
	q.Sort(rows, s.st.get)
	s.mu.Lock()
	s.matches[key] = rows
	s.mu.Unlock()
	return rows, nil
}

// rendered keeps the JSON of the rows of one query as one request asked to render them: the
// data never changes, so a large table's pages are encoded once, not at every read (the
// fake shares the CPUs with the client it serves; a real instance's work is not the client's).
type rendered struct {
	mu   sync.Mutex
	rows [][]byte
}

// row returns the JSON of row i, rendering it the first time.
func (rr *rendered) row(i int, render func() []byte) []byte {
	rr.mu.Lock()
	b := rr.rows[i]
	rr.mu.Unlock()
	if b == nil {
		b = render()
		rr.mu.Lock()
		rr.rows[i] = b
		rr.mu.Unlock()
	}
	return b
}

// renderedRows returns the rendered rows of table for r's query and rendering parameters.
func (s *Server) renderedRows(table string, r *http.Request, n int) *rendered {
	q := r.URL.Query()
	key := strings.Join([]string{table, q.Get("sysparm_query"), q.Get("sysparm_fields"), strings.ToLower(q.Get("sysparm_display_value")),
		strings.ToLower(q.Get("sysparm_exclude_reference_link")), r.Host}, "\x00")
	s.mu.Lock()
	defer s.mu.Unlock()
	rr := s.rendered[key]
	if rr == nil {
		rr = &rendered{rows: make([][]byte, n)}
		s.rendered[key] = rr
	}
	return rr
}

// links renders the Link header: first, prev, next and last pages of the same query.
func links(r *http.Request, offset, limit, total int) string {
	at := func(off int, rel string) string {
		q := r.URL.Query()
		q.Set("sysparm_offset", strconv.Itoa(off))
		q.Set("sysparm_limit", strconv.Itoa(limit))
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s>;rel=%q", u.String(), rel)
	}
	parts := []string{at(0, "first")}
	if offset > 0 {
		parts = append(parts, at(max(0, offset-limit), "prev"))
	}
	if offset+limit < total {
		parts = append(parts, at(offset+limit, "next"))
	}
	last := 0
	if total > 0 {
		last = (total - 1) / limit * limit
	}
	return strings.Join(append(parts, at(last, "last")), ",")
}
