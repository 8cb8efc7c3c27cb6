package dynatrace

import (
	"fmt"
	"strings"
)

// criterion is one part of a Dynatrace selector: name("v1","v2").
type criterion struct {
	name   string
	values []string
}

// parseSelector parses a selector such as type("SERVICE"),entityId("A","B"). Values may be
// quoted ("...", with ~" and ~~ escapes) or bare (type(SERVICE)).
func parseSelector(s string) ([]criterion, error) {
	var out []criterion
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ',' || s[i] == ' ') {
			i++
		}
		if i >= len(s) {
			break
		}
		open := strings.IndexByte(s[i:], '(')
		if open <= 0 {
			return nil, fmt.Errorf("invalid selector at %q: expected name(value)", s[i:])
		}
		c := criterion{name: strings.TrimSpace(s[i : i+open])}
		i += open + 1
		var cur strings.Builder
		quoted, closed := false, false
		flush := func() {
			if v := cur.String(); v != "" || quoted {
				c.values = append(c.values, v)
			}
			cur.Reset()
		}
		for !closed && i < len(s) {
			ch := s[i]
			switch {
			case quoted && ch == '~' && i+1 < len(s):
				cur.WriteByte(s[i+1])
				i++
			case ch == '"':
				if quoted {
					flush()
					quoted = false
					i++
					continue
				}
				quoted = true
			case quoted:
				cur.WriteByte(ch)
			case ch == ',':
				flush()
			case ch == ')':
				flush()
				closed = true
			case ch != ' ':
				cur.WriteByte(ch)
			}
			i++
		}
		if !closed {
			return nil, fmt.Errorf("invalid selector: criterion %q is not closed", c.name)
		}
		out = append(out, c)
	}
	return out, nil
}

// anyIn reports whether any of have is in want.
func anyIn(have []string, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// anyFold is anyIn without case.
func anyFold(have []string, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if strings.EqualFold(h, w) {
				return true
			}
		}
	}
	return false
}
