package servicenow

import (
	"strconv"
	"strings"
	"time"
)

// row is one Table API record. Values are strings; a field read with
// sysparm_display_value=all arrives as an object ({"display_value": ..., "value": ...,
// "link": ...}) and is read by its value (str, time) or its display value (ref).
type row map[string]any

func (r row) str(k string) string {
	switch v := r[k].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["value"].(string)
		return s
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// ref returns a reference field's sys_id and the name the instance displays for it. named
// is false when the field came without a display value (a plain sys_id: the name must be
// looked up). A display value that is the sys_id itself (a reference to a missing record)
// names nothing.
func (r row) ref(k string) (id, display string, named bool) {
	id = r.str(k)
	if m, ok := r[k].(map[string]any); ok {
		display, named = m["display_value"].(string)
	}
	if display == id {
		display = ""
	}
	return id, display, named
}

// timeLayout is ServiceNow's date/time format (UTC with sysparm_display_value=false).
const timeLayout = "2006-01-02 15:04:05"

// time parses a date/time field; empty or malformed values give the zero time.
func (r row) time(k string) time.Time {
	t, err := time.ParseInLocation(timeLayout, r.str(k), time.UTC)
	if err != nil {
		return time.Time{}
	}
	return t
}

// anyOf builds an OR-group matching field against any value: "fieldINa,b^ORfield=c,d".
// Values holding a comma use "=" (IN splits on commas). ServiceNow documents no escape for
// "^" in an encoded query value (it always ends the condition), so a value holding "^" is
// matched with LIKE on its longest piece without one: a looser match, which the caller
// narrows to the exact value on the rows returned (see inexact and ciRef.keeps).
func anyOf(field string, values []string) []string {
	var in, out []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		switch {
		case inexact(v):
			if p := longestPiece(v); p != "" {
				out = append(out, field+"LIKE"+p)
			}
		case v == "":
		case strings.Contains(v, ","):
			out = append(out, field+"="+v)
		default:
			in = append(in, v)
		}
	}
	if len(in) > 0 {
		out = append([]string{field + "IN" + strings.Join(in, ",")}, out...)
	}
	return out
}

// inexact reports whether an encoded query cannot hold v exactly (it holds a "^").
func inexact(v string) bool { return strings.Contains(v, "^") }

// longestPiece returns the longest part of v between carets.
func longestPiece(v string) string {
	var best string
	for _, p := range strings.Split(v, "^") {
		if len(p) > len(best) {
			best = p
		}
	}
	return best
}

// orGroup joins conditions with ^OR.
func orGroup(conds []string) string { return strings.Join(conds, "^OR") }

// and joins non-empty parts with ^.
func and(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "^")
}

// snTime formats t for an encoded query.
func snTime(t time.Time) string { return t.UTC().Format(timeLayout) }
