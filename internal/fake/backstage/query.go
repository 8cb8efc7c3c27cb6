package backstage

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// cursor is the fake's opaque paging state: the initial query and the next offset.
type cursor struct {
	Filter []string `json:"filter,omitempty"`
	Order  []string `json:"orderField,omitempty"`
	Offset int      `json:"offset"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Offset < 0 {
		return cursor{}, fmt.Errorf("Malformed cursor: %q", s)
	}
	return c, nil
}

// byQuery answers GET /entities/by-query. With a cursor, filter and orderField are ignored
// (the cursor carries them); limit and fields apply to every page.
func (s *Server) byQuery(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := DefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, r, http.StatusBadRequest, "InputError", "Invalid limit "+strconv.Quote(v))
			return
		}
		limit = n
	}
	c := cursor{Filter: q["filter"], Order: q["orderField"]}
	if v := q.Get("offset"); v != "" {
		c.Offset, _ = strconv.Atoi(v)
	}
	if v := q.Get("cursor"); v != "" {
		var err error
		if c, err = decodeCursor(v); err != nil {
			writeError(w, r, http.StatusBadRequest, "InputError", err.Error())
			return
		}
	}
	match, err := s.query(c)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "InputError", err.Error())
		return
	}
	var fields []string
	for _, f := range q["fields"] {
		fields = append(fields, strings.Split(f, ",")...)
	}
	page := match[min(c.Offset, len(match)):min(c.Offset+limit, len(match))]
	items := make([]map[string]any, 0, len(page))
	for _, e := range page {
		items = append(items, prune(e.doc, fields))
	}
	info := map[string]string{}
	if c.Offset+limit < len(match) && limit > 0 {
		info["nextCursor"] = cursor{Filter: c.Filter, Order: c.Order, Offset: c.Offset + limit}.encode()
	}
	if c.Offset > 0 {
		info["prevCursor"] = cursor{Filter: c.Filter, Order: c.Order, Offset: max(0, c.Offset-limit)}.encode()
	}
	total := len(match)
	if q.Get("totalItems") == "exclude" {
		total = 0
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "totalItems": total, "pageInfo": info})
}

// query returns the entities matching any filter set, ordered by orderField (default uid).
func (s *Server) query(c cursor) ([]entity, error) {
	var sets []map[string][]string // key -> accepted values (nil = key must exist)
	for _, f := range c.Filter {
		set := map[string][]string{}
		for cond := range strings.SplitSeq(f, ",") {
			k, v, hasV := strings.Cut(strings.TrimSpace(cond), "=")
			k = strings.ToLower(strings.TrimSpace(k))
			if k == "" {
				return nil, fmt.Errorf("Invalid filter %q", f)
			}
			if _, ok := set[k]; !ok {
				set[k] = nil
			}
			if hasV {
				set[k] = append(set[k], strings.ToLower(strings.TrimSpace(v)))
			}
		}
		sets = append(sets, set)
	}
	var out []entity
	for _, e := range s.entities {
		if len(sets) == 0 || slices.ContainsFunc(sets, func(set map[string][]string) bool { return matches(e, set) }) {
			out = append(out, e)
		}
	}
	for i := len(c.Order) - 1; i >= 0; i-- {
		field, dir, _ := strings.Cut(c.Order[i], ",")
		field = strings.ToLower(field)
		slices.SortStableFunc(out, func(a, b entity) int {
			n := cmp.Compare(first(a.search[field]), first(b.search[field]))
			if strings.EqualFold(dir, "desc") {
				n = -n
			}
			return n
		})
	}
	return out, nil
}

// matches reports whether every key of set is satisfied: present, and (when values are
// given) equal to one of them. Repeating a key in one filter therefore means "any of".
func matches(e entity, set map[string][]string) bool {
	for k, want := range set {
		got, ok := e.search[k]
		if !ok {
			return false
		}
		if want != nil && !slices.ContainsFunc(got, func(v string) bool { return slices.Contains(want, v) }) {
			return false
		}
	}
	return true
}

func first(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}

// prune keeps only the given simplified JSON paths of doc (all of it when paths is empty).
func prune(doc map[string]any, paths []string) map[string]any {
	if len(paths) == 0 {
		return doc
	}
	out := map[string]any{}
	for _, p := range paths {
		parts := strings.Split(strings.TrimSpace(p), ".")
		src, dst := doc, out
		for i, part := range parts {
			v, ok := src[part]
			if !ok {
				break
			}
			if i == len(parts)-1 {
				dst[part] = v
				break
			}
			next, ok := v.(map[string]any)
			if !ok {
				break
			}
			d, _ := dst[part].(map[string]any)
			if d == nil {
				d = map[string]any{}
				dst[part] = d
			}
			src, dst = next, d
		}
	}
	return out
}
