package servicenow

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestNextPage(t *testing.T) {
	u := func(off, lim int) string {
		return fmt.Sprintf("https://acme.service-now.com/api/now/table/cmdb_ci?sysparm_query=nameINa,b&sysparm_offset=%d&sysparm_limit=%d", off, lim)
	}
	tests := []struct {
		name   string
		header string
		want   string // "offset/limit" or "none"
	}{
		{"servicenow form", fmt.Sprintf(`<%s>;rel="first",<%s>;rel="prev",<%s>;rel="next",<%s>;rel="last"`, u(0, 20), u(20, 20), u(60, 20), u(980, 20)), "60/20"},
		{"spaces and unquoted rel", fmt.Sprintf(`<%s>; rel=first, <%s>; rel=next`, u(0, 5), u(5, 5)), "5/5"},
		{"several rel values", fmt.Sprintf(`<%s>;rel="last next"`, u(40, 10)), "40/10"},
		{"last page", fmt.Sprintf(`<%s>;rel="first",<%s>;rel="prev",<%s>;rel="last"`, u(0, 2), u(2, 2), u(4, 2)), "none"},
		{"next without offset", `<https://x/api/now/table/t?sysparm_limit=5>;rel="next"`, "none"},
		{"empty", "", "none"},
		{"garbage", "rel=next", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := nextPage(tt.header)
			got := "none"
			if ok {
				got = fmt.Sprintf("%d/%d", p.offset, p.limit)
			}
			if got != tt.want {
				t.Errorf("nextPage = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestQueryBuilders(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"in list", orGroup(anyOf("name", []string{"a", "", " b "})), "nameINa,b"},
		{"comma values use =", orGroup(anyOf("name", []string{"a", "x, y"})), "nameINa^ORname=x, y"},
		{"caret has no escape: LIKE its longest piece", orGroup(anyOf("name", []string{"a", "ab^c", "^^"})), "nameINa^ORnameLIKEab"},
		{"empty", orGroup(anyOf("name", nil)), ""},
		{"and skips empty", and("a=1", "", "ORDERBYx"), "a=1^ORDERBYx"},
		{"time", snTime(time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))), "2025-01-02 02:04:05"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	r := row{"s": "x", "ref": map[string]any{"value": "abc", "link": "l"}, "n": 3.0, "b": true, "t": "2025-01-02 03:04:05", "bad": "soon"}
	got := strings.Join([]string{r.str("s"), r.str("ref"), r.str("n"), r.str("b"), r.str("missing"),
		r.time("t").Format(time.RFC3339), fmt.Sprint(r.time("bad").IsZero())}, "|")
	if want := "x|abc|3|true||2025-01-02T03:04:05Z|true"; got != want {
		t.Errorf("row values = %q, want %q", got, want)
	}
}
