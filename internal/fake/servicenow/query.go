package servicenow

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Query is a parsed encoded query (sysparm_query): "^" is AND, "^OR" joins a condition to
// the previous one, "^NQ" starts an alternative query, "ORDERBY"/"ORDERBYDESC" sort.
// Fields may dot-walk references ("type.name"). As ServiceNow documents, a value has no
// escape for "^": "^" always ends a term ("a^^b" is the terms "a", "" and "b").
type Query struct {
	// Alternatives are OR-ed; each is an AND of OR-groups of conditions.
	Alternatives [][][]Cond
	Order        []Order
}

// Cond is one condition: Field Op Value.
type Cond struct {
	Field, Op, Value string

	lower string          // lowercase Value
	set   map[string]bool // IN / NOT IN values, lowercase
}

// Order is one ORDERBY term.
type Order struct {
	Field string
	Desc  bool
}

// operators, longest first so that "NOT IN" wins over "IN" and ">=" over ">".
var operators = []string{"ISNOTEMPTY", "ISEMPTY", "NOT IN", "NOTLIKE", "STARTSWITH", "ENDSWITH",
	"INSTANCEOF", "LIKE", "IN", "!=", ">=", "<=", "=", ">", "<"}

// ParseQuery parses an encoded query; an unknown operator is an error.
func ParseQuery(s string) (Query, error) {
	var q Query
	var alt [][]Cond
	for _, term := range splitTerms(s) {
		if rest, ok := strings.CutPrefix(term, "NQ"); ok { // field names are lowercase
			if len(alt) > 0 {
				q.Alternatives = append(q.Alternatives, alt)
			}
			alt, term = nil, rest
		}
		if term == "" {
			continue
		}
		if f, ok := strings.CutPrefix(term, "ORDERBYDESC"); ok {
			q.Order = append(q.Order, Order{Field: f, Desc: true})
			continue
		}
		if f, ok := strings.CutPrefix(term, "ORDERBY"); ok {
			q.Order = append(q.Order, Order{Field: f})
			continue
		}
		or := false
		if rest, ok := strings.CutPrefix(term, "OR"); ok && len(alt) > 0 {
			term, or = rest, true
		}
		c, err := parseCond(term)
		if err != nil {
			return Query{}, err
		}
		if or {
			alt[len(alt)-1] = append(alt[len(alt)-1], c)
		} else {
			alt = append(alt, []Cond{c})
		}
	}
	if len(alt) > 0 {
		q.Alternatives = append(q.Alternatives, alt)
	}
	return q, nil
}

// splitTerms splits on "^": there is no escape (ServiceNow SDK, "Encoded Queries": "ServiceNow
// provides no escape character for these inside encoded query values").
func splitTerms(s string) []string { return strings.Split(s, "^") }

func parseCond(term string) (Cond, error) {
	i := 0
	for i < len(term) && (term[i] >= 'a' && term[i] <= 'z' || term[i] >= '0' && term[i] <= '9' || term[i] == '_' || term[i] == '.') {
		i++
	}
	field, rest := term[:i], term[i:]
	for _, op := range operators {
		if v, ok := strings.CutPrefix(rest, op); ok && field != "" {
			c := Cond{Field: field, Op: op, Value: v, lower: strings.ToLower(v)}
			if op == "IN" || op == "NOT IN" {
				c.set = map[string]bool{}
				for x := range strings.SplitSeq(c.lower, ",") {
					c.set[x] = true
				}
			}
			return c, nil
		}
	}
	return Cond{}, fmt.Errorf("invalid encoded query condition %q", term)
}

// Match reports whether r satisfies q; get reads (possibly dot-walked) fields.
func (q Query) Match(r Record, get func(Record, string) string) bool {
	if len(q.Alternatives) == 0 {
		return true
	}
	for _, alt := range q.Alternatives {
		if matchAll(alt, r, get) {
			return true
		}
	}
	return false
}

func matchAll(groups [][]Cond, r Record, get func(Record, string) string) bool {
	for _, g := range groups {
		if !slices.ContainsFunc(g, func(c Cond) bool { return c.match(get(r, c.Field)) }) {
			return false
		}
	}
	return true
}

// match compares case-insensitively, numerically when both sides are numbers.
func (c Cond) match(v string) bool {
	lv, lc := strings.ToLower(v), c.lower
	switch c.Op {
	case "ISEMPTY":
		return v == ""
	case "ISNOTEMPTY":
		return v != ""
	case "=":
		return lv == lc
	case "!=":
		return lv != lc
	case "IN":
		return c.set[lv]
	case "NOT IN":
		return !c.set[lv]
	case "LIKE":
		return strings.Contains(lv, lc)
	case "NOTLIKE":
		return !strings.Contains(lv, lc)
	case "STARTSWITH":
		return strings.HasPrefix(lv, lc)
	case "ENDSWITH":
		return strings.HasSuffix(lv, lc)
	case "INSTANCEOF":
		return isA(lv, lc)
	}
	if v == "" {
		return false // empty values never compare
	}
	n := compare(lv, lc)
	switch c.Op {
	case ">=":
		return n >= 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	case "<":
		return n < 0
	}
	return false
}

func compare(a, b string) int {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea == nil && eb == nil {
		return cmp.Compare(fa, fb)
	}
	return strings.Compare(a, b)
}

// Sort orders rows by q.Order (stable; values compared like conditions).
func (q Query) Sort(rows []Record, get func(Record, string) string) {
	if len(q.Order) == 0 {
		return
	}
	type key struct {
		s   string
		f   float64
		num bool
	}
	type keyed struct {
		r    Record
		i    int
		keys []key
	}
	ks := make([]keyed, len(rows))
	for i, r := range rows {
		ks[i] = keyed{r: r, i: i}
		for _, o := range q.Order {
			k := key{s: strings.ToLower(get(r, o.Field))}
			f, err := strconv.ParseFloat(k.s, 64)
			k.f, k.num = f, err == nil
			ks[i].keys = append(ks[i].keys, k)
		}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		for i, o := range q.Order {
			x, y := a.keys[i], b.keys[i]
			n := strings.Compare(x.s, y.s)
			if x.num && y.num {
				n = cmp.Compare(x.f, y.f)
			}
			if o.Desc {
				n = -n
			}
			if n != 0 {
				return n
			}
		}
		return cmp.Compare(a.i, b.i)
	})
	for i := range ks {
		rows[i] = ks[i].r
	}
}
