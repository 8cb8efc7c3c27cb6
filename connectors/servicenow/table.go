package servicenow

import (
	"strconv"
	"strings"
	"time"
)

// row is one Table API record. Values are strings; a reference that still arrives as an
// object ({"value": ..., "display_value": ..., "link": ...}) is read by its value.
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
// Values holding a comma use "=" (IN splits on commas); "^" is escaped as "^^".
func anyOf(field string, values []string) []string {
	var in, out []string
	for _, v := range values {
		v = strings.ReplaceAll(strings.TrimSpace(v), "^", "^^")
		switch {
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
